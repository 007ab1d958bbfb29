import type { MemorySample, MemoryStats } from '../memory/types.js';
import type { EffectivePolicy } from '../policy/resolve.js';
import type { MemoryAction } from '../policy/settings.js';
import type { DatasetFormat } from './workflow.js';

/**
 * Everything a run leaves behind besides its dataset: written to `run.json` in the run folder
 * as the run goes, read back by `flow report` and `flow compare`. Documented by
 * schemas/run-record.schema.json.
 */
export interface RunRecord {
  format: 'flow-run-record';
  formatVersion: 1;
  flowVersion: string;
  workflow: { name: string; file: string; description?: string };
  policy: Pick<EffectivePolicy, 'name' | 'version' | 'file' | 'hash' | 'chain' | 'settings' | 'origins'>;
  browser: { mode: string; version: string; executablePath?: string };
  run: {
    id: string;
    dir: string;
    startedAt: string;
    endedAt?: string;
    durationMs?: number;
    status: RunStatus;
    exitCode?: number;
    /** Why the run failed or stopped, in plain words. */
    error?: string;
  };
  counts: {
    stepsRun: number;
    stepsFailed: number;
    retries: number;
    pagesVisited: number;
    records: number;
    requestsBlocked: Record<string, number>;
  };
  output: { dataset: string; format: DatasetFormat };
  /** One entry per step of the workflow, aggregated over every time it ran. */
  steps: StepRecord[];
  failures: StepFailure[];
  samples: MemorySample[];
  stats?: RunStats;
  events: RunEvent[];
  /** Time spent sampling memory, to report the sampler's overhead. */
  samplerCostMs: number;
}

export type RunStatus = 'running' | 'passed' | 'failed' | 'interrupted';

export interface StepRecord {
  id: string;
  kind: string;
  title: string;
  file: string;
  line: number;
  /** Nesting depth, for indenting the step table. */
  depth: number;
  /** A control step (loop, block): its figures include its nested steps'. */
  container: boolean;
  runs: number;
  failures: number;
  skipped: number;
  retries: number;
  totalMs: number;
  maxMs: number;
  /** Total memory (PSS where available) around the step: mean before and after, in MB. */
  memBeforeMb?: number;
  memAfterMb?: number;
  /** Sum over runs of (after - before). */
  deltaMb?: number;
  /** Fields empty in every record the step wrote (3 or more): most likely a selector that matches nothing. */
  emptyFields?: string[];
  maxPagesOpen: number;
  requestsBlocked: number;
}

export interface StepFailure {
  stepId: string;
  title: string;
  file: string;
  line: number;
  url?: string;
  message: string;
  screenshot?: string;
  at: string;
  optional: boolean;
}

export interface RunStats {
  total: MemoryStats;
  runner: MemoryStats;
  byKind: Record<string, MemoryStats>;
  pagesPerSecond: number;
  samplerOverheadPct: number;
}

export type RunEvent =
  | { type: 'alert'; t: number; at: string; level: 'warn' | 'limit'; mb: number; thresholdMb: number; message: string }
  | { type: 'action'; t: number; at: string; action: MemoryAction | 'trim-cache' | 'clear-cache'; reason: string; beforeMb?: number; afterMb?: number; durationMs?: number; effect: string }
  | { type: 'leak'; t: number; at: string; kind: LeakKind; stepId?: string; file?: string; line?: number; message: string; amount: number }
  | { type: 'recycle'; t: number; at: string; what: 'context' | 'browser'; reason: string; durationMs: number; beforeMb?: number; afterMb?: number }
  | { type: 'gc'; t: number; at: string; reason: string; beforeMb?: number; afterMb?: number; pages: number; jsHeapBeforeMb?: number; jsHeapAfterMb?: number };

export type LeakKind = 'unclosed-pages' | 'listeners' | 'dom-nodes' | 'page-heap' | 'runner-heap' | 'step-retained';
