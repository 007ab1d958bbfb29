import { readFileSync } from 'node:fs';
import { hasAssertions, judgeAssertions } from '../memory/assertions.js';
import { RunSeries } from '../memory/run-stats.js';
import { RunningSlope } from '../memory/stats.js';
import { DEFAULT_SETTINGS } from '../policy/settings.js';
import type { MemorySample } from '../memory/types.js';
import { minMaxIndices } from '../report/downsample.js';
import type { RunEvent, RunRecord, RunSegment, StepFailure, StepRecord } from '../runner/run-record.js';
import type { FieldTally, JournalEntry, MergeEntry, RunStartEntry } from './entries.js';
import { combineParts } from './parts.js';
import { readJournal, type JournalRead } from './read.js';

/** Samples the report keeps for its charts: thinned to this many, peaks and dips kept, as the journal is read. */
const TIMELINE_SAMPLES = 2000;
/** Failures listed one by one; past this only counted. */
const MAX_FAILURES = 1000;
/** A loop's first items fill caches and pools: its growth is measured from the item after these. */
const GROWTH_WARMUP_ITEMS = 10;
/** Items a loop needs for its growth per item to be judged. */
const GROWTH_MIN_ITEMS = 20;
/** A field empty in this many records of a step, and in none filled, is worth a warning: most likely a selector that matches nothing. */
const EMPTY_FIELD_MIN_RECORDS = 3;

export interface ReduceOptions {
  /** Whether a process is alive: a journal without an end is `running` while its writer lives, else `killed`. */
  isAlive?: (pid: number) => boolean;
}

/**
 * Folds a journal into the run it describes: counts, steps, failures, events, statistics, and a
 * timeline thinned for the report. A pure function of the entries: `flow report` on a journal
 * gives what the run itself wrote to run.json, killed or not.
 */
export function reduceJournal(entries: Iterable<JournalEntry>, read: JournalRead = { damagedLines: 0, tornLastLine: false }, options: ReduceOptions = {}): RunRecord {
  const reducer = new RunReducer();
  // A merged journal replays each part's lines, named by a part field: each part is reduced on its own.
  const parts = new Map<string, RunReducer>();
  let merge: MergeEntry | undefined;
  for (const entry of entries) {
    const part = (entry as { part?: unknown }).part;
    if (typeof part === 'string') {
      let sub = parts.get(part);
      if (!sub) parts.set(part, (sub = new RunReducer()));
      sub.apply(entry);
      continue;
    }
    if (entry.type === 'merge') merge = entry;
    reducer.apply(entry);
  }
  const isAlive = options.isAlive ?? processIsFlow;
  const record = reducer.result(read, isAlive);
  if (!merge) return record;
  return combineParts(record, [...parts].map(([label, sub]) => ({ label, record: sub.result({ damagedLines: 0, tornLastLine: false }, isAlive) })), merge);
}

export function reduceJournalFile(path: string, options: ReduceOptions = {}): RunRecord {
  // The reader fills in what it met (damaged lines, a torn end) as the reducer consumes it.
  const read: JournalRead = { damagedLines: 0, tornLastLine: false };
  return reduceJournal(readJournal(path, read), read, options);
}

class RunReducer {
  private start: RunStartEntry | undefined;
  private entries = 0;
  private readonly segments: RunSegment[] = [];
  private readonly steps = new Map<string, StepRecord>();
  /** Each nested step's enclosing step. */
  private readonly parents = new Map<string, string>();
  /** Runs of each step with memory measured before and after, for the means. */
  private readonly measuredRuns = new Map<string, number>();
  private readonly tallies = new Map<string, { records: number; filled: Map<string, number> }>();
  private readonly failures: StepFailure[] = [];
  private failureCount = 0;
  /**
   * Step failures inside items still running, under the item's path and each enclosing item's:
   * undone when one of them is tried again after a crash. Shared objects, so none is undone twice.
   */
  private readonly inFlight = new Map<string, Array<{ stepId: string; failure?: StepFailure; undone: boolean }>>();
  private readonly events: RunEvent[] = [];
  private readonly sections = new Map<string, RunRecord['sections'][number]>();
  private readonly series = new RunSeries();
  private timeline: MemorySample[] = [];
  private samplerCostMs = 0;
  private leakChecksCostMs = 0;
  private journalCostMs = 0;
  /** Per segment: its measuring costs so far (a killed segment's last sample says them). */
  private segmentSamplerMs = 0;
  private segmentLeakChecksMs = 0;
  private browser: RunRecord['browser'] = { mode: 'launch', version: 'unknown' };
  private readonly counts: RunRecord['counts'] = { stepsRun: 0, stepsFailed: 0, retries: 0, pagesVisited: 0, records: 0, requestsBlocked: {}, itemsDone: 0, itemsFailed: 0, itemRetries: 0, browserCrashes: 0, pageCrashes: 0, pagesReopened: 0, duplicates: 0 };
  private end: Extract<JournalEntry, { type: 'run-end' }> | undefined;
  /** Total memory of the last sample, read at each item's end for its loop's growth. */
  private lastTotalMb: number | undefined;
  /** Per loop: items ended, and least-squares sums over the total at each end after the warm-up. */
  private readonly loopGrowth = new Map<string, { items: number; fit: RunningSlope }>();

