import type { Page } from 'playwright-core';
import { durationSchema, orExpression } from '../runner/json-schema.js';
import { parseDuration } from '../runner/duration.js';
import { Deadline, seconds } from './support/deadline.js';
import { actOn, describeTarget, findTarget, locateAll, nameOf, targetValueSchema, toTarget } from './support/target.js';
import { defineStep } from './types.js';

interface ScrollParams {
  to?: unknown;
  by?: number;
  until?: unknown;
  max?: number;
  pause?: number | string;
}

const EDGES = new Set(['top', 'bottom']);
const DEFAULT_MAX_ROUNDS = 50;
const DEFAULT_PAUSE_MS = 1000;

export default defineStep<ScrollParams>({
  kind: 'scroll',
  summary: 'Scroll the page: to the top or bottom, by some pixels, to an element, or down until no more content loads.',
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'number' },
      {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          to: targetValueSchema('Where to scroll: top, bottom, or an element (a selector, its text or a mapping of target keys).', ['bottom', '#reviews']),
          by: orExpression({ type: 'number', description: 'Pixels to scroll down; negative scrolls up.', examples: [800] }),
          until: targetValueSchema('Keep scrolling (infinite scroll): `end` until the page stops growing, or an element until it shows up.', ['end', 'No more results']),
          max: orExpression({ type: 'integer', minimum: 1, description: `With until: the most scrolls to do. Default ${DEFAULT_MAX_ROUNDS}.`, examples: [20] }),
          pause: { ...durationSchema, description: 'With until: how long to wait for new content after each scroll before deciding there is none. Default 1s.', examples: ['2s'] },
        },
      },
    ],
  },
  examples: ['bottom', 600, '#reviews', { to: 'bottom', until: 'end', max: 30 }, { by: 1000, until: 'No more products', pause: '2s' }],
  normalize: (value) => {
    if (typeof value === 'number') return { by: value };
    if (typeof value === 'string') return { to: value };
    return value as Record<string, unknown>;
  },
  title: (params) => {
    const to = params.to ?? 'bottom';
    const how = params.by !== undefined ? `by ${String(params.by)}px` : `to ${EDGES.has(String(to)) ? String(to) : nameOf(to)}`;
    if (params.until === undefined) return `scroll ${how}`;
    return `scroll ${how} until ${params.until === 'end' ? 'no more content loads' : `${nameOf(params.until)} shows`}`;
  },
  async run(params, ctx) {
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    if (params.to !== undefined && params.by !== undefined) throw new Error('scroll either to a place or by some pixels, not both');
    const once = async () => {
      if (params.by !== undefined) await scrollBy(page, Number(params.by));
      else if (params.to === undefined || EDGES.has(String(params.to))) await scrollToEdge(page, params.to === 'top' ? 'top' : 'bottom');
      else {
        const target = toTarget(params.to);
        const element = await findTarget(page, target, 'element', deadline);
        await actOn(element, describeTarget(target), deadline, (timeout) => element.scrollIntoViewIfNeeded({ timeout }));
      }
    };
    if (params.until === undefined) return once();

    const max = params.max ?? DEFAULT_MAX_ROUNDS;
    const pauseMs = params.pause === undefined ? DEFAULT_PAUSE_MS : parseDuration(params.pause);
    const goal = params.until === 'end' ? undefined : locateAll(page, toTarget(params.until)).filter({ visible: true });
    for (let round = 1; round <= max; round++) {
      if (goal && (await goal.count()) > 0) {
        ctx.log(`scrolled ${round - 1} times until ${nameOf(params.until)} showed`);
        return;
      }
      if (deadline.left() < pauseMs) {
        throw new Error(`the page was still loading content after ${round - 1} scrolls (${seconds(deadline.total)}); give this step a longer timeout, such as timeout: 2m`);
      }
      const height = await pageHeight(page);
      await once();
      // Scrolling by pixels through content already there needs no pause; only at the bottom can new content be awaited.
      if (!(await atBottom(page))) continue;
      if (!(await grows(page, height, pauseMs))) {
        if (goal && (await goal.count()) > 0) ctx.log(`scrolled ${round} times until ${nameOf(params.until)} showed`);
        else if (goal) throw new Error(`${nameOf(params.until)} did not show up, and the page stopped growing after ${round} scrolls`);
        else ctx.log(`scrolled ${round} times; no more content loads`);
        return;
      }
    }
    ctx.log(`stopped after ${max} scrolls (max); the page was still growing`);
  },
});

function scrollBy(page: Page, pixels: number): Promise<void> {
  return page.evaluate((dy) => window.scrollBy(0, dy), pixels);
}

function scrollToEdge(page: Page, edge: 'top' | 'bottom'): Promise<void> {
  return page.evaluate((toTop) => {
    const root = document.scrollingElement ?? document.documentElement;
    window.scrollTo(0, toTop ? 0 : root.scrollHeight);
  }, edge === 'top');
}

function pageHeight(page: Page): Promise<number> {
  return page.evaluate(() => (document.scrollingElement ?? document.documentElement).scrollHeight);
}

function atBottom(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return window.scrollY + window.innerHeight >= root.scrollHeight - 2;
  });
}

/** Whether the page grows beyond `height` within `ms`: new content arrived. */
function grows(page: Page, height: number, ms: number): Promise<boolean> {
  return page
    .waitForFunction((before) => (document.scrollingElement ?? document.documentElement).scrollHeight > before, height, { timeout: ms, polling: 100 })
    .then(
      () => true,
      (error: Error) => {
        if (error.name === 'TimeoutError') return false;
        throw error;
      },
    );
}
