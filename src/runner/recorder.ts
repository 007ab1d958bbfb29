import type { JournalWriter } from '../journal/writer.js';
import { totalOf, type MemorySample } from '../memory/types.js';
import type { RunEvents } from './events.js';
import type { RunStatus } from './run-record.js';

/**
 * Turns what the run reports (RunEvents) into journal lines. It keeps no run state beyond the
 * memory at each running step's start and the blocked requests not yet written: everything
 * else is derived from the journal afterwards (journal/reduce.ts).
 */
export class RunRecorder {
  private readonly stepStarts = new Map<string, number | undefined>();
  private blocked: { byType: Record<string, number>; byStep: Record<string, number> } = { byType: {}, byStep: {} };
  private blockedCount = 0;

  constructor(
    private readonly journal: JournalWriter,
    events: RunEvents,
    private readonly latestSample: () => MemorySample | undefined,
    private readonly measuringCosts: () => { samplerCostMs: number; leakChecksCostMs: number },
    private readonly pages: () => { open: number; visited: number },
  ) {
    events.on('step-start', ({ step, laneId }) => this.stepStarts.set(`${laneId}:${step.id}`, totalOf(this.latestSample())));
    events.on('step-end', ({ step, laneId, status, durationMs, error, retries, item }) => {
      const key = `${laneId}:${step.id}`;
      const beforeMb = this.stepStarts.get(key);
      this.stepStarts.delete(key);
      const afterMb = status === 'skipped' ? undefined : totalOf(this.latestSample());
      const { open, visited } = this.pages();
      journal.append({ type: 'step', step: step.id, lane: laneId, status, ms: round(durationMs), retries, ...(beforeMb !== undefined && afterMb !== undefined && { beforeMb: round(beforeMb), afterMb: round(afterMb) }), pagesOpen: open, visited, ...(error && { error }), ...(item && { item }) });
    });
    events.on('sample', (sample) => {
      this.writeBlocked();
      journal.append({ type: 'sample', ...sample, ...this.roundedCosts() });
    });
    events.on('blocked', ({ type, stepId }) => {
      this.blocked.byType[type] = (this.blocked.byType[type] ?? 0) + 1;
      if (stepId) this.blocked.byStep[stepId] = (this.blocked.byStep[stepId] ?? 0) + 1;
      this.blockedCount++;
    });
    events.on('memory', (event) => journal.append({ type: 'memory', t: event.t, event }));
    events.on('failure', (failure) => journal.append({ type: 'failure', failure }));
    events.on('page-reopened', ({ step, url, reason }) => journal.append({ type: 'page-reopened', step: step.id, url, reason }));
    events.on('log', ({ message, step }) => journal.append({ type: 'log', message, ...(step && { step: step.id }) }));
    events.on('section', ({ step, section }) => journal.append({ type: 'section', step: step.id, section }));
    events.on('browser', (event) => journal.append({ type: 'browser', at: new Date().toISOString(), ...event }));
  }

  private roundedCosts(): { samplerCostMs: number; leakChecksCostMs: number } {
    const { samplerCostMs, leakChecksCostMs } = this.measuringCosts();
    return { samplerCostMs: round(samplerCostMs), leakChecksCostMs: round(leakChecksCostMs) };
  }

  /** The last line of a run that ended (not of one killed: its journal just stops). */
  finish(status: Exclude<RunStatus, 'running' | 'killed'>, exitCode: number, error: string | undefined): void {
    this.writeBlocked();
    this.journal.append({ type: 'run-end', at: new Date().toISOString(), status, exitCode, ...(error && { error }), ...this.roundedCosts(), journalCostMs: round(this.journal.costMs) });
    this.journal.close();
  }

  private writeBlocked(): void {
    if (this.blockedCount === 0) return;
    this.journal.append({ type: 'blocked', ...this.blocked });
    this.blocked = { byType: {}, byStep: {} };
    this.blockedCount = 0;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
