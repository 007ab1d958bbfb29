import { appendFileSync, closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatasetFormat } from '../runner/workflow.js';
import { parseCsv } from '../steps/support/csv.js';
import { appendWhole } from './durable.js';

export interface DatasetWriter {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly count: number;
  /** The file's length in bytes: where the next record goes. */
  readonly offset: number;
  /** Writes the records in one piece, or none of them (a full disk throws DiskFullError). */
  writeBatch(records: Record<string, unknown>[]): { count: number; offset: number };
  write(record: Record<string, unknown>): void;
  close(): void;
}

export interface DatasetOptions {
  /** Applied to every string before it reaches the disk (secrets never do). */
  mask?: (text: string) => string;
  /**
   * Continue a dataset a killed run left: cut it back to `offset` bytes (what its journal says
   * was committed; anything after belonged to an item that had not finished) and append.
   */
  resume?: { offset: number; count: number };
}

/**
 * Opens a dataset file and writes records the moment they are committed, with synchronous
 * writes on an open descriptor: once a write returns the bytes are the operating system's, so
 * a crash of flow loses nothing already committed.
 */
export function openDataset(path: string, format: DatasetFormat, options: DatasetOptions = {}): DatasetWriter {
  mkdirSync(dirname(path), { recursive: true });
  const resume = options.resume;
  const fd = openSync(path, resume ? 'a+' : 'w');
  const mask = options.mask ?? ((text: string) => text);
  let count = 0;
  let columns: string[] | undefined;
  if (resume) {
    if (fstatSync(fd).size < resume.offset) throw new Error(`the dataset ${path} is shorter than its journal says (${fstatSync(fd).size} bytes, not ${resume.offset}): it was changed since the run stopped`);
    ftruncateSync(fd, resume.offset);
    count = resume.count;
    if (format === 'csv' && resume.offset > 0) columns = csvHeader(fd);
  }
  const encode = encoderFor(format, columns);
  let closed = false;
  if (format === 'json' && fstatSync(fd).size === 0) appendWhole(fd, '[\n', path);
  const writer: DatasetWriter = {
    path,
    format,
    get count() {
      return count;
    },
    get offset() {
      return fstatSync(fd).size;
    },
    writeBatch(records) {
      if (closed) throw new Error(`the dataset ${path} is closed; no more records can be written`);
      if (records.length) {
        const text = records.map((record, i) => encode(maskStrings(record, mask) as Record<string, unknown>, count + i)).join('');
        appendWhole(fd, text, path);
        count += records.length;
      }
      return { count, offset: fstatSync(fd).size };
    },
    write(record) {
      writer.writeBatch([record]);
    },
    close() {
      if (closed) return;
      closed = true;
      if (format === 'json') appendWhole(fd, count ? '\n]\n' : ']\n', path);
      closeSync(fd);
    },
  };
  return writer;
}

/** The columns of a CSV dataset, from its header line (parsed as the header of a one-row file). */
function csvHeader(fd: number): string[] {
  const buffer = Buffer.alloc(65536);
  const read = readSync(fd, buffer, 0, buffer.length, 0);
  const line = buffer.toString('utf8', 0, read).split('\r\n')[0];
  return Object.keys(parseCsv(`${line}\r\n${line}\r\n`)[0] ?? {}).filter((name) => name !== '_extra');
}

function encoderFor(format: DatasetFormat, columns?: string[]): (record: Record<string, unknown>, index: number) => string {
  if (format === 'jsonl') return (record) => `${JSON.stringify(record)}\n`;
  if (format === 'json') return (record, index) => `${index ? ',\n' : ''}  ${JSON.stringify(record)}`;
  return csvEncoder(columns);
}

/**
 * CSV (RFC 4180). The columns are the first record's keys, fixed because a streamed header
 * cannot be rewritten; fields a later record adds go, as JSON, into a last `_extra` column so
 * nothing is dropped.
 */
function csvEncoder(columns?: string[]): (record: Record<string, unknown>) => string {
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
