import { createHash } from 'node:crypto';
import type { BrowserSession } from '../browser/session.js';
import type { FieldTally } from '../journal/entries.js';
import type { JournalWriter } from '../journal/writer.js';
import type { Lease } from '../distribute/types.js';
import type { DatasetWriter } from '../output/dataset.js';
import { HashSet64 } from '../steps/support/hash-set.js';
import type { DatasetRecord, StepNode } from '../steps/types.js';
import { InterruptedError, plainMessage } from './errors.js';
import type { RunEvents } from './events.js';

/**
 * Where a step runs: the run itself, an item of a loop, or a round of a sequential loop. An
 * item's records wait in `pending` until it finishes and are then written, with the journal
 * line saying so, in one go: an item that did not finish wrote nothing, so redoing it after a
 * crash or a resume cannot write a record twice. Outside items records are written at once,
 * each named by a unit key (the frame, the step, how many it wrote before) so a resumed run
 * that runs those steps again does not write them again.
 */
export interface ItemFrame {
  /** '' for the run; `s3:9f86d081884c7d65` for an item of loop s3; nested frames append `/...`. */
  readonly path: string;
  readonly pending?: { records: PendingRecord[] };
  /** Emissions per step in this frame, for unit keys. */
  readonly emitted: Map<string, number>;
}

/** A record waiting for its item to finish, with the step that made it and its `unique` key. */
interface PendingRecord {
  record: DatasetRecord;
  step: StepNode;
  key?: string;
}

/** What a resumed run knows from its journal. */
export interface ResumeLedger {
  /** Items that finished (done): skipped. */
  finished: Set<string>;
  /** Records already written outside items: not written again. */
  committedUnits: Set<string>;
  /** Notes control steps left, by `${frame}|${step id}`. */
  notes: Map<string, Array<{ kind: string; data: unknown }>>;
  /** Keys of the records written with `unique` (recordKey), so none is written again. */
  uniqueKeys: HashSet64;
}

export interface ItemSettings {
  /** Attempts of an item after the first, when the browser or its page crashed during it. */
  itemRetries: number;
}

export interface ItemLedgerServices {
  dataset: DatasetWriter;
  journal: JournalWriter;
  events: RunEvents;
  session: BrowserSession;
  settings: ItemSettings;
  resume?: ResumeLedger;
  /** A short, stable name for a step in item paths: its position in the workflow. */
  shortId(step: StepNode): string;
  /** The address of the folder flow serves, which changes from run to run: left out of record keys. */
  servedUrl?: string;
  signal: AbortSignal;
  /** A record could not be written (the disk is full): the run must stop, whatever the loop's continueOnError says. */
  onFatal(error: unknown): void;
}

/** The frame of a run's own steps, outside any loop. */
export function rootFrame(): ItemFrame {
  return { path: '', emitted: new Map() };
}

/**
 * A stable key for an item's value: the same value gives the same key on every run. The
 * address of the folder flow serves changes from run to run (a free port), so it is left out.
 */
export function itemKey(value: unknown, servedUrl?: string): string {
  const json = stableJson(value);
  return createHash('sha256')
    .update(servedUrl ? json.replaceAll(servedUrl, '${{ serve.url }}') : json)
    .digest('hex')
    .slice(0, 16);
}

/**
 * The key of a record for `unique`: a hash of the step (its short id) and the values of the key
 * fields (the served folder's address, which changes from run to run, left out), 16 hex
 * digits. The journal keeps it with the commit that wrote the record, which is
 * how uniqueness holds across the whole run, resumes included.
 */
export function recordKey(stepShortId: string, record: DatasetRecord, fields: string[], servedUrl?: string): string {
  const json = stableJson(fields.map((field) => record[field] ?? null));
  return createHash('sha256')
    .update(`${stepShortId}\0${servedUrl ? json.replaceAll(servedUrl, '${{ serve.url }}') : json}`)
    .digest('hex')
    .slice(0, 16);
}

