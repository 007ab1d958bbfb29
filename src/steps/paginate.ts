import { orExpression, stepsRef } from '../runner/json-schema.js';
import { variableNameSchema } from './support/names.js';
import { defineStep } from './types.js';

interface PaginateParams {
  next: string;
  max?: number;
  index?: string;
}

const DEFAULT_MAX = 1000;

export default defineStep<PaginateParams>({
  kind: 'paginate',
  summary: 'Run steps on the current page, then follow its "next" link and run them again, until there is no next page.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['next', 'steps'],
    properties: {
      next: { type: 'string', minLength: 1, description: 'CSS selector of the link to the next page. When nothing matches, this was the last page.', examples: ['a[rel=next]', '.pagination a.next'] },
      max: orExpression({ type: 'integer', minimum: 1, description: `Read at most this many pages (logged when there were more). Default ${DEFAULT_MAX}.`, examples: [50] }),
      index: variableNameSchema('The name of the page number (0 for the first page) in the steps. Default index.', 'pageNumber'),
      steps: { ...stepsRef, description: 'The steps run on each page.' },
    },
  },
  examples: [{ next: 'a[rel=next]', max: 50, steps: [{ extract: { from: 'article', all: true, fields: { title: 'h2' } } }] }],
  blocks: ['steps'],
  scope: (params) => [typeof params.index === 'string' ? params.index : 'index'],
  title: (params) => `paginate by ${String(params.next)}`,
  async run(params, ctx, node) {
    const max = Number(params.max ?? DEFAULT_MAX);
    const index = params.index ?? 'index';
    const steps = node.blocks.steps ?? [];
    const seen = new Set<string>();
    for (let round = 0; ; round++) {
      // Each page is a round: on resume they are replayed, as each page's link comes from the one before.
      await ctx.round(round, (inside) => inside.runBlock(steps, { [index]: round }));
      ctx.progress(round + 1);
      const page = await ctx.page();
      seen.add(page.url().split('#')[0]);
      const link = page.locator(params.next).first();
      if ((await link.count()) === 0) return;
      if (round + 1 >= max) {
        ctx.log(`stopped after ${max} pages (max), though there is a next page`);
        return;
      }
      const href = await link.getAttribute('href');
      if (href === null) {
        // A "next" button rather than a link: click it and wait for what it loads.
        await link.click({ timeout: ctx.timeoutMs });
        await page.waitForLoadState('load', { timeout: ctx.timeoutMs });
        continue;
      }
      const url = new URL(href, page.url()).href;
      if (seen.has(url.split('#')[0])) {
        ctx.log(`stopped: the next link leads back to ${url}, a page already read`);
        return;
      }
      await page.goto(url, { timeout: ctx.timeoutMs });
    }
  },
});
