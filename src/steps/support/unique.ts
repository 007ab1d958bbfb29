import type { JsonSchema } from '../../runner/json-schema.js';

/** The `unique` parameter of the steps that write records: one field name or a list. */
export function uniqueSchema(description: string): JsonSchema {
  return {
    description,
    examples: ['url', ['sku', 'store']],
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    ],
  };
}

/** A key field the record does not have would give every record the same key: each is named. */
export function uniqueFields(unique: unknown, known: string[]): Array<{ at: Array<string | number>; message: string; hint?: string }> {
  if (unique === undefined) return [];
  const names = [unique].flat();
  return names.flatMap((name, i) =>
    typeof name === 'string' && !known.includes(name)
      ? [{ at: Array.isArray(unique) ? ['unique', i] : ['unique'], message: `unique names the field "${name}", which the records of this step do not have`, hint: `fields here: ${known.join(', ') || 'none'}` }]
      : [],
  );
}