/** A key as the two words HashSet64 holds; the low word is made non-zero. */
export function keyWords(key: string): [number, number] {
  return [parseInt(key.slice(0, 8), 16), parseInt(key.slice(8, 16), 16) || 1];
}

export class ItemLedger {
  /** Keys of every record written with `unique` in this run, resumes included. */
  private readonly uniqueKeys: HashSet64;

  constructor(private readonly services: ItemLedgerServices) {
    this.uniqueKeys = services.resume?.uniqueKeys ?? new HashSet64();
  }

  /** A round of a sequential loop (repeat): replayed on resume, since each round may depend on the one before. */
  roundFrame(parent: ItemFrame, loop: StepNode, round: number): ItemFrame {
    return { path: `${parent.path}${parent.path ? '/' : ''}${this.services.shortId(loop)}:r${round}`, pending: parent.pending, emitted: new Map() };
  }

  /** The loop's name in item paths and in a shared queue: its position in the workflow, the same on every machine. */
  shortId(step: StepNode): string {
    return this.services.shortId(step);
  }

  /**
   * Runs one item of a loop: journaled, skipped when a resumed run had finished it, tried
   * again when the browser or its page crashed during it, its records written when it ends.
   * An item taken from a shared queue comes with its lease: completed in the queue once the
   * records are committed here, and the queue's verdict (won, or lost to another worker that
   * took the item after this one's lease ran out) journaled, for `flow merge` to keep one.
   */
  async runItem(parent: ItemFrame, loop: StepNode, index: number, key: string, run: (frame: ItemFrame) => Promise<void>, lease?: Lease): Promise<'done' | 'skipped'> {
    const { journal, session, settings, signal } = this.services;
    const item = `${parent.path}${parent.path ? '/' : ''}${this.services.shortId(loop)}:${key}`;
    if (this.services.resume?.finished.has(item)) return 'skipped';
    const token = lease && { lease: lease.token };
    for (let attempt = 1; ; attempt++) {
      const crashes = session.crashCount;
      journal.append({ type: 'item-start', loop: loop.id, item, index, key, attempt, ...token });
      const frame: ItemFrame = { path: item, pending: { records: [] }, emitted: new Map() };
      try {
        await run(frame);
      } catch (error) {
        if (error instanceof InterruptedError || signal.aborted) {
          await lease?.release().catch(() => undefined);
          throw signal.reason ?? error;
        }
        const crashed = await session.crashedSince(crashes);
        if (crashed && attempt <= settings.itemRetries) {
          this.services.events.emit('log', { message: `item ${index + 1} is tried again (attempt ${attempt + 1} of ${settings.itemRetries + 1}): the ${crashed} crashed while it ran` });
          continue;
        }
        const message = plainMessage(error);
        this.commit(frame, (written) => ({ type: 'item-end', loop: loop.id, item, index, key, status: 'failed', attempts: attempt, ...written, records: 0, visited: session.visited, error: message, ...token }), false);
        await this.completeLease(item, lease);
        throw error;
      }
      this.commit(frame, (written) => ({ type: 'item-end', loop: loop.id, item, index, key, status: 'done', attempts: attempt, ...written, visited: session.visited, ...token }), true);
      await this.completeLease(item, lease);
      session.snapshotStorage();
      return 'done';
    }
  }

  /** After the commit, never before: a worker that dies in between left records the queue never counted, and merge keeps one copy. */
  private async completeLease(item: string, lease: Lease | undefined): Promise<void> {
    if (!lease) return;
    const verdict = await lease.complete();
    this.services.journal.commit({ type: 'lease', item, token: lease.token, attempt: lease.attempt, verdict });
    if (verdict === 'lost') this.services.events.emit('log', { message: `item ${lease.index + 1} was finished here after its lease ran out and another worker took it: the merge keeps the other worker's records` });
  }

