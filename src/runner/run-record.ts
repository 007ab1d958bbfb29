import type { MemoryAssertion } from '../memory/assertions.js';
import type { MemorySample, MemoryStats } from '../memory/types.js';
import type { EffectivePolicy } from '../policy/resolve.js';
import type { MemoryAction, ResourceType } from '../policy/settings.js';
import type { StepSection } from '../steps/types.js';
import type { DatasetFormat } from './workflow.js';

export type RecordPolicy = Pick<EffectivePolicy, 'name' | 'version' | 'file' | 'hash' | 'chain' | 'settings' | 'origins'>;

/**
 * A run as its journal tells it (see journal/reduce.ts): `run.json` in the run folder holds it
 * without `samples`; the report gets the samples too, thinned to what a chart can show.
 * Documented by schemas/run-record.schema.json.
 */
export interface RunRecord {
  format: 'flow-run-record';
  formatVersion: 1;
  flowVersion: string;
  workflow: { name: string; file: string; description?: string };
  policy: RecordPolicy;
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
    /** Each flow process that worked on the run: more than one when it was resumed. */
    segments: RunSegment[];
    /** Milliseconds flow was running, gaps between segments left out. */
    activeMs: number;
  };
  counts: {
    stepsRun: number;
    stepsFailed: number;
    retries: number;
    pagesVisited: number;
    records: number;
    requestsBlocked: Record<string, number>;
    itemsDone: number;
    itemsFailed: number;
    /** Item attempts made again after a crash. */
    itemRetries: number;
    browserCrashes: number;
    pageCrashes: number;
    /** Pages flow had closed (page limit, memory action, recycle) and opened again for a step that needed them. */
    pagesReopened: number;
    /** Records left out because one with the same `unique` key was written before. */
    duplicates: number;
  };
  output: { dataset: string; format: DatasetFormat };
  /** One entry per step of the workflow, aggregated over every time it ran. */
  steps: StepRecord[];
  failures: StepFailure[];
  /** The figures control steps gave of themselves (a crawl's), the last of each step, in the order the steps first gave them. */
  sections: Array<StepSection & { stepId: string }>;
  /** Failures in all: the list holds the first thousand. */
  failuresTotal: number;
  samples: MemorySample[];
  stats?: RunStats;
  events: RunEvent[];
  /** The policy's memory assertions (budgets, maxPeakMb, maxGrowthMbPer100Items), judged on the run; absent when it has none. */
  assertions?: MemoryAssertion[];
  /** What sampling memory cost, in ms (see docs/policy.md, "What sampling costs"). */
  samplerCostMs: number;
  /** What the leak watch's reads of pages cost, in ms; absent in records of flow before it was counted. */
  leakChecksCostMs?: number;
  /** CPU time spent writing the journal. */
  journalCostMs: number;
  /** Journal lines that could not be read (damaged), and whether its last line was cut short. */
  journal: { entries: number; damagedLines: number; tornLastLine: boolean };
  /** A merged run (flow merge): each shard or worker as its own journal tells it, times on the merged run's clock. */
  parts?: Array<{ label: string; record: RunRecord }>;
  /** A merged run: how it was merged. */
  merge?: { mode: 'shard' | 'queue'; duplicates: number };
}

/** `killed`: the journal has no end and no flow process is working on it (kill -9, a power cut). */
export type RunStatus = 'running' | 'passed' | 'failed' | 'interrupted' | 'killed';

export interface RunSegment {
  startedAt: string;
  /** Milliseconds since the run started: when this segment began and when its last entry was written. */
  fromT: number;
  toT: number;
  pid: number;
  resumed: boolean;
  /** How it ended: with the run's end, or killed (its journal just stops). */
  ended: 'finished' | 'killed' | 'running';
}

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
  /** Loops of 20 items or more: the least-squares slope of total memory at each item's end, after 10 warm-up items, per 100 items (MB). */
  growthMbPer100Items?: number;
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
  /** The loop item it failed in (its journal path), when in one. */
  item?: string;
  /** The item was done again after a crash, so this failure did not stand. */
  recovered?: boolean;
}

export interface RunStats {
  total: MemoryStats;
  runner: MemoryStats;
  byKind: Record<string, MemoryStats>;
  pagesPerSecond: number;
  samplerOverheadPct: number;
  /** What the leak watch's reads of pages cost, as a share of the run; absent in records of flow before it was counted. */
  leakChecksOverheadPct?: number;
  /** CPU time spent writing the journal, as a share of the time flow ran. */
  journalOverheadPct: number;
}

export type RunEvent =
  | { type: 'alert'; t: number; at: string; level: 'warn' | 'limit'; mb: number; thresholdMb: number; message: string }
  | { type: 'action'; t: number; at: string; action: MemoryAction | 'trim-cache' | 'clear-cache'; reason: string; beforeMb?: number; afterMb?: number; durationMs?: number; effect: string }
  | { type: 'leak'; t: number; at: string; kind: LeakKind; stepId?: string; file?: string; line?: number; message: string; amount: number }
  | { type: 'recycle'; t: number; at: string; what: 'context' | 'browser'; reason: string; durationMs: number; beforeMb?: number; afterMb?: number }
  | { type: 'gc'; t: number; at: string; reason: string; beforeMb?: number; afterMb?: number; pages: number; jsHeapBeforeMb?: number; jsHeapAfterMb?: number; durationMs?: number }
  | { type: 'crash'; t: number; at: string; what: 'browser' | 'page'; message: string; recovered: boolean }
  | BudgetEvent;

/**
 * A decision of the budget controller: the budget itself when the run starts (`what: budget`,
 * with where it came from), each change of how many pages run at once, and the block of
 * images, media and fonts when pages cost too much for concurrency to help (`what: block`),
 * with the figures behind it. Its garbage collections and recycles are gc and recycle events,
 * their reason carrying the figures.
 */
export type BudgetEvent = BudgetChange | BudgetBlock;

interface BudgetDecision {
  type: 'budget';
  t: number;
  at: string;
  reason: string;
  budgetMb: number;
  totalMb?: number;
  freeMb?: number;
  perPageMb?: number;
}

export interface BudgetChange extends BudgetDecision {
  what: 'budget' | 'concurrency';
  from?: number;
  to: number;
}

/** The budget blocks resource types from then on: in pages opened after, and in those open. */
export interface BudgetBlock extends BudgetDecision {
  what: 'block';
  types: ResourceType[];
}

export type LeakKind = 'unclosed-pages' | 'listeners' | 'dom-nodes' | 'page-heap' | 'runner-heap' | 'step-retained' | 'retained-documents' | 'uncollected' | 'heap-snapshot';
