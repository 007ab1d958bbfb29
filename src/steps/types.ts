import type { Page } from 'playwright-core';
import type { ItemShare, Lease } from '../distribute/types.js';
import type { JsonSchema } from '../runner/json-schema.js';
import type { SourceLocation } from '../runner/source.js';

/** Options every step accepts beside its kind key. */
export interface StepOptions {
  /** Evaluated before the step; when false the step is skipped (and `else` runs). */
  if?: string | boolean;
  else?: StepNode[];
  timeoutMs?: number;
  optional?: boolean;
  retry?: { times: number; delayMs: number };
  label?: string;
}

/** A step as loaded from YAML: its kind, its parameters in full form and where it was written. */
export interface StepNode {
  /** Stable id, whatever folder flow runs from: the file's absolute path and the JSON pointer of the step in it, e.g. `/home/ada/crawl.yaml#/steps/3`. */
  id: string;
  kind: string;
  params: Record<string, unknown>;
  options: StepOptions;
  /** Nested step lists of control steps, by parameter name. */
  blocks: Record<string, StepNode[]>;
  loc: SourceLocation;
  /** A short human description such as `click "Sign in"`. */
  title: string;
}

/**
 * What a control step shows of itself in the live view and the report (a crawl's counts, its
 * pages by depth, its failed pages), given whole each time: the last one given stands.
 */
export interface StepSection {
  /** Figures in the order shown, such as `visited 120`. */
  counts: Array<{ label: string; value: number }>;
  /** A rate, such as `3.4 pages/s`. */
  rate?: { label: string; value: number };
  /** A distribution, such as pages by depth. */
  histogram?: { title: string; bars: Array<{ label: string; value: number }> };
  /** Things worth naming one by one (failed pages), the first few, and how many more there were. */
  list?: { title: string; rows: Array<{ url: string; text: string }>; more: number };
}

export interface DatasetRecord {
  [field: string]: unknown;
}

/** What a step sees while it runs. */
export interface StepContext {
  /** The page of the current lane, opened on first use. */
  page(): Promise<Page>;
  /** The lane's page if one is open, without opening one. */
  currentPage(): Page | undefined;
  /** Looks up a variable through the enclosing scopes. */
  get(name: string): unknown;
  /** Updates a variable where it is defined, or defines it in the innermost scope. */
  set(name: string, value: unknown): void;
  /** Evaluates the expressions in a value (for parameters a step evaluates itself). */
  evaluate(value: unknown, extra?: Record<string, unknown>): unknown;
  /**
   * Adds a record to the dataset. Inside a loop item it is written when the item finishes
   * (an item that fails or is redone after a crash writes nothing twice); elsewhere at once.
   * With `unique` (field names), it is left out when this step wrote a record with the same
   * values of those fields before, anywhere in the run, resumes included.
   */
  emit(record: DatasetRecord, options?: { unique?: string[] }): Promise<void>;
  /**
   * Runs one independent item of a loop (`value` is the item, for its stable key): journaled,
   * skipped when a resumed run already finished it, tried again when the browser crashed
   * during it (the policy's recover.itemRetries). `run` gets the context inside the item.
   * An item taken from `share().queue` passes its lease.
   */
  item(index: number, value: unknown, run: (inside: StepContext) => Promise<void>, lease?: Lease): Promise<'done' | 'skipped'>;
  /**
   * How this loop's items are shared with other flow processes: alone (the default) it does
   * them all; under `--shard` it does those `owns` says; under `--queue` it offers them to a
   * queue shared with other workers and takes from it. Only loops outside any loop item are
   * shared. `limit` caps how many items a queue hands out to all workers together.
   */
  share(options?: { limit?: number }): ItemShare;
  /**
   * Keeps state of a control step in the run's journal (a crawl's frontier), to pick up when
   * the run is resumed. Durable once the next item finishes; give only what a resume needs.
   */
  note(kind: string, data: unknown): void;
  /** The notes this step wrote here (in this loop item) before the run was resumed; none in a new run. */
  notes(): Array<{ kind: string; data: unknown }>;
  /** Runs one round of a sequential loop (repeat), where each round may depend on the last: replayed, not skipped, on resume. */
  round(index: number, run: (inside: StepContext) => Promise<void>): Promise<void>;
  /** Runs a nested list of steps in a new scope holding `vars`, on this lane's page. */
  runBlock(steps: StepNode[], vars?: Record<string, unknown>): Promise<void>;
  /** Runs `fn` in a new lane with a page of its own, closed when `fn` ends however it ends. */
  inNewLane(fn: (lane: StepContext) => Promise<void>, vars?: Record<string, unknown>): Promise<void>;
  /** Loads and validates another workflow file's steps (for `include`). */
  loadSteps(file: string): Promise<{ steps: StepNode[]; params: string[] }>;
  /** The policy's page limit, so control steps can size their parallelism. */
  readonly maxPages: number;
  /** The time limit of the running step, in milliseconds. */
  readonly timeoutMs: number;
  /** Resolves a path written in the workflow, relative to the workflow file's folder. */
  resolvePath(path: string): string;
  /** A path inside this run's folder, for files a step writes (screenshots, ...). */
  runPath(name: string): string;
  log(message: string): void;
  /** Tells the progress view how far a loop has got. */
  progress(done: number, total?: number): void;
  /** Shows the step's figures in the live view, and keeps them in the journal for the report. */
  report(section: StepSection): void;
  readonly signal: AbortSignal;
}

