import type { Page } from 'playwright-core';
import { isHtmlContentType } from './non-html.js';
import { sleep } from '../../../runner/sleep.js';
import type { HostPacer } from './politeness.js';

/** The first wait before trying a page again; it doubles with each attempt. */
const FIRST_BACKOFF_MS = 500;

export interface LoadOptions {
  retries: number;
  pacer: HostPacer;
  timeoutMs: number;
  signal: AbortSignal;
  log(message: string): void;
}

export type Loaded = { html: true; finalUrl: string } | { html: false; contentType: string };

/**
 * Opens a crawled URL, trying again with back-off when it does not load or the server answers
 * 5xx (both may pass); 4xx is the server's final word and is not tried again. A download or a
 * response that is not HTML is reported as such, not rendered as a page.
 */
export async function loadPage(page: Page, url: string, options: LoadOptions): Promise<Loaded> {
  for (let attempt = 0; ; attempt++) {
    await options.pacer.wait(url, options.signal);
    let problem: string;
    try {
      const response = await page.goto(url, { waitUntil: 'load', timeout: options.timeoutMs });
      const status = response?.status() ?? 200;
      const contentType = response?.headers()['content-type'];
      if (status >= 400 && status < 500) throw new Error(`${url} answered HTTP ${status}`);
      if (status < 400) return isHtmlContentType(contentType) ? { html: true, finalUrl: page.url() } : { html: false, contentType: contentType ?? '' };
      problem = `answered HTTP ${status}`;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A download shows no Content-Type: the crawl names it a download.
      if (/Download is starting/i.test(message)) return { html: false, contentType: '' };
      if (/answered HTTP 4\d\d$/.test(message) || options.signal.aborted) throw error;
      problem = message.split('\n')[0];
    }
    if (attempt >= options.retries) throw new Error(`${url} could not be loaded (${attempt + 1} attempts): ${problem}`);
    const wait = FIRST_BACKOFF_MS * 2 ** attempt;
    options.log(`${url} ${problem}; trying again in ${wait} ms (attempt ${attempt + 2} of ${options.retries + 1})`);
    await sleep(wait, options.signal);
  }
}
