import { stepsRef } from '../runner/json-schema.js';
import { absoluteUrl, allowStatusSchema, openUrl } from './support/navigate.js';
import { defineStep } from './types.js';

interface PageParams {
  url?: string;
  allowStatus?: number | string | (number | string)[];
}

export default defineStep<PageParams>({
  kind: 'page',
  summary: 'Run steps in a new page of their own (optionally opened at a URL), closed when they end.',
  schema: {
    anyOf: [
      { ...stepsRef },
      {
        type: 'object',
        additionalProperties: false,
        required: ['steps'],
        properties: {
          url: { type: 'string', minLength: 1, description: 'Open the new page at this address; relative addresses resolve against the current page.', examples: ['${{ product.url }}'] },
          allowStatus: { ...allowStatusSchema, description: `With url: ${allowStatusSchema.description}` },
          steps: { ...stepsRef, description: 'The steps run in the new page.' },
        },
      },
    ],
  },
  examples: [[{ goto: '${{ serve.url }}/help.html' }, { extract: { fields: { phone: '.phone' } } }], { url: '${{ product.url }}', steps: [{ extract: { fields: { stock: '.stock' } } }] }],
  blocks: ['steps'],
  // The page's steps run in a scope of their own: what they set is gone after, unless defined before.
  scope: () => [],
  title: (params) => (params.url ? `page ${String(params.url)}` : 'page'),
  async run(params, ctx, node) {
    const base = ctx.currentPage()?.url();
    await ctx.inNewLane(async (lane) => {
      if (params.url) {
        const page = await lane.page();
        await openUrl(page, absoluteUrl(String(params.url), base), { timeoutMs: lane.timeoutMs, allowStatus: params.allowStatus });
      }
      await lane.runBlock(node.blocks.steps ?? []);
    });
  },
});
