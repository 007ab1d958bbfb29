import { describe, isPlainObject, toJson, toText, ValueProblem, valuesEqual } from './values.js';

export interface FunctionSpec {
  min: number;
  max: number;
  call(args: unknown[]): unknown;
}

const MAX_RANGE = 1_000_000;

/** The only functions an expression can call. Values never expose methods. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['lower', fixed(1, ([s]) => text('lower', s).toLowerCase())],
  ['upper', fixed(1, ([s]) => text('upper', s).toUpperCase())],
  ['trim', fixed(1, ([s]) => text('trim', s).trim())],
  ['replace', fixed(3, ([s, find, by]) => replaceAll(text('replace', s), text('replace', find), text('replace', by)))],
  ['split', fixed(2, ([s, separator]) => split(text('split', s), text('split', separator)))],
  ['join', { min: 1, max: 2, call: ([list, separator]) => list == null ? '' : asList('join', list).map(toText).join(separator === undefined ? ',' : text('join', separator)) }],
  ['length', fixed(1, ([x]) => length(x))],
  ['contains', fixed(2, ([haystack, needle]) => contains(haystack, needle))],
  ['startsWith', fixed(2, ([s, prefix]) => text('startsWith', s).startsWith(text('startsWith', prefix)))],
  ['endsWith', fixed(2, ([s, suffix]) => text('endsWith', s).endsWith(text('endsWith', suffix)))],
  ['slice', { min: 2, max: 3, call: ([x, start, end]) => slice(x, num('slice', start), end === undefined ? undefined : num('slice', end)) }],
  ['number', fixed(1, ([x]) => toNumber('number', x))],
  ['string', fixed(1, ([x]) => toText(x))],
  ['int', fixed(1, ([x]) => Math.trunc(toNumber('int', x)))],
  ['round', { min: 1, max: 2, call: ([x, digits]) => round(num('round', x), digits === undefined ? 0 : num('round', digits)) }],
  ['min', { min: 1, max: Infinity, call: (args) => numbers('min', args).reduce((a, b) => Math.min(a, b)) }],
  ['max', { min: 1, max: Infinity, call: (args) => numbers('max', args).reduce((a, b) => Math.max(a, b)) }],
  ['abs', fixed(1, ([x]) => Math.abs(num('abs', x)))],
  ['floor', fixed(1, ([x]) => Math.floor(num('floor', x)))],
  ['ceil', fixed(1, ([x]) => Math.ceil(num('ceil', x)))],
  ['urljoin', { min: 1, max: Infinity, call: (args) => urljoin(args.map((part) => text('urljoin', part))) }],
  ['urlencode', fixed(1, ([s]) => encodeURIComponent(text('urlencode', s)))],
  ['json', fixed(1, ([x]) => toJson(x))],
  ['default', fixed(2, ([x, fallback]) => (x === null || x === undefined || x === '' ? fallback : x))],
  ['now', fixed(0, () => new Date().toISOString())],
  ['range', { min: 1, max: 2, call: (args) => range(args.map((n) => num('range', n))) }],
  ['keys', fixed(1, ([x]) => entries('keys', x).map(([key]) => key))],
  ['values', fixed(1, ([x]) => entries('values', x).map(([, value]) => value))],
]);

function fixed(count: number, call: (args: unknown[]) => unknown): FunctionSpec {
  return { min: count, max: count, call };
}

/** Text, or a number/boolean written as text; null and undefined read as ''. */
function text(fn: string, value: unknown): string {
  if (typeof value === 'object' && value !== null) throw new ValueProblem(`${fn}() needs text, but got ${describe(value)}`);
  return toText(value);
}

function num(fn: string, value: unknown): number {
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  const hint = typeof value === 'string' ? ` (use number(...) to turn text into a number)` : '';
  throw new ValueProblem(`${fn}() needs a number, but got ${describe(value)}${hint}`);
}

function asList(fn: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ValueProblem(`${fn}() needs a list, but got ${describe(value)}`);
}

function replaceAll(s: string, find: string, by: string): string {
  return find === '' ? s : s.split(find).join(by);
}

function split(s: string, separator: string): string[] {
  return s === '' ? [] : s.split(separator);
}

function length(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  throw new ValueProblem(`length() needs text, a list or an object, but got ${describe(value)}`);
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  if (typeof haystack === 'string') return haystack.includes(text('contains', needle));
  if (Array.isArray(haystack)) return haystack.some((item) => valuesEqual(item, needle));
  throw new ValueProblem(`contains() looks inside text or a list, but got ${describe(haystack)}`);
}

function slice(value: unknown, start: number, end: number | undefined): unknown {
  if (typeof value === 'string' || Array.isArray(value)) return value.slice(start, end);
  throw new ValueProblem(`slice() needs text or a list, but got ${describe(value)}`);
}

function toNumber(fn: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value.trim());
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new ValueProblem(`${fn}() cannot turn ${describe(value)} into a number`);
}

/** Halves round away from zero, and 1.005 rounds to 1.01 as written, not as stored in binary. */
function round(value: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new ValueProblem(`round() takes 0 to 15 digits, but got ${digits}`);
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  const shifted = String(magnitude).includes('e') ? magnitude * 10 ** digits : Number(`${magnitude}e${digits}`);
  return Math.sign(value) * (Math.round(shifted) / 10 ** digits);
}

/** min(a, b, ...) or min(list). */
function numbers(fn: string, args: unknown[]): number[] {
  const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (items.length === 0) throw new ValueProblem(`${fn}() needs at least one number, but the list is empty`);
  return items.map((item) => num(fn, item));
}

/** WHATWG URL resolution, as a browser resolves a link: each part against the result so far. */
function urljoin([base, ...parts]: string[]): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ValueProblem(`urljoin() needs a full URL to start from, like 'https://example.com/', but got ${describe(base)}`);
  }
  for (const part of parts) {
    try {
      url = new URL(part, url);
    } catch {
      throw new ValueProblem(`urljoin() cannot add ${describe(part)} to '${url.href}'`);
    }
  }
  return url.href;
}

function range(args: number[]): number[] {
  const [start, end] = args.length === 1 ? [0, args[0]] : args;
  if (!Number.isInteger(start) || !Number.isInteger(end)) throw new ValueProblem(`range() needs whole numbers, but got ${args.join(', ')}`);
  const count = Math.max(0, end - start);
  if (count > MAX_RANGE) throw new ValueProblem(`range() can make at most ${MAX_RANGE} numbers, but was asked for ${count}`);
  return Array.from({ length: count }, (_, i) => start + i);
}

function entries(fn: string, value: unknown): [string | number, unknown][] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((item, i) => [i, item]);
  if (isPlainObject(value)) return Object.entries(value);
  throw new ValueProblem(`${fn}() needs an object or a list, but got ${describe(value)}`);
}
