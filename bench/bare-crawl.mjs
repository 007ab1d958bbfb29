// The crawl benchmark's baseline: a bare Playwright breadth-first crawl doing what
// bench/site-crawl.yaml asks of flow's crawl step — one context, the same concurrency, the same
// normalisation (fragment dropped, utm_* dropped, host lower-cased and default port dropped by
// the URL parser), the same scope (same origin as the start, links to files that are not pages
// left out by their extension), waiting for each page's load event, reading every a[href] and
// the h1, one JSONL record per page.
// Usage: node bench/bare-crawl.mjs BROWSER START_URL OUT_JSONL CONCURRENCY
import { appendFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [executablePath, start, outFile, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText ?? 2);
const NOT_PAGES = new Set('pdf doc docx xls xlsx png jpg jpeg gif webp svg zip gz tar mp3 mp4 css js json xml csv txt'.split(' '));
const origin = new URL(start).origin;

function normalise(href, base) {
  let url;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  if (url.search) {
    const params = [...url.searchParams].filter(([name]) => !name.toLowerCase().startsWith('utm_'));
    url.search = new URLSearchParams(params).toString();
  }
  return url.href;
}

function inScope(href) {
  const url = new URL(href);
  const dot = url.pathname.lastIndexOf('.');
  const extension = dot > url.pathname.lastIndexOf('/') ? url.pathname.slice(dot + 1).toLowerCase() : '';
  return url.origin === origin && !NOT_PAGES.has(extension);
}

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext();
const seen = new Set([normalise(start)]);
const queue = [normalise(start)];
let inFlight = 0;
let wake = [];

async function worker() {
  const page = await context.newPage();
  for (;;) {
    const url = queue.shift();
    if (url === undefined) {
      if (inFlight === 0) break;
      await new Promise((resolve) => wake.push(resolve));
      continue;
    }
    inFlight++;
    try {
      await page.goto(url, { waitUntil: 'load' });
      const { title, hrefs } = await page.evaluate(() => ({
        title: document.querySelector('h1')?.textContent?.trim() ?? null,
        hrefs: Array.from(document.querySelectorAll('a[href]'), (a) => a.href),
      }));
      for (const href of hrefs) {
        const next = normalise(href, url);
        if (next && !seen.has(next)) {
          seen.add(next);
          if (inScope(next)) queue.push(next);
        }
      }
      appendFileSync(outFile, `${JSON.stringify({ title, url })}\n`);
    } finally {
      inFlight--;
      const waiting = wake;
      wake = [];
      for (const resolve of waiting) resolve();
    }
  }
  await page.close();
}
await Promise.all(Array.from({ length: concurrency }, worker));
await browser.close();