/** What a step kind's module exports: one module per kind in `src/steps/`. */
export interface StepModule<P = Record<string, unknown>> {
  /** The key that names the step in YAML, e.g. `click`. */
  kind: string;
  /** One line for the docs and the editor's hover help. */
  summary: string;
  /** Schema of the value under the kind key, terse forms included. */
  schema: JsonSchema;
  /** Values as an author writes them under the kind key. */
  examples: unknown[];
  /** Turns the terse form (`- click: "Sign in"`) into the full parameter object. */
  normalize?(value: unknown): Record<string, unknown>;
  /** Parameters holding nested step lists. */
  blocks?: readonly string[];
  /** Parameters whose expressions the step evaluates itself, at the right moment. */
  lazy?: readonly string[];
  /** Variables the step defines for the steps after it. */
  defines?(params: Record<string, unknown>): string[];
  /** Variables visible inside the step's blocks only (a loop's item, for instance). */
  scope?(params: Record<string, unknown>): string[];
  /** The files the step reads are workflows: validated with the one that names them, and checked for include loops. */
  readsWorkflows?: boolean;
  /** Files the step reads, for validation before the run (paths as written). */
  files?(params: Record<string, unknown>): string[];
  /**
   * The step only reads or waits and cannot make a page open another (wait, extract, assert,
   * ...): a popup that shows up while it runs was opened by the step before it.
   */
  passive?: boolean;
  /**
   * The step loads a new document into its page first thing: a page closed to save memory
   * need not be brought back to its last URL before it runs.
   */
  navigates?: boolean;
  /**
   * The step needs what pages look like, not only their text (a screenshot): with it in a
   * workflow, a memory budget never blocks images, media or fonts on its own.
   */
  needsPixels?: boolean;
  /**
   * The fields of the records the step adds to the dataset, so a CSV's columns are known before
   * its first record. A step without it adds none; one returning undefined adds records whose
   * fields show only at run time (an include), and the CSV then gets an `_extra` column.
   */
  records?(params: Record<string, unknown>): string[] | undefined;
  /** A short description of a configured step, e.g. `click "Sign in"`. */
  title?(params: Record<string, unknown>): string;
  /**
   * Problems in the parameters that the schema cannot express (a field named that the step
   * does not have), found by `flow validate` before the run; `at` is the path below the step's
   * value where to point.
   */
  problems?(params: Record<string, unknown>): Array<{ at: Array<string | number>; message: string; hint?: string }>;
  run(params: P, ctx: StepContext, node: StepNode): Promise<void>;
}

export function defineStep<P>(module: StepModule<P>): StepModule<P> {
  return module;
}
