// The baseline: a bare Playwright script doing what bench/crawl-products.yaml does — the same
// navigations, the same extraction, the same concurrency, records appended to a JSONL file.
// Usage: node bench/bare-playwright.mjs BROWSER URLS_JSON OUT_JSONL CONCURRENCY
import { appendFileSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [executablePath, urlsFile, outFile, concurrencyText] = process.argv.slice(2);
const urls = JSON.parse(readFileSync(urlsFile, 'utf8'));
const concurrency = Number(concurrencyText ?? 2);

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext();
let next = 0;
async function worker() {
  const page = await context.newPage();
  while (next < urls.length) {
    const url = urls[next++];
    await page.goto(url);
    const record = await page.evaluate(() => {
      const text = (selector) => document.querySelector(selector)?.textContent?.trim() ?? null;
      return { name: text('h1.product-title'), price: text('.price'), sku: text('.sku'), stock: text('.stock') };
    });
    appendFileSync(outFile, `${JSON.stringify(record)}\n`);
  }
  await page.close();
}
await Promise.all(Array.from({ length: concurrency }, worker));
await browser.close();
