import { STATUS_CODES } from 'node:http';
import type { Page } from 'playwright-core';
import { StepProblem } from '../../runner/errors.js';
import { HINTS } from '../../runner/hints.js';
import type { JsonSchema } from '../../runner/json-schema.js';
import { Deadline, seconds } from './deadline.js';

export type WaitUntil = 'load' | 'domcontentloaded' | 'networkidle' | 'commit';
/** An HTTP status (404), a class of them ("4xx") or a range ("400-499"). */
type StatusPattern = number | string;

const STATUS_RANGE = '^\\s*([1-5]xx|[1-5]\\d\\d\\s*-\\s*[1-5]\\d\\d)\\s*$';
const statusPattern: JsonSchema = {
  anyOf: [
    { type: 'integer', minimum: 100, maximum: 599 },
    { type: 'string', pattern: STATUS_RANGE, description: 'A status is a number such as 404; a class of them is written 4xx, a range 400-499.' },
  ],
};

export const allowStatusSchema: JsonSchema = {
  description:
    'HTTP statuses of 400 and above that do not fail the step: a status (404), a class (4xx) or a range (500-503), or a list of them. Default: none; a page answering 400 or more fails the step, so that retry tries it again and an error page is never read as data.',
  examples: [[404], ['4xx', 503]],
  anyOf: [...statusPattern.anyOf!, { type: 'array', minItems: 1, items: statusPattern }],
};

/** An address as written, resolved against the page's current one; a plain message when it is no address. */
export function absoluteUrl(written: string, base: string | undefined): string {
  try {
    return new URL(written, base?.startsWith('http') ? base : undefined).href;
  } catch {
    throw new Error(`"${written}" is not a web address; write it in full, such as https://example.com/page`);
  }
}

/**
 * Opens `url` in `page`, failing in plain words when it cannot be reached, does not load in time,
 * or answers an HTTP error status that `allowStatus` does not allow. Returns the status.
 */
export async function openUrl(page: Page, url: string, options: { timeoutMs: number; waitUntil?: WaitUntil; allowStatus?: StatusPattern | StatusPattern[] }): Promise<number | undefined> {
  const waitUntil = options.waitUntil ?? 'load';
  // Ends before the step's own limit, so the failure names the page rather than the step's timeout.
  const deadline = new Deadline(options.timeoutMs);
  const response = await page.goto(url, { waitUntil, timeout: deadline.left() }).catch((error: Error) => {
    throw navigationProblem(error, url, waitUntil, deadline);
  });
  // No response: the same document, at another #anchor.
  if (!response) return undefined;
  const status = response.status();
  if (status >= 400 && !allows([options.allowStatus ?? []].flat(), status)) {
    const text = response.statusText() || STATUS_CODES[status] || '';
    throw new StepProblem(`the page answered HTTP ${status}${text ? ` ${text}` : ''}: ${response.url()}`, HINTS.status(status), response.url());
  }
  return status;
}

function allows(patterns: StatusPattern[], status: number): boolean {
  return patterns.some((pattern) => {
    if (typeof pattern === 'number') return pattern === status;
    const [low, high] = /^\s*[1-5]xx\s*$/.test(pattern) ? [Number(pattern.trim()[0]) * 100, Number(pattern.trim()[0]) * 100 + 99] : pattern.split('-').map(Number);
    return status >= Math.min(low, high) && status <= Math.max(low, high);
  });
}

/** Chromium's network error codes most often met, in words. */
const NET_ERRORS: Record<string, string> = {
  ERR_CONNECTION_REFUSED: 'nothing answers at this address',
  ERR_NAME_NOT_RESOLVED: 'no site has this name',
  ERR_INTERNET_DISCONNECTED: 'this machine is not connected to the internet',
  ERR_CONNECTION_TIMED_OUT: 'the site did not answer',
};

function navigationProblem(error: Error, url: string, waitUntil: WaitUntil, deadline: Deadline): Error {
  if (error.name === 'TimeoutError') return new StepProblem(`the page did not finish loading (waited ${seconds(deadline.total)} for "${waitUntil}"): ${url}`, HINTS.loading, url);
  const code = /net::(ERR_[A-Z0-9_]+)/.exec(error.message)?.[1];
  if (!code) return error;
  const said = NET_ERRORS[code] ?? (code.startsWith('ERR_CERT_') ? "the site's certificate is not trusted" : 'the page could not be opened');
  return new StepProblem(`${said} (${code}): ${url}`, HINTS.navigation, url);
}