  apply(entry: JournalEntry): void {
    this.entries++;
    const segment = this.segments[this.segments.length - 1];
    if (segment && entry.t > segment.toT) segment.toT = entry.t;
    switch (entry.type) {
      case 'run-start': {
        this.start = entry;
        // Steps are listed depth-first: a step's parent is the last one listed a level up.
        const open: string[] = [];
        for (const step of entry.workflow.steps) {
          open.length = step.depth;
          if (step.depth > 0 && open[step.depth - 1]) this.parents.set(step.id, open[step.depth - 1]);
          open[step.depth] = step.id;
          this.steps.set(step.id, { id: step.id, kind: step.kind, title: step.title, file: step.file, line: step.line, depth: step.depth, container: step.container, runs: 0, failures: 0, skipped: 0, retries: 0, totalMs: 0, maxMs: 0, maxPagesOpen: 0, requestsBlocked: 0 });
        }
        return;
      }
      case 'segment':
        this.closeSegment();
        this.end = undefined;
        this.segments.push({ startedAt: entry.at, fromT: entry.t, toT: entry.t, pid: entry.pid, resumed: entry.resumed, ended: 'running' });
        return;
      case 'browser':
        if (entry.event === 'started' || entry.event === 'restarted') this.browser = { mode: entry.mode ?? this.browser.mode, version: entry.version ?? this.browser.version, executablePath: entry.executablePath };
        if (entry.event === 'crashed' || entry.event === 'page-crashed') {
          if (entry.event === 'crashed') this.counts.browserCrashes++;
          else this.counts.pageCrashes++;
          this.events.push({ type: 'crash', t: entry.t, at: entry.at, what: entry.event === 'crashed' ? 'browser' : 'page', message: entry.reason ?? 'crashed', recovered: false });
        }
        if (entry.event === 'restarted') this.crashRecovered();
        return;
      case 'sample': {
        const { type: _type, samplerCostMs, leakChecksCostMs, ...sample } = entry;
        this.segmentSamplerMs = samplerCostMs;
        this.segmentLeakChecksMs = leakChecksCostMs ?? 0;
        this.series.add(sample);
        this.lastTotalMb = sample.totalPssMb ?? sample.totalRssMb;
        this.counts.pagesVisited = Math.max(this.counts.pagesVisited, sample.pagesVisited ?? 0);
        this.timeline.push(sample);
        if (this.timeline.length >= TIMELINE_SAMPLES * 2) this.thinTimeline();
        return;
      }
      case 'step': {
        this.counts.pagesVisited = Math.max(this.counts.pagesVisited, entry.visited);
        const step = this.steps.get(entry.step);
        if (!step) return;
        if (entry.status === 'skipped') {
          step.skipped++;
          return;
        }
        step.runs++;
        step.retries += entry.retries;
        step.totalMs += entry.ms;
        step.maxMs = Math.max(step.maxMs, entry.ms);
        step.maxPagesOpen = Math.max(step.maxPagesOpen, entry.pagesOpen);
        this.counts.stepsRun++;
        this.counts.retries += entry.retries;
        if (entry.status === 'failed') {
          step.failures++;
          this.counts.stepsFailed++;
          if (entry.item) this.failedInItem(entry.item, { stepId: step.id, undone: false });
        }
        if (entry.beforeMb !== undefined && entry.afterMb !== undefined) {
          const measured = (this.measuredRuns.get(step.id) ?? 0) + 1;
          this.measuredRuns.set(step.id, measured);
          step.memBeforeMb = ((step.memBeforeMb ?? 0) * (measured - 1) + entry.beforeMb) / measured;
          step.memAfterMb = ((step.memAfterMb ?? 0) * (measured - 1) + entry.afterMb) / measured;
          step.deltaMb = (step.deltaMb ?? 0) + (entry.afterMb - entry.beforeMb);
        }
        return;
      }
      case 'item-start':
        if (entry.attempt > 1) {
          this.counts.itemRetries++;
          // The item a crash cut short is being done again: the run recovered from it, and from the failures it caused.
          this.crashRecovered();
          this.undoFailures(entry.item);
        }
        return;
      case 'item-end':
        this.settled(entry.item);
        this.itemEnded(entry.loop);
        if (entry.status === 'done') this.counts.itemsDone++;
        else this.counts.itemsFailed++;
        this.counts.pagesVisited = Math.max(this.counts.pagesVisited, entry.visited);
        this.committed(entry.count, entry.fields, entry.duplicates);
        return;
      case 'records':
        this.committed(entry.count, entry.fields, entry.duplicates);
        return;
      case 'blocked':
        for (const [type, n] of Object.entries(entry.byType)) this.counts.requestsBlocked[type] = (this.counts.requestsBlocked[type] ?? 0) + n;
        // A loop's figures include its steps'.
        for (const [id, n] of Object.entries(entry.byStep)) {
          for (let at: string | undefined = id; at; at = this.parents.get(at)) {
            const step = this.steps.get(at);
            if (step) step.requestsBlocked += n;
          }
        }
        return;
      case 'memory':
        this.events.push(entry.event);
        return;
      case 'failure':
        this.failureCount++;
        if (this.failures.length < MAX_FAILURES) this.failures.push(entry.failure);
        if (entry.failure.item) this.failedInItem(entry.failure.item, { stepId: entry.failure.stepId, failure: entry.failure, undone: false });
        return;
      case 'page-reopened':
        this.counts.pagesReopened++;
        return;
      case 'section':
        this.sections.set(entry.step, { ...entry.section, stepId: entry.step });
        return;
      case 'log':
      case 'note':
      case 'lease':
      case 'merge':
        return;
      case 'run-end':
        this.end = entry;
        this.journalCostMs += entry.journalCostMs;
        this.segmentSamplerMs = entry.samplerCostMs;
        this.segmentLeakChecksMs = entry.leakChecksCostMs ?? 0;
        return;
    }
  }

