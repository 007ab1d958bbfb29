import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { ItemEndEntry, JournalEntry, RecordsEntry, RunEndEntry, RunStartEntry } from '../journal/entries.js';
import { readJournal } from '../journal/read.js';
import { journalPath } from '../journal/resume.js';
import { openDataset } from '../output/dataset.js';
import { InputError, type Diagnostic } from '../runner/diagnostics.js';
import type { DatasetFormat } from '../runner/workflow.js';
import { shownPath } from '../runner/yaml-source.js';
import { parseCsv } from '../steps/support/csv.js';
import { processIsFlow } from '../journal/reduce.js';

/** One run folder given to `flow merge`: a shard, or a worker of a queue. */
export interface MergePart {
  dir: string;
  /** `shard 2/3`, or `worker host-123`. */
  label: string;
  start: RunStartEntry;
  end?: RunEndEntry;
  /** The part's dataset, found from its folder (shards' folders are often moved, by artifact downloads say). */
  dataset: string;
  /** Where the part's clock stands against the merged run's: its start, in ms after the earliest part's. */
  offsetMs: number;
  commits: Commit[];
}

interface Commit {
  entry: ItemEndEntry | RecordsEntry;
  /** Bytes of the part's dataset the commit wrote. */
  from: number;
  to: number;
  verdict?: 'won' | 'lost';
}

export interface MergePlan {
  mode: 'shard' | 'queue';
  parts: MergePart[];
  /** The commits kept, in the merged dataset's order: by part, then in its journal's order. */
  kept: Array<{ part: MergePart; commit: Commit }>;
  /** Commits of an item or unit another part had committed too (a worker that died after committing, or lost its lease). */
  duplicates: number;
}

/**
 * Reads the parts' journals and decides what the merged run holds. Refused (InputError, exit 2):
 * a folder without a journal, runs of different workflows, a mix of shards and queue workers,
 * shards missing or given twice, and parts that did not finish (a queue worker that was killed
 * is fine: its items went back to the queue, and what it committed is kept unless another
 * attempt won the item).
 */
export function planMerge(dirs: string[]): MergePlan {
  const problems: Diagnostic[] = [];
  const parts: MergePart[] = [];
  for (const dir of dirs.map((d) => resolve(d))) {
    const path = journalPath(dir);
    if (!existsSync(path) || !statSync(path).isFile()) {
      problems.push({ file: shownPath(dir), message: 'this folder holds no run journal (journal.jsonl)', hint: 'give the run folders that flow run --shard (or --queue) printed' });
      continue;
    }
    const part = readPart(dir);
    if (!part) problems.push({ file: shownPath(path), message: 'the journal has no run-start line: it is damaged or not a flow journal' });
    else parts.push(part);
  }
  if (problems.length) throw new InputError(problems);
  if (!parts.length) throw new InputError([{ file: 'command line', message: 'give the run folders to merge' }]);

  const first = parts[0];
  const mode = first.start.args.queue ? 'queue' : 'shard';
  for (const part of parts) {
    const where = shownPath(part.dir);
    if (!part.start.args.shard && !part.start.args.queue) problems.push({ file: where, message: 'this run was neither a shard (--shard) nor a queue worker (--queue): there is nothing to merge it with' });
    else if ((part.start.args.queue ? 'queue' : 'shard') !== mode) problems.push({ file: where, message: `this run is ${part.start.args.queue ? 'a queue worker' : 'a shard'}, and ${shownPath(first.dir)} is ${mode === 'queue' ? 'a queue worker' : 'a shard'}: merge shards with shards, workers with workers` });
    else if (part !== first) problems.push(...sameWorkflow(first, part));
  }
  if (problems.length) throw new InputError(problems.slice(0, 10));

  if (mode === 'shard') checkShards(parts);
  else checkWorkers(parts);
  parts.sort((a, b) => order(a) - order(b) || a.dir.localeCompare(b.dir));
  const earliest = Math.min(...parts.map((part) => Date.parse(part.start.at)));
  for (const part of parts) part.offsetMs = Date.parse(part.start.at) - earliest;
  return choose(mode, parts);
}

function order(part: MergePart): number {
  return part.start.args.shard ? Number(part.start.args.shard.split('/')[0]) : Date.parse(part.start.at);
}

