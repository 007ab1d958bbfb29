import type { MemorySample } from '../memory/types.js';
import type { JsonSchema } from '../runner/json-schema.js';
import type { RecordPolicy, RunEvent, RunStatus, StepFailure, StepRecord } from '../runner/run-record.js';
import type { DatasetFormat } from '../runner/workflow.js';
import type { StepSection } from '../steps/types.js';

/**
 * One line of a run's journal (RUN_DIR/journal.jsonl). The journal is appended to as the run
 * goes and never rewritten: run.json, the report and `--resume` are all derived from it.
 * Every entry has `type` and `t`, milliseconds since the run first started (across resumes, so
 * the time flow was not running shows as a gap). Documented by schemas/journal.schema.json,
 * generated from JOURNAL_SCHEMA below.
 */
export type JournalEntry =
  | RunStartEntry
  | SegmentEntry
  | BrowserEntry
  | SampleEntry
  | StepEntry
  | ItemStartEntry
  | ItemEndEntry
  | RecordsEntry
  | BlockedEntry
  | MemoryEntry
  | FailureEntry
  | LogEntry
  | PageReopenedEntry
  | NoteEntry
  | SectionEntry
  | LeaseEntry
  | MergeEntry
  | RunEndEntry;

/** A step of the workflow as the journal names it: enough to label the report without the workflow file. */
export type JournalStep = Pick<StepRecord, 'id' | 'kind' | 'title' | 'file' | 'line' | 'depth' | 'container'> & {
  /** Hash of the step's kind, parameters and options (nested steps apart): a resumed run must run the same steps. */
  hash: string;
};

/** What `flow run` was given, so `flow resume` can run the same thing again. */
export interface RunArgs {
  vars: Record<string, string>;
  policyFile?: string;
  policyFlags?: Record<string, { value: unknown; flag: string }>;
  headed?: boolean;
  /** `i/N`: this run is shard i of N (`--shard`). */
  shard?: string;
  /** This run is one worker of a queue shared through Redis (`--queue`); the address without its password. */
  queue?: { url: string; name: string; worker: string };
}

export interface RunStartEntry {
  type: 'run-start';
  t: 0;
  at: string;
  flowVersion: string;
  runId: string;
  runDir: string;
  workflow: { name: string; file: string; description?: string; hash: string; shape: string; steps: JournalStep[] };
  policy: RecordPolicy;
  args: RunArgs;
  output: { dataset: string; format: DatasetFormat };
}

/** A flow process starts (or resumes) work on the run. */
export interface SegmentEntry {
  type: 'segment';
  t: number;
  at: string;
  pid: number;
  flowVersion: string;
  resumed: boolean;
}

export interface BrowserEntry {
  type: 'browser';
  t: number;
  at: string;
  event: 'started' | 'crashed' | 'restarted' | 'page-crashed';
  mode?: string;
  version?: string;
  executablePath?: string;
  reason?: string;
}

export type SampleEntry = { type: 'sample'; samplerCostMs: number; leakChecksCostMs?: number } & MemorySample;

export interface StepEntry {
  type: 'step';
  t: number;
  step: string;
  lane: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  retries: number;
  beforeMb?: number;
  afterMb?: number;
  pagesOpen: number;
  visited: number;
  error?: string;
  /** The loop item a failed step ran in: a retry of the item after a crash makes the failure a recovered one. */
  item?: string;
}

export interface ItemStartEntry {
  type: 'item-start';
  t: number;
  /** The loop step's id. */
  loop: string;
  /** Where the item sits: the loop, and every enclosing loop's item, outermost first. Unique in the run. */
  item: string;
  index: number;
  key: string;
  attempt: number;
  /** The queue lease the item runs under (a worker and attempt), when it was taken from a shared queue. */
  lease?: string;
}

/** Records a commit wrote: how many, and how many had each field filled, per step. */
export type FieldTally = Record<string, { records: number; filled: Record<string, number> }>;

export interface ItemEndEntry {
  type: 'item-end';
  t: number;
  loop: string;
  item: string;
  index: number;
  key: string;
  status: 'done' | 'failed';
  attempts: number;
  /** Records the item wrote, written to the dataset just before this entry. */
  records: number;
  /** Records in the dataset, and its length in bytes, once they were written. */
  count: number;
  offset: number;
  fields: FieldTally;
  /** Keys of the records written with `unique`, so a resumed run writes none of them again. */
  keys?: string[];
  /** Records left out because a record with their `unique` key was written before. */
  duplicates?: number;
  visited: number;
  error?: string;
  lease?: string;
}

/**
 * What the shared queue said when a worker completed an item it had committed: won (its lease
 * was still its own) or lost (it ran out and another worker took the item). `flow merge` keeps
 * the records of the attempt that won.
 */
