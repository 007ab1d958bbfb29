import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendWhole } from '../output/durable.js';
import type { SecretMasker } from '../runner/secrets.js';
import type { JournalEntry } from './entries.js';

/** Buffered lines reach the disk at least this often. */
const FLUSH_EVERY_MS = 1000;

/** An entry as its producer hands it over: the writer stamps the time. */
export type NewEntry = JournalEntry extends infer E ? (E extends { t: number } ? Omit<E, 't'> & { t?: number } : never) : never;

/**
 * The one writer of a run's journal. Entries are masked (no secret reaches the disk), buffered,
 * and written whole at least once a second and whenever a commit asks: a loop item's end, the
 * records written outside items. A write the disk refuses stops the run through `onFatal`.
 */
export class JournalWriter {
  private buffer: string[] = [];
  private readonly fd: number;
  private readonly timer: NodeJS.Timeout;
  private failed: unknown;
  private readonly listeners: Array<(entry: JournalEntry) => void> = [];
  /** CPU milliseconds spent serialising and writing, to report the journal's share of a run. */
  costMs = 0;

  constructor(
    readonly path: string,
    private readonly masker: SecretMasker,
    private readonly now: () => number,
    private readonly onFatal: (error: unknown) => void,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Sees every entry as it is appended (the --json view, the live summary). */
  onEntry(listener: (entry: JournalEntry) => void): void {
    this.listeners.push(listener);
  }

  append(entry: NewEntry): void {
    const began = process.cpuUsage();
    const stamped = { ...entry, t: entry.t ?? Math.round(this.now()) } as JournalEntry;
    this.buffer.push(this.masker.mask(JSON.stringify(stamped)));
    this.costMs += cpuMsSince(began);
    for (const listener of this.listeners) listener(stamped);
  }

  /** Appends and writes at once: once this returns, the entry survives a crash of flow. */
  commit(entry: NewEntry): void {
    this.append(entry);
    this.flush();
    if (this.failed) throw this.failed;
  }

  flush(): void {
    if (this.buffer.length === 0 || this.failed) return;
    const began = process.cpuUsage();
    const text = `${this.buffer.join('\n')}\n`;
    try {
      appendWhole(this.fd, text, this.path);
      this.buffer = [];
    } catch (error) {
      this.failed = error;
      this.onFatal(error);
    } finally {
      this.costMs += cpuMsSince(began);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    closeSync(this.fd);
  }
}

export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
