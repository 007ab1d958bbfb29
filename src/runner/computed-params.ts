import type { JsonSchema } from './json-schema.js';
import { compileSchema } from './schema-validator.js';
import type { StepModule } from '../steps/types.js';

const checkers = new Map<string, Checker | null>();

/**
 * A parameter written as an expression is only known at run time: `concurrency: ${{ conc }}`
 * with --var conc=two would otherwise run the loop zero times and pass. Its value is checked
 * against the step's schema for that parameter (the expression alternative left out), and a
 * wrong one fails the step in words. Parameters written as plain values were checked before
 * the run.
 */
export function checkComputedParam(module: StepModule, key: string, written: unknown, value: unknown): { value: unknown; problem?: string } {
  if (typeof written !== 'string' || !written.includes('${{')) return { value };
  const checker = checkerFor(module, key);
  if (!checker) return { value };
  // Text from a CSV file or a page is text: "3" is taken for 3 where a number is wanted.
  const coerced = checker.wants === 'number' && typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : checker.wants === 'boolean' && (value === 'true' || value === 'false') ? value === 'true' : value;
  const problem = checker.check(coerced);
  return problem ? { value, problem: `${key} is ${JSON.stringify(value)} here (from ${written}), but it ${problem}` } : { value: coerced };
}

interface Checker {
  wants: 'number' | 'boolean' | 'other';
  check(value: unknown): string | undefined;
}

function checkerFor(module: StepModule, key: string): Checker | null {
  const id = `${module.kind}.${key}`;
  if (checkers.has(id)) return checkers.get(id)!;
  const schema = literalSchema(fullForm(module.schema)?.properties?.[key]);
  let checker: Checker | null = null;
  if (schema && !JSON.stringify(schema).includes('$ref')) {
    const validate = compileSchema({ ...schema, $id: `flow:computed/${id}` });
    checker = {
      wants: schema.type === 'integer' || schema.type === 'number' ? 'number' : schema.type === 'boolean' ? 'boolean' : 'other',
      check: (value) => {
        const errors = validate(value);
        return errors.length ? describe(schema, errors[0].message ?? 'is not valid') : undefined;
      },
    };
  }
  checkers.set(id, checker);
  return checker;
}

/** The object form of a step's parameters (a step may also accept a terse string). */
function fullForm(schema: JsonSchema): JsonSchema | undefined {
  if (schema.type === 'object') return schema;
  return schema.anyOf?.find((branch) => branch.type === 'object');
}

/** The schema of a parameter without its "or an expression" alternative. */
function literalSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  const literal = schema.anyOf?.filter((branch) => !(branch.type === 'string' && branch.pattern === '\\$\\{\\{'));
  if (!literal || literal.length === schema.anyOf!.length) return schema;
  const { anyOf: _anyOf, ...rest } = schema;
  return literal.length === 1 ? { ...rest, ...literal[0] } : { ...rest, anyOf: literal };
}

function describe(schema: JsonSchema, message: string): string {
  const type = schema.type === 'integer' ? 'must be a whole number' : schema.type === 'number' ? 'must be a number' : schema.type === 'boolean' ? 'must be true or false' : schema.type === 'array' ? 'must be a list' : undefined;
  const bounds = schema.minimum !== undefined ? ` of at least ${schema.minimum}` : '';
  return type ? `${type}${bounds}` : message;
}
