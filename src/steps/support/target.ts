import type { Locator, Page } from 'playwright-core';
import type { JsonSchema } from '../../runner/json-schema.js';
import { StepProblem, withoutColours } from '../../runner/errors.js';
import { HINTS } from '../../runner/hints.js';
import { Deadline, seconds } from './deadline.js';

/**
 * How steps name an element. A bare string is matched the way a person reads the page: a CSS
 * selector when it looks like one, otherwise visible text (a button, link or label first).
 */
export interface Target {
  selector?: string;
  text?: string;
  role?: string;
  name?: string;
  label?: string;
  placeholder?: string;
  testId?: string;
  /** Which match to use when several do; 0-based, -1 for the last. */
  nth?: number;
}

/**
 * What the element is for, which decides how visible text finds it: an `element` is something
 * to click (a button, link or text), a `field` something to type into or tick (by its label or
 * placeholder).
 */
export type TargetPurpose = 'element' | 'field';

export const TARGET_KEYS = ['selector', 'text', 'role', 'name', 'label', 'placeholder', 'testId', 'nth'] as const;

export const targetProperties: Record<string, JsonSchema> = {
  selector: { type: 'string', minLength: 1, description: 'A CSS selector, or any Playwright selector (text=..., xpath=...).', examples: ['button.primary'] },
  text: { type: 'string', minLength: 1, description: 'Visible text of the element.', examples: ['Sign in'] },
  role: { type: 'string', description: 'ARIA role, such as button, link, textbox; with `name` for its accessible name.', examples: ['button'] },
  name: { type: 'string', description: 'Accessible name, with `role`.', examples: ['Sign in'] },
  label: { type: 'string', description: 'The label of a form field.', examples: ['Email'] },
  placeholder: { type: 'string', description: 'The placeholder text of a form field.', examples: ['Search'] },
  testId: { type: 'string', description: 'The data-testid attribute.', examples: ['submit'] },
  nth: { type: 'integer', description: 'Which match to use when several do: 0 for the first, -1 for the last.', examples: [0] },
};

const HTML_TAGS = new Set(['a', 'button', 'input', 'select', 'textarea', 'form', 'div', 'span', 'img', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'table', 'tr', 'td', 'th', 'p', 'label', 'nav', 'main', 'header', 'footer', 'section', 'article', 'body', 'option', 'iframe', 'video', 'summary', 'details', 'dialog', 'aside']);

/**
 * Whether a bare string reads as a selector rather than as visible text: it starts with # . [
 * or an engine prefix, or with an HTML tag name alone or followed by selector punctuation.
 */
