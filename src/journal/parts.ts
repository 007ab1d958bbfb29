import type { RunRecord, StepRecord } from '../runner/run-record.js';
import type { MergeEntry } from './entries.js';

/** Failures listed one by one, as in a single run. */
const MAX_FAILURES = 1000;

/**
 * The totals of a merged run from its parts, each reduced from its own lines of the merged
 * journal: counts and step figures added up, records and items as the merge kept them (an item
 * two workers committed counts once), events and failures together on the merged clock. Memory
 * is not added up: the parts ran on machines of their own, so each keeps its own timeline and
 * statistics.
 */
export function combineParts(merged: RunRecord, parts: Array<{ label: string; record: RunRecord }>, merge: MergeEntry): RunRecord {
  const records = parts.map((part) => part.record);
  const counts = { ...merged.counts };
  for (const record of records) {
    for (const key of ['stepsRun', 'stepsFailed', 'retries', 'pagesVisited', 'itemRetries', 'browserCrashes', 'pageCrashes'] as const) counts[key] += record.counts[key];
    for (const [type, n] of Object.entries(record.counts.requestsBlocked)) counts.requestsBlocked[type] = (counts.requestsBlocked[type] ?? 0) + n;
  }
  counts.records = merge.records;
  counts.itemsDone = merge.itemsDone;
  counts.itemsFailed = merge.itemsFailed;
  // By position: the parts ran the same steps (merge checks their hashes), from files that may lie elsewhere on each machine.
  const steps = merged.steps.map((step, i) => combineSteps(step, records.map((record) => record.steps[i])));
  const failures = records.flatMap((record) => record.failures);
  const endT = Math.max(0, ...records.map((record) => record.run.durationMs ?? 0));
  return {
    ...merged,
    browser: records[0]?.browser ?? merged.browser,
    // Each part's flow processes are in its own record: side by side, they are not resumes of one another.
    run: { ...merged.run, durationMs: endT, activeMs: records.reduce((sum, record) => sum + record.run.activeMs, 0) },
    counts,
    steps,
    failures: failures.slice(0, MAX_FAILURES),
    failuresTotal: records.reduce((sum, record) => sum + record.failuresTotal, 0),
    events: records.flatMap((record) => record.events).sort((a, b) => a.t - b.t),
    samplerCostMs: records.reduce((sum, record) => sum + record.samplerCostMs, 0),
    leakChecksCostMs: records.reduce((sum, record) => sum + (record.leakChecksCostMs ?? 0), 0),
    journalCostMs: records.reduce((sum, record) => sum + record.journalCostMs, 0),
    parts,
    merge: { mode: merge.mode, duplicates: merge.duplicates },
  };
}

function combineSteps(step: StepRecord, runs: Array<StepRecord | undefined>): StepRecord {
  const found = runs.filter((run): run is StepRecord => run !== undefined);
  const sum = (pick: (run: StepRecord) => number) => found.reduce((total, run) => total + pick(run), 0);
  return {
    ...step,
    runs: sum((run) => run.runs),
    failures: sum((run) => run.failures),
    skipped: sum((run) => run.skipped),
    retries: sum((run) => run.retries),
    totalMs: sum((run) => run.totalMs),
    maxMs: Math.max(0, ...found.map((run) => run.maxMs)),
    maxPagesOpen: Math.max(0, ...found.map((run) => run.maxPagesOpen)),
    requestsBlocked: sum((run) => run.requestsBlocked),
  };
}
