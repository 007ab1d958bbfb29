// The crawl benchmarks' crawlee variant: crawlee's PlaywrightCrawler with enqueueLinks doing
// what bench/bare-crawl.mjs and flow's crawl step do — the same Chromium (flow's playwright-core,
// the executable flow found), the same flags, concurrency, normalisation and scope
// (../crawl-rules.mjs), the h1 and the URL of every page that answered with HTML, one JSONL
// record each. Everything else is crawlee's default (its browser pool, fingerprints, session
// pool, autoscaling on memory); MEMORY_MB, when given, is crawlee's memory setting (memoryMbytes, as
// CRAWLEE_MEMORY_MBYTES), which its autoscaled pool scales concurrency down to stay under.
// Usage: node bench/crawlee/crawl.mjs BROWSER START_URL OUT_JSONL CONCURRENCY [MEMORY_MB]
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, PlaywrightCrawler } from '@crawlee/playwright';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, inScope, isDownload, isPageAnswer, normalise } from '../crawl-rules.mjs';

const [executablePath, start, outFile, concurrencyText, memoryText] = process.argv.slice(2);
const concurrency = Number(concurrencyText ?? 2);
// Nothing survives a run: crawlee's storage goes to a folder of its own, purged and then removed.
const storage = mkdtempSync(join(tmpdir(), 'flow-bench-crawlee-'));
const config = new Configuration({
  purgeOnStart: true,
  storageClientOptions: { localDataDirectory: storage },
  // crawlee counts the machine's CPU overloaded above 95% busy and then runs one page at a time:
  // on 2 shared cores that was the whole crawl, whatever the other crawlers did. The others run
  // two pages at a time throughout, so crawlee's CPU signal is off; its memory signal stays on.
  maxUsedCpuRatio: 1,
  ...(memoryText ? { memoryMbytes: Number(memoryText) } : {}),
});

/** One spelling per page, as flow's: crawlee's own uniqueKey would also sort the query and drop a trailing slash. */
function asFlowWould(request) {
  const url = normalise(request.url);
  if (!url || !inScope(url, start)) return false;
  return { ...request, url, uniqueKey: url };
}

const crawler = new PlaywrightCrawler(
  {
    launchContext: { launcher: chromium, launchOptions: { executablePath, headless: true, args: CHROMIUM_ARGS } },
    // Starts at the concurrency the others run at; crawlee lowers it (to 1) when its memory is overloaded.
    maxConcurrency: concurrency,
    autoscaledPoolOptions: { desiredConcurrency: concurrency },
    // flow's default; a page that fails with all three runs is not recorded, as with flow.
    maxRequestRetries: 2,
    async requestHandler({ page, request, response, enqueueLinks }) {
      if (!isPageAnswer(response)) return;
      await enqueueLinks({ strategy: 'same-origin', transformRequestFunction: asFlowWould });
      const title = await page.evaluate(() => document.querySelector('h1')?.textContent?.trim() ?? null);
      appendFileSync(outFile, `${JSON.stringify({ title, url: request.url })}\n`);
    },
    // A download is not a page (flow and bare pass it over at once): no further attempts.
    errorHandler({ request }, error) {
      if (isDownload(error)) request.noRetry = true;
    },
    failedRequestHandler({ request }, error) {
      if (!isDownload(error)) console.error(`page failed: ${request.url}: ${error.message}`);
    },
  },
  config,
);
try {
  await crawler.run([{ url: normalise(start), uniqueKey: normalise(start) }]);
} finally {
  rmSync(storage, { recursive: true, force: true });
}
