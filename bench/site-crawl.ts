/**
 * `npm run bench:crawl`: a breadth-first crawl of a generated site of BENCH_SITE_PAGES pages
 * (default 1200; bench/serve-site.ts, served on 127.0.0.1 from a process of its own), two pages
 * at a time, as (a) a bare Playwright crawl (bench/bare-crawl.mjs), (b) flow's crawl step with
 * no policy, (c) the same under policies/low-memory.yaml — BENCH_RUNS times each (default 3),
 * interleaved, in one session. Memory is PSS summed over each variant's whole process tree
 * (Node and every Chromium process), read from outside. Every variant must visit exactly the
 * URLs bare Playwright visited, or the benchmark stops. Writes bench/site-crawl-results.json and
 * its section of BENCHMARKS.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../src/browser/find.js';
import { browserVersion } from './browser-version.js';
import { startServerProcess } from './child-server.js';
import { assertSameUrls, type CrawlMeasure, fillBenchmarksSection, measureCrawl, medianOf } from './crawl-measure.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGES = Number(process.env.BENCH_SITE_PAGES ?? 1200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = 2;

const browser = findBrowser();
if (!browser) throw new Error('no browser found: set FLOW_BROWSER');
const server = await startServerProcess(join(root, 'bench/serve-site.ts'));
const work = mkdtempSync(join(tmpdir(), 'flow-bench-crawl-'));
const start = `${server.url}/p/0.html`;

const flowArgs = (out: string, ...extra: string[]) => [join(root, 'bin/flow.js'), 'run', join(root, 'bench/site-crawl.yaml'), '--var', `start=${start}`, '--out', out, '--quiet', ...extra];
const variants: Record<string, (out: string) => string[]> = {
  'bare Playwright': (out) => [join(root, 'bench/bare-crawl.mjs'), browser.path, start, join(out, 'dataset.jsonl'), String(CONCURRENCY)],
  'flow, no policy': (out) => flowArgs(out),
  'flow, low-memory': (out) => flowArgs(out, '--policy', join(root, 'policies/low-memory.yaml')),
  // BENCH_POLICIES=a.yaml,b.yaml: more variants, to compare policies on this crawl.
  ...Object.fromEntries((process.env.BENCH_POLICIES ?? '').split(',').filter(Boolean).map((file) => [`flow, ${basename(file)}`, (out: string) => flowArgs(out, '--policy', resolve(file))])),
};

let expected: string[] | undefined;

async function measureVariant(name: string, args: string[], out: string): Promise<CrawlMeasure> {
  const { measure, urls } = await measureCrawl(args, out, { FLOW_BROWSER: browser!.path, CI: '1', BENCH_SITE_PAGES: String(PAGES) });
  expected ??= urls;
  assertSameUrls(name, urls, expected);
  return measure;
}

const load = [loadavg()[0]];
const results: Record<string, CrawlMeasure[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, args] of Object.entries(variants)) {
      const out = join(work, `${name.replace(/\W+/g, '-')}-${run}`);
      const measured = await measureVariant(name, args(out), out);
      results[name].push(measured);
      load.push(loadavg()[0]);
      console.log(`run ${run} ${name}: ${measured.wallSeconds.toFixed(1)} s, ${measured.pagesPerSecond.toFixed(2)} pages/s, peak ${measured.peakPssMb.toFixed(0)} MB PSS, ${measured.pages} pages; load average ${loadavg()[0].toFixed(2)}`);
    }
  }
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}

const medians = Object.fromEntries(Object.entries(results).map(([name, runs]) => [name, medianOf(runs)]));
const bare = medians['bare Playwright'];
const ratios = Object.fromEntries(Object.entries(medians).map(([name, m]) => [name, { pagesPerSecond: m.pagesPerSecond / bare.pagesPerSecond, peakPss: m.peakPssMb / bare.peakPssMb, wallTime: m.wallSeconds / bare.wallSeconds }]));
const summary = {
  command: [process.env.BENCH_SITE_PAGES && `BENCH_SITE_PAGES=${PAGES}`, process.env.BENCH_RUNS && `BENCH_RUNS=${RUNS}`, process.env.BENCH_POLICIES && `BENCH_POLICIES=${process.env.BENCH_POLICIES}`, 'npm run bench:crawl'].filter(Boolean).join(' '),
  date: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, ${browserVersion(browser.path)}`,
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  pages: PAGES,
  runs: RUNS,
  medians,
  ratios,
  runsRaw: results,
};
writeFileSync(join(root, 'bench/site-crawl-results.json'), `${JSON.stringify(summary, null, 2)}\n`);

const rows = Object.entries(medians).map(([name, m]) => {
  const r = ratios[name];
  return `| ${name} | ${m.pages} | ${m.wallSeconds.toFixed(1)} | ${m.pagesPerSecond.toFixed(2)} (${r.pagesPerSecond.toFixed(2)}x) | ${m.peakPssMb.toFixed(0)} (${r.peakPss.toFixed(2)}x) |`;
});
const table = [
  '<!-- site-crawl:start -->',
  `\`${summary.command}\`: crawl of a generated ${PAGES}-page site, concurrency ${CONCURRENCY}, median of ${RUNS} interleaved runs, ${summary.date.slice(0, 10)}, ${summary.machine}; 1-minute load average ${summary.loadAverage.min.toFixed(2)} to ${summary.loadAverage.max.toFixed(2)} during the session. Ratios are against bare Playwright in the same session; every variant visited the same ${bare.pages} URLs.`,
  '',
  '| variant | pages | wall s | pages/s | peak PSS MB |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '<!-- site-crawl:end -->',
].join('\n');
fillBenchmarksSection(root, 'site-crawl', table);
console.log(table);
