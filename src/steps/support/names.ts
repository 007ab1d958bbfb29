import type { JsonSchema } from '../../runner/json-schema.js';

/** Names the runner provides to every expression; a step must not overwrite them. */
export const RESERVED_NAMES = ['env', 'secrets', 'run', 'serve'] as const;

/** Keys JavaScript objects treat as their own: a record field so named is lost or cannot be read, and expressions refuse them. */
const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype'];

/** A plain identifier that is not one of the built-in names, nor a name expressions cannot read. */
export const VARIABLE_NAME_PATTERN = `^(?!(${[...RESERVED_NAMES, ...SPECIAL_KEYS].join('|')})$)[A-Za-z_][A-Za-z0-9_]*$`;

/** Schema of the names of the variables a mapping defines (vars:, set:, include's with:). */
export const variableKeysSchema: JsonSchema = {
  type: 'string',
  pattern: VARIABLE_NAME_PATTERN,
  description: `names start with a letter or _ and hold only letters, digits and _; not ${[...RESERVED_NAMES, ...SPECIAL_KEYS].join(', ')}, which expressions keep for themselves`,
};

/** Schema of the names of the fields of a record. */
export const fieldNameSchema: JsonSchema = {
  type: 'string',
  minLength: 1,
  not: { enum: SPECIAL_KEYS },
  description: 'rename the field: __proto__, constructor and prototype have a meaning of their own in JavaScript, and a record cannot keep a field so named',
};

/** Schema of a variable name a step defines. */
export function variableNameSchema(description: string, example: string): JsonSchema {
  return {
    type: 'string',
    pattern: VARIABLE_NAME_PATTERN,
    description: `${description} A plain name (letters, digits, _), not ${[...RESERVED_NAMES, ...SPECIAL_KEYS].join(', ')}.`,
    examples: [example],
  };
}

/** How the runner reads a condition: "false" and "0" written as text are false too. */
export function isTrue(value: unknown): boolean {
  return Boolean(value) && value !== 'false' && value !== '0';
}

/** A value as it reads in a message or a log line. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}

/** A long text cut for a title or a message. */
export function clip(text: string, max = 40): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
