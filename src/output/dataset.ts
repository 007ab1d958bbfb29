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
  /**
   * Every field a record can have, when the workflow says so before the run: a CSV gets exactly
   * these columns. Without them the first record's fields are the columns, and a last `_extra`
   * column holds, as JSON, the fields later records add.
   */
  columns?: string[];
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
  let columns: CsvColumns | undefined = options.columns && { names: options.columns, extra: false };
  let headerWritten = false;
  if (resume) {
    if (fstatSync(fd).size < resume.offset) throw new Error(`the dataset ${path} is shorter than its journal says (${fstatSync(fd).size} bytes, not ${resume.offset}): it was changed since the run stopped`);
    ftruncateSync(fd, resume.offset);
    count = resume.count;
    if (format === 'csv' && resume.offset > 0) {
      columns = csvHeader(fd);
      headerWritten = true;
    }
  }
  const encode = encoderFor(format, columns, headerWritten);
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
function csvHeader(fd: number): CsvColumns {
  const buffer = Buffer.alloc(65536);
  const read = readSync(fd, buffer, 0, buffer.length, 0);
  const line = buffer.toString('utf8', 0, read).split('\r\n')[0];
  const names = Object.keys(parseCsv(`${line}\r\n${line}\r\n`)[0] ?? {});
  return { names: names.filter((name) => name !== EXTRA_COLUMN), extra: names.includes(EXTRA_COLUMN) };
}

/** A CSV's columns; `extra` when the last one, `_extra`, holds fields outside them. */
interface CsvColumns {
  names: string[];
  extra: boolean;
}

const EXTRA_COLUMN = '_extra';

function encoderFor(format: DatasetFormat, columns: CsvColumns | undefined, written: boolean): (record: Record<string, unknown>, index: number) => string {
  if (format === 'jsonl') return (record) => `${JSON.stringify(record)}\n`;
  if (format === 'json') return (record, index) => `${index ? ',\n' : ''}  ${JSON.stringify(record)}`;
  return csvEncoder(columns, written);
}

/**
 * CSV (RFC 4180). The header goes with the first record, as a streamed file cannot be
 * rewritten: the columns the workflow declared, or else the first record's keys and `_extra`.
 * A resumed file has its header already (`written`).
 */
function csvEncoder(declared?: CsvColumns, written = false): (record: Record<string, unknown>) => string {
  let columns = declared;
  let header = !written;
  return (record) => {
    columns ??= { names: Object.keys(record), extra: true };
    const known = new Set(columns.names);
    const extra = Object.fromEntries(Object.entries(record).filter(([key]) => !known.has(key)));
    if (!columns.extra && Object.keys(extra).length) throw new Error(`a record has fields its step does not declare (${Object.keys(extra).join(', ')}): the step's records() must name them`);
    const cells = columns.names.map((key) => csvField(record[key]));
    if (columns.extra) cells.push(Object.keys(extra).length ? csvField(extra) : '');
    const head = header ? `${[...columns.names, ...(columns.extra ? [EXTRA_COLUMN] : [])].map(csvField).join(',')}\r\n` : '';
    header = false;
    return `${head}${cells.join(',')}\r\n`;
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
