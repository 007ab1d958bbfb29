import type { RunRecord, RunStats } from '../runner/run-record.js';
import { memoryStats } from './stats.js';
import type { MemorySample, ProcessKind } from './types.js';

const KINDS: ProcessKind[] = ['runner', 'browser', 'renderer', 'gpu', 'network', 'storage', 'utility', 'other'];

/** Statistics over a finished run's samples: the total, flow itself, and each process kind. */
export function runStats(record: RunRecord, samplerCostMs: number): RunStats {
  const samples = record.samples;
  const series = (pick: (sample: MemorySample) => number | undefined) =>
    samples.flatMap((sample) => {
      const mb = pick(sample);
      return mb === undefined ? [] : [{ t: sample.t, mb, pages: sample.pagesVisited }];
    });
  const byKind: RunStats['byKind'] = {};
  for (const kind of KINDS) {
    const kindSeries = series((s) => (s.byKind[kind] ? (s.byKind[kind]!.pssMb ?? s.byKind[kind]!.rssMb) : undefined));
    if (kindSeries.length) byKind[kind] = memoryStats(kindSeries);
  }
  const durationMs = Math.max(1, Date.now() - Date.parse(record.run.startedAt));
  return {
    total: memoryStats(series((s) => s.totalPssMb ?? s.totalRssMb)),
    runner: memoryStats(series((s) => s.runner.pssMb ?? s.runner.rssMb)),
    byKind,
    pagesPerSecond: record.counts.pagesVisited / (durationMs / 1000),
    samplerOverheadPct: (samplerCostMs / durationMs) * 100,
  };
}