  result(read: JournalRead, isAlive: (pid: number) => boolean): RunRecord {
    const start = this.start;
    if (!start) throw new Error('the journal has no run-start line: it is not a flow journal, or its first line was lost');
    const last = this.segments[this.segments.length - 1];
    const endedRunning = last && !this.end && isAlive(last.pid);
    this.closeSegment(endedRunning ? 'running' : undefined);
    for (const [stepId, tally] of this.tallies) {
      const empty = [...tally.filled].filter(([, filled]) => filled === 0).map(([field]) => field);
      const step = this.steps.get(stepId);
      if (step && empty.length && tally.records >= EMPTY_FIELD_MIN_RECORDS) step.emptyFields = empty;
    }
    const activeMs = this.segments.reduce((sum, segment) => sum + (segment.toT - segment.fromT), 0);
    const endT = last?.toT ?? 0;
    const status = this.end ? this.end.status : endedRunning ? 'running' : 'killed';
    const error =
      this.end?.error ??
      (status === 'killed' ? `the run stopped without finishing (flow was killed, or the machine stopped) ${clock(endT)} in; continue it with flow resume ${start.runDir}` : undefined);
    if (this.timeline.length > TIMELINE_SAMPLES) this.thinTimeline();
    this.setLoopGrowth();
    const stats = this.series.stats(this.counts.pagesVisited, activeMs, { samplerCostMs: this.samplerCostMs, leakChecksCostMs: this.leakChecksCostMs, journalCostMs: this.journalCostMs });
    const steps = [...this.steps.values()];
    // A journal written before a setting existed has no value for it: the default then.
    const settings = { ...DEFAULT_SETTINGS, ...start.policy.settings };
    const assertions = hasAssertions(settings)
      ? judgeAssertions({ settings, origins: start.policy.origins, steps, workflowFile: start.workflow.file, peakMb: stats?.total.maxMb, measure: this.timeline.some((s) => s.totalPssMb !== undefined) ? 'PSS' : 'RSS' })
      : undefined;
    return {
      format: 'flow-run-record',
      formatVersion: 1,
      flowVersion: start.flowVersion,
      workflow: { name: start.workflow.name, file: start.workflow.file, description: start.workflow.description },
      policy: start.policy,
      browser: this.browser,
      run: {
        id: start.runId,
        dir: start.runDir,
        startedAt: start.at,
        endedAt: this.end?.at,
        durationMs: endT,
        status,
        exitCode: this.end?.exitCode,
        error,
        segments: this.segments,
        activeMs,
      },
      counts: this.counts,
      output: start.output,
      steps,
      failures: this.failures,
      sections: [...this.sections.values()],
      failuresTotal: this.failureCount,
      samples: this.timeline,
      stats,
      events: this.events.sort((a, b) => a.t - b.t),
      ...(assertions && { assertions }),
      samplerCostMs: this.samplerCostMs,
      leakChecksCostMs: this.leakChecksCostMs,
      journalCostMs: this.journalCostMs,
      journal: { entries: this.entries, damagedLines: read.damagedLines, tornLastLine: read.tornLastLine },
    };
  }

