import { closeSync, openSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { Deadline } from './support/deadline.js';
import { actOn, describeTarget, findTarget, targetValueSchema, toTarget } from './support/target.js';
import { defineStep, type StepContext } from './types.js';

interface ScreenshotParams {
  path?: string;
  fullPage?: boolean;
  element?: unknown;
}

export default defineStep<ScreenshotParams>({
  kind: 'screenshot',
  summary: 'Save a picture of the page, the whole page or one element into the run folder.',
  passive: true,
  needsPixels: true,
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          path: { type: 'string', minLength: 1, description: 'File name inside the run folder; .png (default) or .jpg. May hold expressions. Default screenshots/1.png, 2.png...', examples: ['products/page-${{ index }}.png'] },
          fullPage: { type: 'boolean', description: 'The whole scrollable page, not just what fits in the window. Default false.', examples: [true] },
          element: targetValueSchema('Only this element: a selector, its text or a mapping of target keys.', ['#cart']),
        },
      },
    ],
  },
  examples: ['home.png', { path: 'catalogue-${{ index }}.png', fullPage: true }, { path: 'cart.png', element: '#cart' }],
  normalize: (value) => (typeof value === 'string' ? { path: value } : (value as Record<string, unknown>)),
  title: (params) => `screenshot ${params.path === undefined ? '' : String(params.path)}`.trim(),
  async run(params, ctx) {
    const { name, path } = params.path !== undefined && params.path !== '' ? chosenFile(ctx, String(params.path)) : numberedFile(ctx);
    const type = /\.jpe?g$/i.test(name) ? 'jpeg' : 'png';
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    if (params.element !== undefined) {
      if (params.fullPage) throw new Error('take either the full page or one element, not both');
      const target = toTarget(params.element);
      const element = await findTarget(page, target, 'element', deadline);
      await actOn(element, describeTarget(target), deadline, (timeout) => element.screenshot({ path, type, timeout }));
    } else {
      await page.screenshot({ path, type, fullPage: params.fullPage === true, timeout: deadline.left() });
    }
    ctx.log(`screenshot saved: ${name}`);
  },
});

/** The file name inside the run folder: relative, not climbing out of it, with an image extension. */
function chosenFile(ctx: StepContext, path: string): { name: string; path: string } {
  const clean = normalize(path).replace(/\\/g, '/');
  if (isAbsolute(clean) || clean.startsWith('../') || clean === '..') throw new Error(`screenshots are saved inside the run folder; ${path} points outside it`);
  const name = /\.(png|jpe?g)$/i.test(clean) ? clean : `${clean}.png`;
  return { name, path: ctx.runPath(name) };
}

/** The next free screenshots/N.png, claimed by creating it so parallel lanes never share one. */
function numberedFile(ctx: StepContext): { name: string; path: string } {
  for (let n = 1; ; n++) {
    const name = `screenshots/${n}.png`;
    const path = ctx.runPath(name);
    try {
      closeSync(openSync(path, 'wx'));
      return { name, path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