export interface LeaseEntry {
  type: 'lease';
  t: number;
  item: string;
  token: string;
  attempt: number;
  verdict: 'won' | 'lost';
}

/** The merged journal's summary of the merge: what each part gave and what the merged dataset holds. */
export interface MergeEntry {
  type: 'merge';
  t: number;
  mode: 'shard' | 'queue';
  parts: Array<{ label: string; runDir: string; status: string; commits: number; kept: number }>;
  /** Records in the merged dataset, items kept, and commits left out as another part's copy of the same item. */
  records: number;
  itemsDone: number;
  itemsFailed: number;
  duplicates: number;
  offset: number;
}

/** Records written outside any loop item, at once; `unit` names the step and its ordinal so a resumed run does not write them again. */
export interface RecordsEntry {
  type: 'records';
  t: number;
  unit: string;
  records: number;
  count: number;
  offset: number;
  fields: FieldTally;
  keys?: string[];
  duplicates?: number;
}

/** Requests blocked since the last such entry, by resource type and by step. */
export interface BlockedEntry {
  type: 'blocked';
  t: number;
  byType: Record<string, number>;
  byStep: Record<string, number>;
}

export interface MemoryEntry {
  type: 'memory';
  t: number;
  event: RunEvent;
}

export interface FailureEntry {
  type: 'failure';
  t: number;
  failure: StepFailure;
}

export interface LogEntry {
  type: 'log';
  t: number;
  message: string;
  step?: string;
}

/** A page flow had closed (page limit, a memory action, a recycle) opened again at its last URL for a step that needed it. */
export interface PageReopenedEntry {
  type: 'page-reopened';
  t: number;
  step: string;
  url: string;
  reason: string;
}

/**
 * State a control step keeps in the journal to pick up on resume (a crawl's frontier, say):
 * written with the next commit, handed back to the same step in the same loop item by
 * `StepContext.notes()`.
 */
export interface NoteEntry {
  type: 'note';
  t: number;
  step: string;
  /** The item path of the frame the step ran in ('' outside loops). */
  frame: string;
  kind: string;
  data: unknown;
}

/** A control step's figures for the live view and the report (a crawl's counts), whole: the last one of a step stands. */
export interface SectionEntry {
  type: 'section';
  t: number;
  step: string;
  section: StepSection;
}

export interface RunEndEntry {
  type: 'run-end';
  t: number;
  at: string;
  status: Exclude<RunStatus, 'running' | 'killed'>;
  exitCode: number;
  error?: string;
  samplerCostMs: number;
  leakChecksCostMs?: number;
  journalCostMs: number;
}

const t: JsonSchema = { type: 'number', minimum: 0, description: 'Milliseconds since the run first started.' };
const at: JsonSchema = { type: 'string', description: 'Wall-clock time, ISO 8601.' };
const counts: JsonSchema = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };
const fieldTally: JsonSchema = {
  type: 'object',
  description: 'Per step id: records written, and how many had each field filled (an empty field in every record usually means a wrong selector).',
  additionalProperties: { type: 'object', required: ['records', 'filled'], properties: { records: { type: 'integer', minimum: 0 }, filled: counts } },
};
const commit: Record<string, JsonSchema> = {
  records: { type: 'integer', minimum: 0, description: 'Records written by this commit.' },
  count: { type: 'integer', minimum: 0, description: 'Records in the dataset after it.' },
  offset: { type: 'integer', minimum: 0, description: 'Length of the dataset file in bytes after it: a resumed run cuts the dataset back to the last offset the journal holds.' },
  fields: fieldTally,
  keys: { type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{16}$' }, description: 'Keys (hashes of the step and the key fields) of the records written with unique: a resumed run writes none of them again.' },
  duplicates: { type: 'integer', minimum: 1, description: 'Records left out because a record with the same unique key was written before in the run.' },
};

function entry(type: string, description: string, properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['type', 't', ...required],
    properties: { type: { const: type }, t, ...properties },
  };
}

export const JOURNAL_SCHEMA_ID = 'https://flow.dev/schemas/journal.schema.json';

