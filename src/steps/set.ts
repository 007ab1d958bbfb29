import { variableKeysSchema } from './support/names.js';
import { defineStep } from './types.js';

export default defineStep<Record<string, unknown>>({
  kind: 'set',
  summary: 'Set variables for the steps after this one; values may be expressions.',
  passive: true,
  schema: {
    type: 'object',
    minProperties: 1,
    propertyNames: variableKeysSchema,
    additionalProperties: { description: 'The value: text, a number, a list, a mapping or an expression.' },
  },
  examples: [{ page: 1, seen: [] }, { total: '${{ total + number(product.price) }}', lastUrl: '${{ product.url }}' }],
  defines: (params) => Object.keys(params),
  title: (params) => `set ${Object.keys(params).join(', ')}`,
  async run(params, ctx) {
    for (const [name, value] of Object.entries(params)) ctx.set(name, value);
  },
});
