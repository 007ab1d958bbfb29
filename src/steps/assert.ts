import type { Page } from 'playwright-core';
import { orExpression } from '../runner/json-schema.js';
import { seconds } from './support/deadline.js';
import { clip } from './support/names.js';
import { describeTarget, locate, locateAll, nameOf, targetValueSchema, toTarget } from './support/target.js';
import { normalizeSpace, regexFrom, textPattern } from './support/text-match.js';
import { defineStep } from './types.js';

interface AssertParams {
  visible?: unknown;
  hidden?: unknown;
  text?: unknown;
  url?: string;
  title?: string;
  count?: unknown;
  equals?: string | number;
  contains?: string;
  matches?: string;
  min?: number;
  max?: number;
}

const SUBJECTS = ['visible', 'hidden', 'text', 'url', 'title', 'count'] as const;
type Subject = (typeof SUBJECTS)[number];
/** Which comparisons each subject takes. */
const COMPARISONS: Record<Subject, readonly string[]> = {
  visible: [],
  hidden: [],
  text: ['equals', 'contains', 'matches'],
  url: [],
  title: [],
  count: ['equals', 'min', 'max'],
};
/** Like Playwright's expect: a check is retried for a while, as pages settle; a step timeout overrides it. */
const DEFAULT_WAIT_MS = 5000;
const POLL_MS = 100;

/** The outcome of one look at the page: passed, or what was found instead. */
type Check = { passed: true } | { passed: false; found: string };

export default defineStep<AssertParams>({
  kind: 'assert',
  summary: 'Check the page: an element is visible or hidden, a text, the URL, the title or a count; fails saying what was expected and what was found.',
  passive: true,
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          visible: targetValueSchema('This element or text is visible on the page.', ['Welcome back', '#cart .badge']),
          hidden: targetValueSchema('This element or text is hidden or absent.', ['.spinner']),
          text: targetValueSchema('The element whose text is checked with equals, contains or matches (the first match).', ['h1']),
          url: { type: 'string', minLength: 1, description: 'The page URL contains this text, matches this glob (`**/checkout`) or this /regular expression/.', examples: ['/checkout', '/orders\\/\\d+$/'] },
          title: { type: 'string', minLength: 1, description: 'The page title contains this text, matches this glob (with *) or this /regular expression/.', examples: ['Demo shop'] },
          count: targetValueSchema('The elements counted, checked with equals, min or max.', ['article.product-card']),
          equals: { type: ['string', 'number'], description: 'With text: the text, spaces collapsed. With count: the exact number.', examples: ['All products', 12] },
          contains: { type: 'string', description: 'With text: a part of the text.', examples: ['products'] },
          matches: { type: 'string', minLength: 1, description: 'With text: a regular expression the text matches; /.../i form for flags.', examples: ['^\\$\\d+\\.\\d{2}$'] },
          min: orExpression({ type: 'integer', minimum: 0, description: 'With count: at least this many.', examples: [1] }),
          max: orExpression({ type: 'integer', minimum: 0, description: 'With count: at most this many.', examples: [20] }),
        },
      },
    ],
  },
  examples: ['Welcome back', { hidden: '.spinner' }, { text: 'h1', equals: 'All products' }, { url: '**/checkout' }, { title: 'Demo shop' }, { count: 'article.product-card', min: 1, max: 20 }],
  normalize: (value) => (typeof value === 'string' ? { visible: value } : (value as Record<string, unknown>)),
  title: (params) => {
    const subject = SUBJECTS.find((key) => params[key] !== undefined);
    if (subject === 'url' || subject === 'title') return `assert ${subject === 'url' ? 'URL' : 'title'}: ${String(params[subject])}`;
    if (subject === 'text') return `assert text of ${nameOf(params.text)}${comparisonWords(params as AssertParams)}`;
    if (subject === 'count') return `assert count of ${nameOf(params.count)}${comparisonWords(params as AssertParams)}`;
    return subject ? `assert ${nameOf(params[subject])} is ${subject}` : 'assert';
  },
  async run(params, ctx, node) {
    const subjects = SUBJECTS.filter((key) => params[key] !== undefined);
    if (subjects.length !== 1) throw new Error(subjects.length ? `check one thing per assert, not ${subjects.join(' and ')}` : `say what to check: ${SUBJECTS.join(', ')}`);
    const subject = subjects[0];
    const comparisons = ['equals', 'contains', 'matches', 'min', 'max'].filter((key) => params[key as keyof AssertParams] !== undefined);
    const wrong = comparisons.filter((key) => !COMPARISONS[subject].includes(key));
    if (wrong.length) throw new Error(`${wrong.join(' and ')} does not apply to ${subject}${COMPARISONS[subject].length ? `; use ${COMPARISONS[subject].join(', ')}` : ''}`);
    if (subject === 'text' && comparisons.length > 1) throw new Error(`compare the text one way, not with ${comparisons.join(' and ')}`);
    if (COMPARISONS[subject].length && !comparisons.length) throw new Error(`say what the ${subject} should be: ${COMPARISONS[subject].join(', ')}`);

    const page = await ctx.page();
    const check = checker(page, subject, params);
    const waitMs = Math.min(node.options.timeoutMs ?? DEFAULT_WAIT_MS, ctx.timeoutMs - Math.min(1000, ctx.timeoutMs * 0.1));
    const end = Date.now() + waitMs;
    for (;;) {
      const outcome = await check.look();
      if (outcome.passed) return;
      if (Date.now() >= end || ctx.signal.aborted) throw new Error(`expected ${check.expected}, but ${outcome.found} (checked for ${seconds(waitMs)})`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, end - Date.now()))));
    }
  },
});