function readPart(dir: string): MergePart | undefined {
  let start: RunStartEntry | undefined;
  let end: RunEndEntry | undefined;
  const commits: Commit[] = [];
  const verdicts = new Map<string, 'won' | 'lost'>();
  let offset = 0;
  for (const entry of readJournal(journalPath(dir))) {
    switch (entry.type) {
      case 'run-start':
        start = entry;
        offset = entry.output.format === 'json' ? 2 : 0;
        break;
      case 'segment':
        end = undefined;
        break;
      case 'item-end':
      case 'records':
        commits.push({ entry, from: offset, to: entry.offset });
        offset = entry.offset;
        break;
      case 'lease':
        verdicts.set(`${entry.item}|${entry.token}`, entry.verdict);
        break;
      case 'run-end':
        end = entry;
        break;
    }
  }
  if (!start) return undefined;
  for (const commit of commits) if (commit.entry.type === 'item-end' && commit.entry.lease) commit.verdict = verdicts.get(`${commit.entry.item}|${commit.entry.lease}`);
  const label = start.args.shard ? `shard ${start.args.shard}` : `worker ${start.args.queue?.worker ?? basename(dir)}`;
  return { dir, label, start, end, dataset: join(dir, relative(start.runDir, start.output.dataset)), offsetMs: 0, commits };
}

/** Same steps, vars and output, as a resume requires: else the records of two workflows would mix. */
function sameWorkflow(first: MergePart, part: MergePart): Diagnostic[] {
  const where = shownPath(part.dir);
  const a = first.start.workflow;
  const b = part.start.workflow;
  const hint = `merge only the runs of one version of ${shownPath(a.file)}`;
  if (a.shape !== b.shape) return [{ file: where, message: `its workflow's vars: or output: differ from those of ${shownPath(first.dir)}`, hint }];
  // By position and hash: the same workflow may lie in other folders on other machines, and step ids hold its path.
  const changed = b.steps.find((step, i) => a.steps[i]?.hash !== step.hash || a.steps[i]?.kind !== step.kind);
  if (changed || a.steps.length !== b.steps.length) return [{ file: where, message: `it ran other steps than ${shownPath(first.dir)}${changed ? ` (the step ${changed.title}, line ${changed.line}, differs)` : ''}: a different workflow or version of it`, hint }];
  if (JSON.stringify(first.start.args.vars) !== JSON.stringify(part.start.args.vars)) return [{ file: where, message: `it ran with other --var values than ${shownPath(first.dir)}`, hint: 'give every shard the same --var values' }];
  if (first.start.args.queue && part.start.args.queue && first.start.args.queue.name !== part.start.args.queue.name) return [{ file: where, message: `it worked on the queue "${part.start.args.queue.name}", and ${shownPath(first.dir)} on "${first.start.args.queue.name}"`, hint: 'merge the workers of one queue' }];
  return [];
}

function checkShards(parts: MergePart[]): void {
  const problems: Diagnostic[] = [];
  const count = Number(parts[0].start.args.shard!.split('/')[1]);
  const seen = new Map<number, MergePart>();
  for (const part of parts) {
    const [index, of] = part.start.args.shard!.split('/').map(Number);
    if (of !== count) problems.push({ file: shownPath(part.dir), message: `this is shard ${index} of ${of}, and ${shownPath(parts[0].dir)} is one of ${count}: shards of different splits cannot be merged` });
    else if (seen.has(index)) problems.push({ file: shownPath(part.dir), message: `shard ${index}/${count} is given twice: here and in ${shownPath(seen.get(index)!.dir)}`, hint: 'give each shard once' });
    else seen.set(index, part);
    problems.push(...unfinished(part, `shard ${index}/${of}`));
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !seen.has(index));
  if (missing.length && !problems.length) problems.push({ file: 'command line', message: `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: the merged run would lack ${missing.length > 1 ? 'their' : 'its'} share of the items`, hint: `give the run folders of all ${count} shards` });
  if (problems.length) throw new InputError(problems.slice(0, 10));
}

function unfinished(part: MergePart, what: string): Diagnostic[] {
  const where = shownPath(part.dir);
  if (part.end?.status === 'passed') return [];
  if (!part.end) {
    const pid = lastPid(part.dir);
    if (pid !== undefined && processIsFlow(pid)) return [{ file: where, message: `${what} is still running (flow, process ${pid})`, hint: 'let it finish, then merge' }];
    return [{ file: where, message: `${what} stopped before it finished (it was killed)`, hint: `finish it with flow resume ${where}, then merge` }];
  }
  return [{ file: where, message: `${what} did not pass (${part.end.status}${part.end.error ? `: ${part.end.error}` : ''}): its share of the items is not all done`, hint: `finish it with flow resume ${where}, then merge` }];
}

function lastPid(dir: string): number | undefined {
  let pid: number | undefined;
  for (const entry of readJournal(journalPath(dir))) if (entry.type === 'segment') pid = entry.pid;
  return pid;
}

