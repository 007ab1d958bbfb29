import { clip, shown } from './support/names.js';
import { defineStep } from './types.js';

interface LogParams {
  message: unknown;
}

export default defineStep<LogParams>({
  kind: 'log',
  summary: 'Write a line to the run log; expressions show variables.',
  passive: true,
  schema: {
    anyOf: [
      { type: ['string', 'number', 'boolean'] },
      {
        type: 'object',
        additionalProperties: false,
        required: ['message'],
        properties: { message: { description: 'The text to write; lists and mappings are written as JSON.', examples: ['Found ${{ length(products) }} products'] } },
      },
    ],
  },
  examples: ['Found ${{ length(products) }} products', { message: 'Now on page ${{ index + 1 }}' }],
  normalize: (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { message: value }),
  title: (params) => `log ${clip(shown(params.message), 50)}`,
  async run(params, ctx) {
    ctx.log(shown(params.message));
  },
});