function comparisonWords(params: AssertParams): string {
  const words: string[] = [];
  if (params.equals !== undefined) words.push(typeof params.equals === 'number' ? `= ${params.equals}` : `equals "${clip(String(params.equals))}"`);
  if (params.contains !== undefined) words.push(`contains "${clip(params.contains)}"`);
  if (params.matches !== undefined) words.push(`matches ${clip(params.matches)}`);
  if (params.min !== undefined) words.push(`≥ ${params.min}`);
  if (params.max !== undefined) words.push(`≤ ${params.max}`);
  return words.length ? ` ${words.join(', ')}` : '';
}

function checker(page: Page, subject: Subject, params: AssertParams): { expected: string; look(): Promise<Check> } {
  switch (subject) {
    case 'visible':
    case 'hidden': {
      const target = toTarget(params[subject]);
      const all = locateAll(page, target);
      const name = describeTarget(target);
      return {
        expected: `${name} to be ${subject}`,
        async look() {
          const visible = await all.filter({ visible: true }).count();
          if (subject === 'visible') return visible ? { passed: true } : { passed: false, found: (await all.count()) ? 'it is on the page but hidden' : 'it is not on the page' };
          return visible ? { passed: false, found: visible > 1 ? `${visible} of them are visible` : 'it is visible' } : { passed: true };
        },
      };
    }
    case 'text': {
      const target = toTarget(params.text);
      const element = locate(page, target);
      const name = describeTarget(target);
      const test = textTest(params);
      return {
        expected: `the text of ${name} to ${test.wording}`,
        async look() {
          if (!(await element.count())) return { passed: false, found: `no element matches ${name}` };
          const text = normalizeSpace(await element.innerText({ timeout: 1000 }).catch(() => ''));
          return test.test(text) ? { passed: true } : { passed: false, found: `it is "${clip(text, 200)}"` };
        },
      };
    }
    case 'url':
    case 'title': {
      const pattern = textPattern(String(params[subject]));
      return {
        expected: `the ${subject === 'url' ? 'URL' : 'title'} to ${pattern.wording}`,
        async look() {
          const actual = subject === 'url' ? page.url() : await page.title();
          return pattern.test(actual) ? { passed: true } : { passed: false, found: `it is "${actual}"` };
        },
      };
    }
    case 'count': {
      const target = toTarget(params.count);
      const all = locateAll(page, target);
      const name = describeTarget(target);
      const equals = params.equals === undefined ? undefined : Number(params.equals);
      if (equals !== undefined && !Number.isInteger(equals)) throw new Error(`equals must be a whole number to compare a count, but it is ${JSON.stringify(params.equals)}`);
      const bounds = [equals !== undefined && `exactly ${equals}`, params.min !== undefined && `at least ${params.min}`, params.max !== undefined && `at most ${params.max}`].filter(Boolean).join(' and ');
      return {
        expected: `${bounds} elements matching ${name}`,
        async look() {
          const count = await all.count();
          const passed = (equals === undefined || count === equals) && (params.min === undefined || count >= Number(params.min)) && (params.max === undefined || count <= Number(params.max));
          return passed ? { passed: true } : { passed: false, found: `found ${count}` };
        },
      };
    }
  }
}

function textTest(params: AssertParams): { wording: string; test(text: string): boolean } {
  if (params.equals !== undefined) {
    const wanted = normalizeSpace(String(params.equals));
    return { wording: `equal "${clip(wanted, 200)}"`, test: (text) => text === wanted };
  }
  if (params.contains !== undefined) {
    const part = normalizeSpace(params.contains);
    return { wording: `contain "${clip(part, 200)}"`, test: (text) => text.includes(part) };
  }
  const regex = regexFrom(params.matches!);
  return { wording: `match ${params.matches}`, test: (text) => regex.test(text) };
}
