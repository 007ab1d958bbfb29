import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from './json-schema.js';

/** One ajv instance for all of flow's schemas: strict about the schemas themselves too. */
// strictRequired is off because a step's "exactly one kind" rule lists kinds declared one level up.
const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });

const compiled = new Map<string, ValidateFunction>();

export function compileSchema(schema: JsonSchema): (value: unknown) => ErrorObject[] {
  const id = schema.$id ?? JSON.stringify(schema);
  let validate = compiled.get(id);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(id, validate);
  }
  const run = validate;
  return (value) => (run(value) ? [] : [...(run.errors ?? [])]);
}
