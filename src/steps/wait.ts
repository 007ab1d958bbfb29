import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';
import { StepProblem } from '../runner/errors.js';
import { HINTS } from '../runner/hints.js';
import { durationSchema } from '../runner/json-schema.js';
import { parseDuration } from '../runner/duration.js';
import { Deadline, seconds } from './support/deadline.js';
import { clip } from './support/names.js';
import { describeTarget, hasTarget, locateAll, targetFrom, targetFromString, targetProperties, type Target } from './support/target.js';
import { textPattern } from './support/text-match.js';
import { defineStep } from './types.js';

type ElementState = 'visible' | 'hidden' | 'attached' | 'detached';
type LoadState = 'load' | 'domcontentloaded' | 'networkidle';

interface WaitParams extends Target {
  state?: ElementState;
  time?: number | string;
  load?: LoadState;
  url?: string;
  script?: string;
}

const LOAD_STATES = ['load', 'domcontentloaded', 'networkidle'];
const DURATION = /^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/;

export default defineStep<WaitParams>({
  kind: 'wait',
  summary: 'Wait for an element, a text, a URL, the page to load, or some time.',
  passive: true,
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'number', minimum: 0 },
      {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          ...targetProperties,
          state: { enum: ['visible', 'hidden', 'attached', 'detached'], description: 'With an element: wait until it is visible (default), hidden (or gone), attached (in the page, shown or not) or detached (gone).', examples: ['hidden'] },
          time: { ...durationSchema, description: 'Wait this long. Prefer waiting for something on the page: it is faster and does not break on a slow day.', examples: ['2s'] },
          load: { enum: LOAD_STATES, description: 'Wait until the page reaches this load state: load, domcontentloaded, or networkidle (no requests for 500 ms).', examples: ['networkidle'] },
          url: { type: 'string', minLength: 1, description: 'Wait until the URL contains this text, matches this glob (`**/orders/*`) or this /regular expression/.', examples: ['**/checkout/done', '/orders/\\d+/'] },
          script: { type: 'string', minLength: 1, description: 'Wait until this JavaScript expression, run in the page, is true.', examples: ['window.appReady === true'] },
        },
      },
    ],
  },
  examples: ['2s', 'networkidle', '#results', 'Order confirmed', { selector: '.spinner', state: 'hidden' }, { url: '**/checkout/done' }, { script: "document.querySelectorAll('.item').length >= 20" }],
  normalize: (value) => {
    if (typeof value === 'number') return { time: value };
    if (typeof value === 'string') {
      if (DURATION.test(value)) return { time: value };
      if (LOAD_STATES.includes(value)) return { load: value };
      return { ...targetFromString(value) };
    }
    return value as Record<string, unknown>;
  },
  title: (params) => {
    if (params.time !== undefined) return `wait ${String(params.time)}`;
    if (params.load) return `wait for ${String(params.load)}`;
    if (params.url) return `wait for URL ${String(params.url)}`;
    if (params.script) return `wait for ${clip(String(params.script))}`;
    const state = params.state && params.state !== 'visible' ? ` to be ${String(params.state)}` : '';
    return `wait for ${describeTarget(targetFrom(params))}${state}`;
  },
  async run(params, ctx) {
    const given = [hasTarget(params as Record<string, unknown>) && 'an element', params.time !== undefined && 'time', params.load && 'load', params.url && 'url', params.script && 'script'].filter(Boolean);
    if (given.length !== 1) throw new Error(given.length ? `wait for one thing at a time, not ${given.join(' and ')}` : 'say what to wait for: an element, text, url, load, script or time');
    if (params.state && !hasTarget(params as Record<string, unknown>)) throw new Error('state applies to an element: add a selector or text');

    if (params.time !== undefined) {
      const ms = parseDuration(params.time);
      if (ms >= ctx.timeoutMs) throw new Error(`waiting ${seconds(ms)} does not fit in this step's ${seconds(ctx.timeoutMs)} timeout; give it a longer one, such as timeout: ${Math.ceil(ms / 1000) + 5}s`);
      await sleep(ms, undefined, { signal: ctx.signal });
      return;
    }
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    const waited = `(waited ${seconds(deadline.total)})`;
    if (params.load) {
      await page.waitForLoadState(params.load, { timeout: deadline.left() }).catch(timedOut(`the page did not reach "${params.load}" ${waited}`, HINTS.slow));
    } else if (params.url) {
      const pattern = textPattern(params.url);
      await page.waitForURL((url) => pattern.test(url.href), { timeout: deadline.left() }).catch(timedOut(() => `the URL did not ${pattern.wording} ${waited}; it is ${page.url()}`, HINTS.slow));
    } else if (params.script) {
      await page.waitForFunction(params.script, undefined, { timeout: deadline.left(), polling: 100 }).catch(timedOut(`${clip(params.script, 80)} did not become true ${waited}`, HINTS.slow));
    } else {
      await waitForElement(page, targetFrom(params as Record<string, unknown>), params.state ?? 'visible', deadline);
    }
  },
});

async function waitForElement(page: Page, target: Target, state: ElementState, deadline: Deadline): Promise<void> {
  const all = locateAll(page, target);
  const visible = all.filter({ visible: true });
  const name = describeTarget(target);
  const waited = `(waited ${seconds(deadline.total)})`;
  // Of several matches, any one being visible counts; hidden means none is.
  const [locator, waitState]: [Locator, 'attached' | 'detached'] =
    state === 'visible' ? [visible, 'attached'] : state === 'hidden' ? [visible, 'detached'] : [all, state];
  await locator
    .first()
    .waitFor({ state: waitState, timeout: deadline.left() })
    .catch(
      timedOut(async () => {
        if (state === 'visible') return (await all.count()) ? `${name} is on the page but hidden ${waited}` : `${name} did not show up ${waited}`;
        if (state === 'hidden') return `${name} is still visible ${waited}`;
        if (state === 'attached') return `${name} did not show up ${waited}`;
        return `${name} is still on the page ${waited}`;
      }, HINTS.element),
    );
}

/** Turns Playwright's timeout into a plain message; other errors pass through. */
function timedOut(message: string | (() => string | Promise<string>), hint: string) {
  return async (error: Error): Promise<never> => {
    if (error.name !== 'TimeoutError') throw error;
    throw new StepProblem(typeof message === 'string' ? message : await message(), hint);
  };
}