  private itemEnded(loop: string): void {
    let growth = this.loopGrowth.get(loop);
    if (!growth) this.loopGrowth.set(loop, (growth = { items: 0, fit: new RunningSlope() }));
    growth.items++;
    const y = this.lastTotalMb;
    if (growth.items <= GROWTH_WARMUP_ITEMS || y === undefined) return;
    growth.fit.add(growth.items, y);
  }

  private setLoopGrowth(): void {
    for (const [loop, { items, fit }] of this.loopGrowth) {
      const step = this.steps.get(loop);
      const slope = fit.slope();
      if (!step || items < GROWTH_MIN_ITEMS || slope === undefined) continue;
      step.growthMbPer100Items = slope * 100;
    }
  }

  /** The last crash not yet recovered from is: the browser is back, or its item is done again. */
  private failedInItem(item: string, failed: { stepId: string; failure?: StepFailure; undone: boolean }): void {
    const parts = item.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      const list = this.inFlight.get(path) ?? [];
      list.push(failed);
      this.inFlight.set(path, list);
    }
  }

  /** An item tried again: the failures of its last attempt did not stand. */
  private undoFailures(item: string): void {
    for (const failed of this.inFlight.get(item) ?? []) {
      if (failed.undone) continue;
      failed.undone = true;
      if (failed.failure) {
        failed.failure.recovered = true;
        continue;
      }
      const step = this.steps.get(failed.stepId);
      if (step) step.failures--;
      this.counts.stepsFailed--;
    }
    this.inFlight.delete(item);
  }

  private settled(item: string): void {
    this.inFlight.delete(item);
  }

  private crashRecovered(): void {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i];
      if (event.type === 'crash' && !event.recovered) {
        event.recovered = true;
        return;
      }
    }
  }

  private committed(count: number, fields: FieldTally, duplicates = 0): void {
    this.counts.records = Math.max(this.counts.records, count);
    this.counts.duplicates += duplicates;
    for (const [stepId, tally] of Object.entries(fields)) {
      let kept = this.tallies.get(stepId);
      if (!kept) this.tallies.set(stepId, (kept = { records: 0, filled: new Map() }));
      kept.records += tally.records;
      for (const [field, n] of Object.entries(tally.filled)) kept.filled.set(field, (kept.filled.get(field) ?? 0) + n);
    }
  }

  /** Ends the current segment's accounting: a segment without run-end was killed, unless its process still runs. */
  private closeSegment(state?: 'running'): void {
    const segment = this.segments[this.segments.length - 1];
    if (!segment || segment.ended !== 'running') return;
    segment.ended = state ?? (this.end ? 'finished' : 'killed');
    this.samplerCostMs += this.segmentSamplerMs;
    this.segmentSamplerMs = 0;
    this.leakChecksCostMs += this.segmentLeakChecksMs;
    this.segmentLeakChecksMs = 0;
  }

  private thinTimeline(): void {
    const totals = this.timeline.map((sample) => sample.totalPssMb ?? sample.totalRssMb);
    this.timeline = minMaxIndices(totals, TIMELINE_SAMPLES).map((i) => this.timeline[i]);
  }
}

/** A process that is alive and is a flow (a pid can be reused by anything after a reboot). */
export function processIsFlow(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return /flow/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
