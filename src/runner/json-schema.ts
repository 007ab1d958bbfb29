/** The subset of JSON Schema 2020-12 that flow's schemas are written in. */
export interface JsonSchema {
  $id?: string;
  $schema?: string;
  $ref?: string;
  $comment?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null' | Array<'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'>;
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  propertyNames?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
}

/** A string holding a `${{ ... }}` expression, accepted wherever a value may be computed. */
export const expressionString: JsonSchema = {
  type: 'string',
  pattern: '\\$\\{\\{',
  description: 'An expression, written ${{ ... }}, whose value is used here.',
};

/** Accepts the given schema or an expression that computes the value at run time. */
export function orExpression(schema: JsonSchema): JsonSchema {
  const { description, examples, default: def, ...rest } = schema;
  return { description, examples, default: def, anyOf: [rest, expressionString] };
}

/** A duration: milliseconds as a number, or text such as "500ms", "30s", "2m", "1h". */
export const durationSchema: JsonSchema = {
  description: 'A duration: a number of milliseconds, or text such as "500ms", "30s", "2m".',
  examples: ['30s', 5000],
  anyOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$', description: 'A duration is a number followed by ms, s, m or h, such as 500ms, 30s or 2m.' },
  ],
};

/** The reference a control step uses for a nested list of steps. */
export const stepsRef: JsonSchema = { $ref: '#/$defs/steps' };

export function describe(schema: JsonSchema, description: string, examples?: unknown[]): JsonSchema {
  return { ...schema, description, ...(examples ? { examples } : {}) };
}
