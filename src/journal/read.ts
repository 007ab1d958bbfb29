import { closeSync, openSync, readSync } from 'node:fs';
import type { JournalEntry } from './entries.js';

const CHUNK_BYTES = 1 << 20;

export interface JournalRead {
  /** Lines that were not a journal entry (not counting a torn last line). */
  damagedLines: number;
  /** The last line was cut short (flow was killed while writing it); it was ignored. */
  tornLastLine: boolean;
}

/**
 * Reads a journal line by line, a megabyte at a time, so a long run's journal never sits in
 * memory whole. A last line without its newline was being written when flow died: ignored.
 */
export function* readJournal(path: string, status: JournalRead = { damagedLines: 0, tornLastLine: false }): Generator<JournalEntry> {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(CHUNK_BYTES);
  let carry = Buffer.alloc(0);
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      let data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
        const entry = parse(data.toString('utf8', start, end));
        if (entry) yield entry;
        else if (end > start) status.damagedLines++;
        start = end + 1;
      }
      data = data.subarray(start);
      carry = Buffer.from(data);
    }
  } finally {
    closeSync(fd);
  }
  if (carry.length && carry.toString('utf8').trim()) status.tornLastLine = true;
}

function parse(line: string): JournalEntry | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as JournalEntry;
    return value && typeof value === 'object' && typeof value.type === 'string' && typeof value.t === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
