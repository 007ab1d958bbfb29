import { defineStep } from './types.js';

interface GotoParams {
  url: string;
  waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit';
}

export default defineStep<GotoParams>({
  kind: 'goto',
  summary: 'Open a URL in the current page.',
  navigates: true,
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: { type: 'string', minLength: 1, description: 'The address to open; relative addresses resolve against the current page.', examples: ['${{ serve.url }}/products/page-1.html'] },
          waitUntil: { enum: ['load', 'domcontentloaded', 'networkidle', 'commit'], description: 'When the page counts as loaded. Default load.', examples: ['domcontentloaded'] },
        },
      },
    ],
  },
  examples: ['https://example.com', { url: '${{ serve.url }}/index.html', waitUntil: 'domcontentloaded' }],
  normalize: (value) => (typeof value === 'string' ? { url: value } : (value as Record<string, unknown>)),
  title: (params) => `goto ${String(params.url)}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const url = new URL(params.url, page.url().startsWith('http') ? page.url() : undefined).href;
    const response = await page.goto(url, { waitUntil: params.waitUntil ?? 'load', timeout: ctx.timeoutMs });
    if (response && response.status() >= 400) ctx.log(`${url} answered HTTP ${response.status()}`);
  },
});