/** Workers may have been killed (their leases ran out, others did their items), but one must have seen the queue through to its end. */
function checkWorkers(parts: MergePart[]): void {
  const problems: Diagnostic[] = [];
  for (const part of parts) {
    if (part.end) continue;
    const pid = lastPid(part.dir);
    if (pid !== undefined && processIsFlow(pid)) problems.push({ file: shownPath(part.dir), message: `${part.label} is still running (flow, process ${pid})`, hint: 'let the workers finish, then merge' });
  }
  if (!problems.length && !parts.some((part) => part.end?.status === 'passed')) {
    problems.push({ file: 'command line', message: 'no worker among these finished the queue (none passed): items may still be waiting in it', hint: 'start a worker to finish the queue (flow run FILE --queue URL), then merge every worker\'s folder' });
  }
  if (problems.length) throw new InputError(problems);
}

/**
 * One commit per item and per unit of records outside items. An item committed by more than one
 * worker (one died after committing and before the queue heard of it, or finished after its lease
 * ran out) keeps the attempt the queue named the winner, else the first in merge order; lost
 * attempts are dropped. Records outside items ran on every part alike: the first part's are kept.
 */
function choose(mode: 'shard' | 'queue', parts: MergePart[]): MergePlan {
  const best = new Map<string, { part: MergePart; commit: Commit }>();
  const rank = (commit: Commit) => (commit.verdict === 'won' ? 0 : commit.verdict === undefined ? 1 : 2) + (commit.entry.type === 'item-end' && commit.entry.status === 'failed' ? 3 : 0);
  let total = 0;
  for (const part of parts) {
    for (const commit of part.commits) {
      total++;
      const id = commit.entry.type === 'item-end' ? `item|${commit.entry.item}` : `unit|${commit.entry.unit}`;
      const held = best.get(id);
      if (commit.verdict === 'lost') continue;
      if (!held || rank(commit) < rank(held.commit)) best.set(id, { part, commit });
    }
  }
  const keptSet = new Set([...best.values()].map(({ commit }) => commit));
  const kept = parts.flatMap((part) => part.commits.filter((commit) => keptSet.has(commit)).map((commit) => ({ part, commit })));
  return { mode, parts, kept, duplicates: total - kept.length };
}

/** Writes the merged dataset: the kept commits' records, read back from each part's dataset. */
export function writeMergedDataset(plan: MergePlan, path: string, format: DatasetFormat): { count: number; offset: number } {
  const out = openDataset(path, format);
  const readers = new Map<MergePart, (from: number, to: number) => Record<string, unknown>[]>();
  try {
    for (const { part, commit } of plan.kept) {
      let read = readers.get(part);
      if (!read) readers.set(part, (read = recordReader(part.dataset, format)));
      if (commit.to > commit.from) out.writeBatch(read(commit.from, commit.to));
    }
    return { count: out.count, offset: out.offset };
  } finally {
    out.close();
  }
}

/** Reads the records a commit wrote from the bytes it wrote, in the dataset's format. */
function recordReader(file: string, format: DatasetFormat): (from: number, to: number) => Record<string, unknown>[] {
  if (!existsSync(file)) throw new InputError([{ file: shownPath(file), message: 'the dataset this run\'s journal names is gone', hint: 'merge the run folders as flow left them' }]);
  const size = statSync(file).size;
  const slice = (from: number, to: number) => {
    if (to > size) throw new InputError([{ file: shownPath(file), message: `the dataset is shorter than its journal says (${size} bytes, not ${to}): it was changed since the run` }]);
    const buffer = Buffer.alloc(to - from);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  };
  if (format === 'jsonl') return (from, to) => slice(from, to).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  if (format === 'json') return (from, to) => JSON.parse(`[${slice(from, to).replace(/^,\n/, '')}]`) as Record<string, unknown>[];
  const header = slice(0, Math.min(size, 65536)).split('\r\n')[0];
  return (from, to) => {
    const body = from === 0 ? slice(from, to).slice(header.length + 2) : slice(from, to);
    return parseCsv(`${header}\r\n${body}`).map(({ _extra, ...fields }) => ({ ...fields, ...(_extra ? (JSON.parse(_extra) as Record<string, unknown>) : {}) }));
  };
}

/** The parts' entries for the merged journal: each named by its part (a `part` field), its time on the merged run's clock. */
export function* partEntries(part: MergePart): Generator<JournalEntry & { part: string }> {
  for (const entry of readJournal(journalPath(part.dir))) yield { ...entry, t: entry.t + part.offsetMs, part: part.label } as JournalEntry & { part: string };
}

export function mergedDatasetPath(outDir: string, first: MergePart): string {
  return join(outDir, relative(first.start.runDir, first.start.output.dataset));
}