export function looksLikeSelector(value: string): boolean {
  const text = value.trim();
  if (/^[#.[*]/.test(text) || /^(css|xpath|text|id|data-testid|role|internal:[a-z-]+)=/.test(text) || text.startsWith('//')) return true;
  const tag = /^([a-z][a-z0-9]*)(?=$|[#.[:>~+ ])/.exec(text);
  if (!tag || !HTML_TAGS.has(tag[1])) return false;
  const rest = text.slice(tag[1].length);
  return rest === '' || /^[#.[:]/.test(rest) || /^\s*[>~+]/.test(rest) || /^\s+[a-z#.[]/.test(rest) && !/\s[a-z]+\s[a-z]+$/i.test(rest) && !/[A-Z]/.test(rest);
}

export function targetFromString(value: string): Target {
  return looksLikeSelector(value) ? { selector: value } : { text: value };
}

/** A target is given either as a string or by the target keys inside the step's mapping. */
export function targetFrom(params: Record<string, unknown>): Target {
  const target: Target = {};
  for (const key of TARGET_KEYS) if (params[key] !== undefined) (target as Record<string, unknown>)[key] = params[key];
  return target;
}

/** A parameter that names an element: a string (selector or text) or a mapping of target keys. */
export function toTarget(value: unknown): Target {
  if (typeof value === 'string') return targetFromString(value);
  if (value && typeof value === 'object') return targetFrom(value as Record<string, unknown>);
  throw new Error(`an element is named by a selector, its text or a mapping such as { label: Email }, not ${JSON.stringify(value)}`);
}

export function hasTarget(params: Record<string, unknown>): boolean {
  return TARGET_KEYS.some((key) => key !== 'nth' && params[key] !== undefined);
}

export function describeTarget(target: Target): string {
  if (target.selector) return target.selector;
  if (target.text) return `"${target.text}"`;
  if (target.role) return `${target.role}${target.name ? ` "${target.name}"` : ''}`;
  if (target.label) return `field "${target.label}"`;
  if (target.placeholder) return `field with placeholder "${target.placeholder}"`;
  if (target.testId) return `test id "${target.testId}"`;
  return 'element';
}

/** How a step's title names an element given as a parameter; never fails, even on a malformed value. */
export function nameOf(value: unknown): string {
  if (typeof value === 'string') return describeTarget(targetFromString(value));
  if (value && typeof value === 'object') return describeTarget(targetFrom(value as Record<string, unknown>));
  return String(value);
}

/** Every element the target names, in page order (visible text: any element showing it). */
export function locateAll(page: Page, target: Target): Locator {
  if (target.selector) return page.locator(target.selector);
  if (target.role) return page.getByRole(target.role as Parameters<Page['getByRole']>[0], target.name ? { name: target.name } : undefined);
  if (target.label) return page.getByLabel(target.label);
  if (target.placeholder) return page.getByPlaceholder(target.placeholder);
  if (target.testId) return page.getByTestId(target.testId);
  if (target.text) {
    const text = target.text;
    return page.getByRole('button', { name: text }).or(page.getByRole('link', { name: text })).or(page.getByText(text));
  }
  throw new Error('no element given: use a selector, text, role, label, placeholder or testId');
}

/** The one element the target names: its `nth` match, else the first. */
export function locate(page: Page, target: Target): Locator {
  return pick(locateAll(page, target), target.nth);
}

function pick(locator: Locator, nth: number | undefined): Locator {
  if (nth === undefined) return locator.first();
  return nth < 0 ? locator.last() : locator.nth(nth);
}

/** Ways visible text can name an element, best first: exact matches before partial ones. */
function textCandidates(page: Page, text: string, purpose: TargetPurpose): Locator[] {
  if (purpose === 'field') {
    return [page.getByLabel(text, { exact: true }), page.getByPlaceholder(text, { exact: true }), page.getByLabel(text), page.getByPlaceholder(text)];
  }
  return [
    page.getByRole('button', { name: text, exact: true }),
    page.getByRole('link', { name: text, exact: true }),
    page.getByText(text, { exact: true }),
    page.getByRole('button', { name: text }),
    page.getByRole('link', { name: text }),
    page.getByText(text),
  ];
}

const POLL_MS = 100;

/**
 * The element to act on. A selector, role, label... is used as written (Playwright waits for
 * it during the action). Visible text is looked up the way a person would: a visible button or
 * link with exactly that name beats an element merely containing the words, so "Sign in" does
 * not land on a paragraph saying "Sign in to continue" above the button. Waits until one
 * shows up, up to the deadline.
 */
export async function findTarget(page: Page, target: Target, purpose: TargetPurpose, deadline: Deadline): Promise<Locator> {
  if (!target.text) return locate(page, target);
  const candidates = textCandidates(page, target.text, purpose).map((locator) => locator.filter({ visible: true }));
  for (;;) {
    const counts = await Promise.all(candidates.map((locator) => locator.count()));
    const found = counts.findIndex((count) => count > 0);
    if (found >= 0) return pick(candidates[found], target.nth);
    if (deadline.left() <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline.left())));
  }
  const hidden = await Promise.all(textCandidates(page, target.text, purpose).map((locator) => locator.count()));
  const what = purpose === 'field' ? `no field labelled "${target.text}"` : `nothing on the page shows "${target.text}"`;
  if (hidden.some((count) => count > 0)) throw new StepProblem(`"${target.text}" is on the page but hidden (waited ${seconds(deadline.total)})`, HINTS.element);
  throw new StepProblem(`${what} (waited ${seconds(deadline.total)})`, HINTS.element);
}

/**
 * Runs a Playwright action on an element and, when it times out, says why in plain words:
 * missing, hidden, disabled, or the reason Playwright last logged (another element on top...).
 */
export async function actOn<T>(locator: Locator, description: string, deadline: Deadline, action: (timeout: number) => Promise<T>): Promise<T> {
  try {
    return await action(Math.max(1, deadline.left()));
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TimeoutError') throw error;
    throw new StepProblem(await whyNotReady(locator, description, error, deadline.total), HINTS.element);
  }
}

async function whyNotReady(locator: Locator, description: string, error: Error, waitedMs: number): Promise<string> {
  const waited = `(waited ${seconds(waitedMs)})`;
  const count = await locator.count().catch(() => -1);
  if (count === 0) return `no element matches ${description} ${waited}`;
  if (count > 0) {
    if (!(await locator.isVisible().catch(() => true))) return `${description} is on the page but hidden ${waited}`;
    if (!(await locator.isEnabled({ timeout: 1000 }).catch(() => true))) return `${description} is disabled ${waited}`;
  }
  // Playwright's call log ends with what it was still waiting for, such as "<div> intercepts pointer events".
  const lastLogLine = withoutColours(error.message)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('- ') && !/^- (waiting for|attempting|retrying|waiting \d+ms)/.test(line))
    .pop();
  return `${description} did not become ready ${waited}${lastLogLine ? `: ${lastLogLine.slice(2)}` : ''}`;
}

/** Schema of a parameter naming an element: a string, or a mapping of target keys. */
export function targetValueSchema(description: string, examples: unknown[]): JsonSchema {
  return {
    description,
    examples,
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'object', additionalProperties: false, properties: targetProperties, minProperties: 1 },
    ],
  };
}

/** Schema of a step whose value is a target: a string, or a mapping of target keys plus extras. */
export function targetStepSchema(extra: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema {
  return {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'object', additionalProperties: false, properties: { ...targetProperties, ...extra }, minProperties: 1, ...(required.length ? { required } : {}) },
    ],
  };
}
