import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemorySample } from '../memory/types.js';
import type { StepNode } from '../steps/types.js';
import type { RunEvents } from './events.js';
import type { RunRecord, RunStatus, StepRecord } from './run-record.js';
import type { SecretMasker } from './secrets.js';
import { walkSteps } from './validate.js';

const SAVE_EVERY_MS = 5000;

/**
 * Builds the run record from the run's events and keeps `run.json` on disk up to date, so a
 * run that crashes still leaves its record behind.
 */
export class RunRecorder {
  private readonly stepRecords = new Map<string, StepRecord>();
  private readonly openSteps = new Map<string, MemorySample | undefined>();
  /** Per step that emitted records: how many, and how many had each field filled. */
  private readonly filled = new Map<string, { records: number; fields: Map<string, number> }>();
  private timer: NodeJS.Timeout | undefined;
  readonly path: string;

  constructor(
    readonly record: RunRecord,
    steps: StepNode[],
    private readonly events: RunEvents,
    private readonly masker: SecretMasker,
    private readonly latestSample: () => MemorySample | undefined,
  ) {
    this.path = join(record.run.dir, 'run.json');
    const depthOf = new Map<StepNode, number>();
    const visit = (list: StepNode[], depth: number) => {
      for (const step of list) {
        depthOf.set(step, depth);
        for (const block of Object.values(step.blocks)) visit(block, depth + 1);
        if (step.options.else) visit(step.options.else, depth + 1);
      }
    };
    visit(steps, 0);
    walkSteps(steps, (step) => this.stepRecords.set(step.id, emptyStepRecord(step, depthOf.get(step) ?? 0)));
    record.steps = [...this.stepRecords.values()];
    this.listen();
  }

  start(): void {
    this.save();
    this.timer = setInterval(() => this.save(), SAVE_EVERY_MS);
    this.timer.unref();
  }

  finish(status: RunStatus, exitCode: number, error?: string): RunRecord {
    clearInterval(this.timer);
    const run = this.record.run;
    run.status = status;
    run.exitCode = exitCode;
    run.error = error === undefined ? undefined : this.masker.mask(error);
    run.endedAt = new Date().toISOString();
    run.durationMs = Date.parse(run.endedAt) - Date.parse(run.startedAt);
    // An action is recorded once the sample after it has measured its effect: put it back in time order.
    this.record.events.sort((a, b) => a.t - b.t);
    for (const [stepId, tally] of this.filled) {
      const empty = [...tally.fields].filter(([, filled]) => filled === 0).map(([field]) => field);
      const entry = this.stepRecords.get(stepId);
      if (entry && empty.length && tally.records >= EMPTY_FIELD_MIN_RECORDS) entry.emptyFields = empty;
    }
    this.save();
    return this.record;
  }

  /** Written to a temporary file and renamed, so a reader never sees half a record. */
  save(): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.masker.maskDeep(this.record)));
    renameSync(temporary, this.path);
  }

  private listen(): void {
    const { events, record } = this;
    events.on('step-start', ({ step, laneId }) => {
      this.openSteps.set(`${laneId}:${step.id}`, this.latestSample());
    });
    events.on('step-end', ({ step, laneId, status, durationMs, retries }) => {
      const entry = this.stepRecords.get(step.id);
      if (!entry) return;
      const before = this.openSteps.get(`${laneId}:${step.id}`);
      this.openSteps.delete(`${laneId}:${step.id}`);
      if (status === 'skipped') {
        entry.skipped++;
        return;
      }
      entry.runs++;
      entry.retries += retries;
      entry.totalMs += durationMs;
      entry.maxMs = Math.max(entry.maxMs, durationMs);
      record.counts.stepsRun++;
      record.counts.retries += retries;
      if (status === 'failed') {
        entry.failures++;
        record.counts.stepsFailed++;
      }
      const after = this.latestSample();
      const beforeMb = totalMb(before);
      const afterMb = totalMb(after);
      if (beforeMb !== undefined && afterMb !== undefined) {
        const n = entry.runs;
        entry.memBeforeMb = ((entry.memBeforeMb ?? 0) * (n - 1) + beforeMb) / n;
        entry.memAfterMb = ((entry.memAfterMb ?? 0) * (n - 1) + afterMb) / n;
        entry.deltaMb = (entry.deltaMb ?? 0) + (afterMb - beforeMb);
      }
      entry.maxPagesOpen = Math.max(entry.maxPagesOpen, after?.pagesOpen ?? 0);
    });
    events.on('page-loaded', ({ pagesVisited }) => {
      record.counts.pagesVisited = pagesVisited;
    });
    events.on('record', ({ count, step, record: emitted }) => {
      record.counts.records = count;
      const tally = this.filled.get(step.id) ?? { records: 0, fields: new Map<string, number>() };
      this.filled.set(step.id, tally);
      tally.records++;
      for (const [field, value] of Object.entries(emitted)) tally.fields.set(field, (tally.fields.get(field) ?? 0) + (isEmpty(value) ? 0 : 1));
    });
    events.on('memory', (event) => {
      record.events.push(event);
    });
  }

  stepRecord(stepId: string): StepRecord | undefined {
    return this.stepRecords.get(stepId);
  }
}

/** A field empty in this many records of a step, and in none filled, is worth a warning: most likely a selector that matches nothing. */
const EMPTY_FIELD_MIN_RECORDS = 3;

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

export function totalMb(sample: MemorySample | undefined): number | undefined {
  return sample ? (sample.totalPssMb ?? sample.totalRssMb) : undefined;
}

function emptyStepRecord(step: StepNode, depth: number): StepRecord {
  return { id: step.id, kind: step.kind, title: step.title, file: step.loc.file, line: step.loc.line, depth, container: Object.keys(step.blocks).length > 0, runs: 0, failures: 0, skipped: 0, retries: 0, totalMs: 0, maxMs: 0, maxPagesOpen: 0, requestsBlocked: 0 };
}
