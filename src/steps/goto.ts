import { absoluteUrl, allowStatusSchema, openUrl, type WaitUntil } from './support/navigate.js';
import { defineStep } from './types.js';

interface GotoParams {
  url: string;
  waitUntil?: WaitUntil;
  allowStatus?: number | string | (number | string)[];
}

export default defineStep<GotoParams>({
  kind: 'goto',
  summary: 'Open a URL in the current page; an HTTP error status (400 or more) fails the step unless allowStatus allows it.',
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
          allowStatus: allowStatusSchema,
        },
      },
    ],
  },
  examples: ['https://example.com', { url: '${{ serve.url }}/index.html', waitUntil: 'domcontentloaded' }, { url: '${{ serve.url }}/old-page.html', allowStatus: [404, 410] }],
  normalize: (value) => (typeof value === 'string' ? { url: value } : (value as Record<string, unknown>)),
  title: (params) => `goto ${String(params.url)}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const url = absoluteUrl(params.url, page.url());
    const status = await openUrl(page, url, { timeoutMs: ctx.timeoutMs, waitUntil: params.waitUntil, allowStatus: params.allowStatus });
    if (status !== undefined && status >= 400) ctx.log(`${url} answered HTTP ${status}, which allowStatus allows`);
  },
});