/** The schema of one journal line. */
export function journalSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: JOURNAL_SCHEMA_ID,
    title: 'flow run journal entry',
    description:
      'One line of RUN_DIR/journal.jsonl: the append-only record of a run, from which run.json, the report and --resume are derived. A last line cut short (by a power cut or kill -9) is ignored when the journal is read. In the journal of a merged run (flow merge) every line replayed from the journal of a shard or worker has a part field naming it (shard 2/3, worker host-123), its t on the clock of the merged run.',
    oneOf: [
      entry(
        'run-start',
        'The first line: what ran, under which policy, with which arguments.',
        {
          at,
          flowVersion: { type: 'string' },
          runId: { type: 'string' },
          runDir: { type: 'string' },
          workflow: {
            type: 'object',
            required: ['name', 'file', 'hash', 'shape', 'steps'],
            properties: {
              name: { type: 'string' },
              file: { type: 'string' },
              description: { type: 'string' },
              hash: { type: 'string', description: 'SHA-256 of the workflow file as it was.' },
              shape: { type: 'string', description: "A hash of the workflow's vars and output: a resumed run must have the same." },
              steps: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'kind', 'title', 'file', 'line', 'depth', 'container', 'hash'],
                  properties: {
                    id: { type: 'string' },
                    kind: { type: 'string' },
                    title: { type: 'string' },
                    file: { type: 'string' },
                    line: { type: 'integer' },
                    depth: { type: 'integer' },
                    container: { type: 'boolean' },
                    hash: { type: 'string' },
                  },
                },
              },
            },
          },
          policy: { type: 'object', required: ['name', 'version', 'settings'], description: 'The effective memory policy, with where each setting came from.' },
          args: { type: 'object', required: ['vars'], properties: { vars: { type: 'object', additionalProperties: { type: 'string' } }, policyFile: { type: 'string' }, policyFlags: { type: 'object' }, headed: { type: 'boolean' }, shard: { type: 'string', description: 'i/N: shard i of N.' }, queue: { type: 'object', required: ['url', 'name', 'worker'], description: 'A worker of a shared Redis queue: its address without the password, the queue name, this worker.' } } },
          output: { type: 'object', required: ['dataset', 'format'], properties: { dataset: { type: 'string' }, format: { enum: ['jsonl', 'json', 'csv'] } } },
        },
        ['at', 'flowVersion', 'runId', 'runDir', 'workflow', 'policy', 'args', 'output'],
      ),
      entry('segment', 'A flow process starts work on the run: the first, or one resuming it.', { at, pid: { type: 'integer' }, flowVersion: { type: 'string' }, resumed: { type: 'boolean' } }, ['at', 'pid', 'resumed']),
      entry(
        'browser',
        'The browser started, crashed or was restarted, or a page crashed.',
        { at, event: { enum: ['started', 'crashed', 'restarted', 'page-crashed'] }, mode: { type: 'string' }, version: { type: 'string' }, executablePath: { type: 'string' }, reason: { type: 'string' } },
        ['at', 'event'],
      ),
      entry(
        'sample',
        'A memory sample: flow and every Chromium process, PSS (Linux) with RSS beside it, and per-page metrics.',
        {
          at,
          reason: { enum: ['interval', 'step-start', 'step-end', 'action'] },
          stepId: { type: 'string' },
          runner: { type: 'object', required: ['rssMb', 'heapUsedMb'] },
          processes: { type: 'array', items: { type: 'object', required: ['pid', 'kind', 'rssMb'] } },
          byKind: { type: 'object' },
          totalPssMb: { type: 'number', description: 'PSS over flow and every Chromium process: the total.' },
          totalRssMb: { type: 'number', description: 'RSS summed: counts shared memory once per process, an over-count.' },
          pages: { type: 'array' },
          pagesOpen: { type: 'integer', minimum: 0 },
          pagesVisited: { type: 'integer', minimum: 0 },
          samplerCostMs: { type: 'number', minimum: 0, description: 'What sampling has cost this flow process so far, in ms.' },
          leakChecksCostMs: { type: 'number', minimum: 0, description: "What the leak watch's reads of pages have cost this flow process so far, in ms." },
        },
        ['at', 'reason', 'runner', 'processes', 'byKind', 'totalRssMb', 'pages', 'pagesOpen', 'samplerCostMs'],
      ),
      entry(
        'step',
        'A step ended (passed, failed for good, or skipped by its if:).',
        {
          step: { type: 'string', description: 'The step id.' },
          lane: { type: 'string' },
          status: { enum: ['passed', 'failed', 'skipped'] },
          ms: { type: 'number', minimum: 0 },
          retries: { type: 'integer', minimum: 0 },
          beforeMb: { type: 'number' },
          afterMb: { type: 'number' },
          pagesOpen: { type: 'integer', minimum: 0 },
          visited: { type: 'integer', minimum: 0 },
          error: { type: 'string' },
          item: { type: 'string', description: 'The loop item a failed step ran in.' },
        },
        ['step', 'lane', 'status', 'ms', 'retries', 'pagesOpen', 'visited'],
      ),
      entry(
        'item-start',
        'A loop item started (again, after a crash, when attempt > 1).',
        { loop: { type: 'string' }, item: { type: 'string', description: 'The item path: unique in the run.' }, index: { type: 'integer', minimum: 0 }, key: { type: 'string', description: 'A stable key of the item: a hash of its value.' }, attempt: { type: 'integer', minimum: 1 }, lease: { type: 'string', description: 'The shared-queue lease the item runs under.' } },
        ['loop', 'item', 'index', 'key', 'attempt'],
      ),
      entry(
        'item-end',
        "A loop item finished; its records were written to the dataset just before. A resumed run skips items that have one with status done.",
        { loop: { type: 'string' }, item: { type: 'string' }, index: { type: 'integer' }, key: { type: 'string' }, status: { enum: ['done', 'failed'] }, attempts: { type: 'integer', minimum: 1 }, visited: { type: 'integer', minimum: 0 }, error: { type: 'string' }, lease: { type: 'string' }, ...commit },
        ['loop', 'item', 'index', 'key', 'status', 'attempts', 'records', 'count', 'offset', 'fields', 'visited'],
      ),
      entry('records', 'Records written outside any loop item.', { unit: { type: 'string', description: 'The step and ordinal that wrote them.' }, ...commit }, ['unit', 'records', 'count', 'offset', 'fields']),
      entry('blocked', 'Requests blocked by the policy since the last such line.', { byType: counts, byStep: counts }, ['byType', 'byStep']),
      entry('memory', 'An alert, policy action, garbage collection, recycle or leak finding, with its effect.', { event: { type: 'object', required: ['type', 't', 'at'] } }, ['event']),
      entry('failure', 'A step failed for good: where, why, on which page, with a screenshot.', { failure: { type: 'object', required: ['stepId', 'title', 'file', 'line', 'message', 'at', 'optional'] } }, ['failure']),
      entry('note', "State a control step keeps to pick up on resume (a crawl's frontier): handed back to the same step in the same loop item.", { step: { type: 'string' }, frame: { type: 'string' }, kind: { type: 'string' }, data: {} }, ['step', 'frame', 'kind', 'data']),
      entry(
        'section',
        "A control step's figures, whole (a crawl's counts, pages by depth, failed pages): the report shows the last one of each step.",
        {
          step: { type: 'string' },
          section: {
            type: 'object',
            required: ['counts'],
            properties: {
              counts: { type: 'array', items: { type: 'object', required: ['label', 'value'], properties: { label: { type: 'string' }, value: { type: 'number' } } } },
              rate: { type: 'object', required: ['label', 'value'], properties: { label: { type: 'string' }, value: { type: 'number' } } },
              histogram: { type: 'object', required: ['title', 'bars'], properties: { title: { type: 'string' }, bars: { type: 'array', items: { type: 'object', required: ['label', 'value'] } } } },
              list: { type: 'object', required: ['title', 'rows', 'more'], properties: { title: { type: 'string' }, rows: { type: 'array', items: { type: 'object', required: ['url', 'text'] } }, more: { type: 'integer', minimum: 0 } } },
            },
          },
        },
        ['step', 'section'],
      ),
      entry(
        'lease',
        "A shared queue's verdict on an item this worker committed: won, or lost to a worker that took it after this one's lease ran out. flow merge keeps the winner's records.",
        { item: { type: 'string' }, token: { type: 'string' }, attempt: { type: 'integer', minimum: 1 }, verdict: { enum: ['won', 'lost'] } },
        ['item', 'token', 'attempt', 'verdict'],
      ),
      entry(
        'merge',
        'Written by flow merge, after the lines replayed from each part (each with a part field naming its shard or worker): what each part gave and what the merged dataset holds.',
        {
          mode: { enum: ['shard', 'queue'] },
          parts: { type: 'array', items: { type: 'object', required: ['label', 'runDir', 'status', 'commits', 'kept'] } },
          records: { type: 'integer', minimum: 0 },
          itemsDone: { type: 'integer', minimum: 0 },
          itemsFailed: { type: 'integer', minimum: 0 },
          duplicates: { type: 'integer', minimum: 0, description: "Commits left out: another part's copy of the same item (a worker died after committing, or finished after losing its lease)." },
          offset: { type: 'integer', minimum: 0 },
        },
        ['mode', 'parts', 'records', 'itemsDone', 'itemsFailed', 'duplicates', 'offset'],
      ),
      entry('log', 'Something the run said (an item that failed and was passed over, ...).', { message: { type: 'string' }, step: { type: 'string' } }, ['message']),
      entry('page-reopened', 'A page flow had closed (at the page limit, by a memory action or a recycle) was opened again at its last URL, for a step that reads or acts on it.', { step: { type: 'string' }, url: { type: 'string' }, reason: { type: 'string' } }, ['step', 'url', 'reason']),
      entry(
        'run-end',
        'The run ended. A journal without one belongs to a run that was killed (or is still running).',
        { at, status: { enum: ['passed', 'failed', 'interrupted'] }, exitCode: { type: 'integer' }, error: { type: 'string' }, samplerCostMs: { type: 'number' }, leakChecksCostMs: { type: 'number' }, journalCostMs: { type: 'number' } },
        ['at', 'status', 'exitCode', 'samplerCostMs', 'journalCostMs'],
      ),
    ],
  };
}
