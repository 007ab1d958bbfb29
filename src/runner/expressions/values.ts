import { FORBIDDEN_PROPERTIES } from './ast.js';

/** Thrown by value helpers; the evaluator turns it into an ExpressionError at the right offset. */
export class ValueProblem extends Error {}

const MAX_COMPARE_DEPTH = 200;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Reads `object[key]` the forgiving way: anything missing, or read from null, is undefined.
 * Only own enumerable properties of plain objects and arrays are visible, plus `length`.
 */
export function readProperty(object: unknown, key: unknown): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') throw new ValueProblem(`a property name must be text or a number, not ${describe(key)}`);
  const name = String(key);
  if (FORBIDDEN_PROPERTIES.has(name)) throw new ValueProblem(`'${name}' is not allowed in expressions`);
  if (typeof object === 'string') return name === 'length' ? object.length : undefined;
  if (Array.isArray(object)) {
    if (name === 'length') return object.length;
    const index = typeof key === 'number' ? key : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
    return Number.isInteger(index) && index >= 0 && index < object.length ? object[index] : undefined;
  }
  if (isPlainObject(object) && Object.prototype.propertyIsEnumerable.call(object, name)) return object[name];
  return undefined;
}

/** How a value reads inside a string: nothing for null/undefined, JSON for lists and objects. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return toJson(value);
}

export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    throw new ValueProblem(`${describe(value)} cannot be written as JSON (it contains itself)`);
  }
}

/** Structural equality for JSON-like values; null and undefined are both "nothing". */
export function valuesEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (depth > MAX_COMPARE_DEPTH) throw new ValueProblem('these values are nested too deeply to compare');
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i], depth + 1));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && valuesEqual(a[key], b[key], depth + 1));
  }
  return false;
}

/** A value as a reader would name it in an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  return `a ${typeof value}`;
}