  /** Keeps a control step's state in the journal, durable with the next commit. */
  note(frame: ItemFrame, step: StepNode, kind: string, data: unknown): void {
    this.services.journal.append({ type: 'note', step: step.id, frame: frame.path, kind, data });
  }

  /** The notes a step left in this frame before the run was resumed. */
  notes(frame: ItemFrame, step: StepNode): Array<{ kind: string; data: unknown }> {
    return this.services.resume?.notes.get(`${frame.path}|${step.id}`) ?? [];
  }

  /**
   * A record a step extracted: kept with its item, or written at once outside items. With
   * `unique` (field names), a record whose key was written before in the run is left out.
   */
  emit(frame: ItemFrame, step: StepNode, record: DatasetRecord, unique?: string[]): void {
    const key = unique?.length ? recordKey(this.services.shortId(step), record, unique, this.services.servedUrl) : undefined;
    if (frame.pending) {
      frame.pending.records.push({ record, step, key });
      return;
    }
    const n = frame.emitted.get(step.id) ?? 0;
    frame.emitted.set(step.id, n + 1);
    const unit = `${frame.path}|${this.services.shortId(step)}#${n}`;
    if (this.services.resume?.committedUnits.has(unit)) return;
    const kept = this.fresh([{ record, step, key }]);
    if (!kept.records.length) return;
    const written = this.durably(() => {
      const written = this.services.dataset.writeBatch([record]);
      this.services.journal.commit({ type: 'records', unit, records: 1, ...written, fields: kept.fields, ...kept.unique });
      return written;
    });
    this.services.events.emit('record', { count: written.count, added: { [step.id]: 1 } });
  }

  /**
   * The records to write: those with a key already written are left out (counted), and the
   * keys of the rest are taken. Called only where the records are then written, at once.
   */
  private fresh(pending: PendingRecord[]): { records: DatasetRecord[]; fields: FieldTally; unique: { keys?: string[]; duplicates?: number } } {
    const records: DatasetRecord[] = [];
    const fields: FieldTally = {};
    const keys: string[] = [];
    let duplicates = 0;
    for (const { record, step, key } of pending) {
      if (key !== undefined) {
        if (!this.uniqueKeys.add(...keyWords(key))) {
          duplicates++;
          continue;
        }
        keys.push(key);
      }
      records.push(record);
      tally(fields, step, record);
    }
    return { records, fields, unique: { ...(keys.length && { keys }), ...(duplicates && { duplicates }) } };
  }

  /** Writes an item's records (when it succeeded) and then the journal line that says so, at once. */
  private commit(frame: ItemFrame, entry: (written: { records: number; count: number; offset: number; fields: FieldTally; keys?: string[]; duplicates?: number }) => Parameters<JournalWriter['commit']>[0], keep: boolean): void {
    const kept = keep ? this.fresh(frame.pending!.records) : { records: [], fields: {}, unique: {} };
    const written = this.durably(() => {
      const written = this.services.dataset.writeBatch(kept.records);
      this.services.journal.commit(entry({ records: kept.records.length, ...written, fields: kept.fields, ...kept.unique }));
      return written;
    });
    if (kept.records.length) this.services.events.emit('record', { count: written.count, added: Object.fromEntries(Object.entries(kept.fields).map(([id, entry]) => [id, entry.records])) });
  }

  /** A write the disk refused stops the run: going on would lose what the next items extract. */
  private durably<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      this.services.onFatal(error);
      throw error;
    }
  }
}

function tally(fields: FieldTally, step: StepNode, record: DatasetRecord): void {
  const entry = (fields[step.id] ??= { records: 0, filled: {} });
  entry.records++;
  for (const [field, value] of Object.entries(record)) entry.filled[field] = (entry.filled[field] ?? 0) + (isEmpty(value) ? 0 : 1);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** JSON with object keys sorted, so equal values hash alike whatever order their keys came in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
