import type { JsonSchema } from '../runner/json-schema.js';
import { Deadline } from './support/deadline.js';
import { actOn, describeTarget, nameOf, findTarget, targetProperties, toTarget } from './support/target.js';
import { defineStep } from './types.js';

interface FillParams {
  fields: { field: unknown; value: unknown }[];
}

const textValue: JsonSchema = { type: ['string', 'number', 'boolean'] };

export default defineStep<FillParams>({
  kind: 'fill',
  summary: 'Type into form fields, each named by its label, placeholder or a selector; what was there is replaced.',
  schema: {
    anyOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: {
          field: {
            description: 'The field: a selector, its label or placeholder, or a mapping of target keys.',
            examples: ['Email', '#password', { placeholder: 'Search' }],
            anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', additionalProperties: false, properties: targetProperties, minProperties: 1 }],
          },
          value: { ...textValue, description: 'The text to type; an empty text clears the field.', examples: ['${{ secrets.SHOP_PASSWORD }}'] },
        },
      },
      {
        type: 'object',
        minProperties: 1,
        propertyNames: { type: 'string', minLength: 1 },
        additionalProperties: { ...textValue, description: 'The text to type into the field named by the key.' },
        description: 'Fields and their text: each key names a field by its label, placeholder or a selector.',
        examples: [{ Email: 'ada@example.com', '#password': '${{ secrets.SHOP_PASSWORD }}' }],
      },
    ],
  },
  examples: [
    { Email: 'ada@example.com', Password: '${{ secrets.SHOP_PASSWORD }}' },
    { '#search': 'red shoes' },
    { field: { role: 'searchbox', name: 'Search' }, value: '${{ item.query }}' },
  ],
  normalize: (value) => {
    const map = value as Record<string, unknown>;
    if ('field' in map) return { fields: [{ field: map.field, value: map.value }] };
    return { fields: Object.entries(map).map(([field, text]) => ({ field, value: text })) };
  },
  title: (params) => `fill ${(params.fields as FillParams['fields']).map(({ field }) => nameOf(field)).join(', ')}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    for (const { field, value } of params.fields) {
      const target = toTarget(field);
      const description = describeTarget(target);
      if (value === null || value === undefined || typeof value === 'object') {
        throw new Error(value === undefined ? `say what to type into ${description}: add value: "..."` : `the value for ${description} must be text, but it is ${JSON.stringify(value)}`);
      }
      const input = await findTarget(page, target, 'field', deadline);
      await actOn(input, description, deadline, (timeout) => input.fill(String(value), { timeout }));
    }
  },
});
