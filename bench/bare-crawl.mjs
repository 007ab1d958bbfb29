// The crawl benchmarks' baseline: a bare Playwright breadth-first crawl doing what
// bench/site-crawl.yaml asks of flow's crawl step — one context, the same concurrency, the same
// normalisation and scope (bench/crawl-rules.mjs), waiting for each page's load event, reading
// every a[href] and the h1, one JSONL record per page that answered with HTML (a broken link or
// a download is passed over, as flow passes over it).
// Usage: node bench/bare-crawl.mjs BROWSER START_URL OUT_JSONL CONCURRENCY
import { appendFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, inScope, isDownload, isPageAnswer, normalise } from './crawl-rules.mjs';

const [executablePath, start, outFile, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText ?? 2);

const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
const context = await browser.newContext();
const seen = new Set([normalise(start)]);
const queue = [normalise(start)];
let inFlight = 0;
let wake = [];

/** Opens a URL; false when its answer is not a page. */
async function open(page, url) {
  try {
    return isPageAnswer(await page.goto(url, { waitUntil: 'load' }));
  } catch (error) {
    if (isDownload(error)) return false;
    throw error;
  }
}

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
      if (!(await open(page, url))) continue;
      const { title, hrefs } = await page.evaluate(() => ({
        title: document.querySelector('h1')?.textContent?.trim() ?? null,
        hrefs: Array.from(document.querySelectorAll('a[href]'), (a) => a.href),
      }));
      for (const href of hrefs) {
        const next = normalise(href, url);
        if (next && !seen.has(next)) {
          seen.add(next);
          if (inScope(next, start)) queue.push(next);
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
