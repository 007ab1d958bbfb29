import { closeSync, mkdirSync, openSync, readFileSync, writeSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatasetFormat } from '../runner/workflow.js';

export interface DatasetWriter {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly count: number;
  write(record: Record<string, unknown>): void;
  close(): void;
}

export interface DatasetOptions {
  /** Applied to every string before it reaches the disk (secrets never do). */
  mask?: (text: string) => string;
}

/**
 * Opens a dataset file and writes each record the moment it arrives, with a synchronous write
 * on an open descriptor: once `write` returns the bytes are the operating system's, so a crash
 * of flow loses nothing already extracted.
 */
export function openDataset(path: string, format: DatasetFormat, options: DatasetOptions = {}): DatasetWriter {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const mask = options.mask ?? ((text: string) => text);
  const encode = encoderFor(format);
  let count = 0;
  let closed = false;
  if (format === 'json') writeSync(fd, '[\n');
  return {
    path,
    format,
    get count() {
      return count;
    },
    write(record) {
      if (closed) throw new Error(`the dataset ${path} is closed; no more records can be written`);
      writeSync(fd, encode(maskStrings(record, mask) as Record<string, unknown>, count));
      count++;
    },
    close() {
      if (closed) return;
      closed = true;
      if (format === 'json') writeSync(fd, count ? '\n]\n' : ']\n');
      closeSync(fd);
    },
  };
}

function encoderFor(format: DatasetFormat): (record: Record<string, unknown>, index: number) => string {
  if (format === 'jsonl') return (record) => `${JSON.stringify(record)}\n`;
  if (format === 'json') return (record, index) => `${index ? ',\n' : ''}  ${JSON.stringify(record)}`;
  return csvEncoder();
}

/**
 * CSV (RFC 4180). The columns are the first record's keys, fixed because a streamed header
 * cannot be rewritten; fields a later record adds go, as JSON, into a last `_extra` column so
 * nothing is dropped.
 */
function csvEncoder(): (record: Record<string, unknown>) => string {
  let columns: string[] | undefined;
  return (record) => {
    let header = '';
    if (!columns) {
      columns = Object.keys(record);
      header = `${[...columns, '_extra'].map(csvField).join(',')}\r\n`;
    }
    const known = new Set(columns);
    const extra = Object.fromEntries(Object.entries(record).filter(([key]) => !known.has(key)));
    const cells = columns.map((key) => csvField(record[key]));
    cells.push(Object.keys(extra).length ? csvField(extra) : '');
    return `${header}${cells.join(',')}\r\n`;
  };
}

/**
 * A field as CSV text. Text that a spreadsheet would run as a formula (starting with = + - @,
 * tab or carriage return) gets a leading apostrophe, as OWASP advises against CSV injection.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function maskStrings(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, mask));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskStrings(item, mask)]));
  return value;
}

/** Closes a JSON dataset left without its closing bracket by a crash, so it parses again. */
export function repairJsonDataset(path: string): boolean {
  const text = readFileSync(path, 'utf8').trimEnd();
  if (text.endsWith(']')) return false;
  appendFileSync(path, text === '[' ? ']\n' : '\n]\n');
  return true;
}
