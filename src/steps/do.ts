import { stepsRef } from '../runner/json-schema.js';
import { defineStep } from './types.js';

export default defineStep({
  kind: 'do',
  summary: 'Run a group of steps as one: with retry the whole group is tried again, with if/else it is a branch.',
  schema: {
    anyOf: [
      { ...stepsRef },
      {
        type: 'object',
        additionalProperties: false,
        required: ['steps'],
        properties: { steps: { ...stepsRef, description: 'The steps of the group.' } },
      },
    ],
  },
  examples: [
    [{ click: 'Add to cart' }, { assert: { text: '#cart .count', equals: '1' } }],
    { steps: [{ fill: { Email: '${{ env.SHOP_USER }}' } }, { click: 'Sign in' }] },
  ],
  blocks: ['steps'],
  title: (params) => `do ${Array.isArray(params.steps) ? `${params.steps.length} steps` : 'steps'}`,
  async run(_params, ctx, node) {
    await ctx.runBlock(node.blocks.steps ?? []);
  },
});
