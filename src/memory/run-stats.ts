import type { RunStats } from '../runner/run-record.js';
import { memoryStats, type SeriesPoint } from './stats.js';
import type { MemorySample, ProcessKind } from './types.js';

const KINDS: ProcessKind[] = ['runner', 'browser', 'renderer', 'gpu', 'network', 'storage', 'utility', 'other'];

/**
 * Collects a run's memory series sample by sample, and turns them into statistics: the
 * total, flow itself, and each process kind. Three numbers a sample and series, whatever the
 * sample held.
 */
export class RunSeries {
  private readonly total: SeriesPoint[] = [];
  private readonly runner: SeriesPoint[] = [];
  private readonly byKind = new Map<ProcessKind, SeriesPoint[]>();

  add(sample: MemorySample): void {
    const point = (mb: number | undefined, into: SeriesPoint[]) => mb !== undefined && into.push({ t: sample.t, mb, pages: sample.pagesVisited });
    point(sample.totalPssMb ?? sample.totalRssMb, this.total);
    point(sample.runner.pssMb ?? sample.runner.rssMb, this.runner);
    for (const kind of KINDS) {
      const entry = sample.byKind[kind];
      if (!entry) continue;
      let series = this.byKind.get(kind);
      if (!series) this.byKind.set(kind, (series = []));
      point(entry.pssMb ?? entry.rssMb, series);
    }
  }

  stats(pagesVisited: number, activeMs: number, costs: { samplerCostMs: number; leakChecksCostMs: number; journalCostMs: number }): RunStats {
    const byKind: RunStats['byKind'] = {};
    for (const kind of KINDS) {
      const series = this.byKind.get(kind);
      if (series?.length) byKind[kind] = memoryStats(series);
    }
    const seconds = Math.max(1, activeMs) / 1000;
    return {
      total: memoryStats(this.total),
      runner: memoryStats(this.runner),
      byKind,
      pagesPerSecond: pagesVisited / seconds,
      samplerOverheadPct: (costs.samplerCostMs / (seconds * 1000)) * 100,
      leakChecksOverheadPct: (costs.leakChecksCostMs / (seconds * 1000)) * 100,
      journalOverheadPct: (costs.journalCostMs / (seconds * 1000)) * 100,
    };
  }
}
