/** What kind of process a memory figure belongs to. */
export type ProcessKind = 'runner' | 'browser' | 'renderer' | 'gpu' | 'network' | 'storage' | 'utility' | 'other';

export interface ProcessSample {
  pid: number;
  kind: ProcessKind;
  rssMb: number;
  /** Proportional set size: shared pages split between the processes sharing them. Linux only. */
  pssMb?: number;
}

export interface PageMetrics {
  pageId: string;
  url: string;
  jsHeapUsedMb: number;
  jsHeapTotalMb: number;
  nodes: number;
  listeners: number;
  documents: number;
  frames: number;
  layoutObjects?: number;
}

export interface MemorySample {
  /** Milliseconds since the sampler started. */
  t: number;
  at: string;
  reason: 'interval' | 'step-start' | 'step-end' | 'action';
  stepId?: string;
  runner: { rssMb: number; pssMb?: number; heapUsedMb: number; heapTotalMb: number };
  /** Every Chromium process. */
  processes: ProcessSample[];
  /** Sums by kind, flow itself included as 'runner'. */
  byKind: Partial<Record<ProcessKind, { pssMb?: number; rssMb: number; count: number }>>;
  /** PSS over flow and every Chromium process: the honest total (Linux). */
  totalPssMb?: number;
  /** RSS summed: counts shared memory once per process, an over-count; never called the total. */
  totalRssMb: number;
  pages: PageMetrics[];
  pagesOpen: number;
  /** Pages loaded so far in the run, for growth per page. */
  pagesVisited?: number;
}

/** A sample's total memory: PSS over flow and Chromium, RSS where PSS cannot be read. */
export function totalOf(sample: MemorySample | undefined): number | undefined {
  return sample ? (sample.totalPssMb ?? sample.totalRssMb) : undefined;
}

export interface MemoryStats {
  samples: number;
  minMb: number;
  maxMb: number;
  meanMb: number;
  p95Mb: number;
  firstMb: number;
  lastMb: number;
  growthMb: number;
  slopeMbPerPage?: number;
  slopeMbPerMinute?: number;
  trend: 'rising' | 'flat' | 'falling';
  warmupPages: number;
}
