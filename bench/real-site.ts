/**
 * `npm run bench:real` (issues 11 and 14): flow against bare Playwright and crawlee on crawls of
 * (a) a real site nobody here wrote, Python's documentation as Debian packages it (install it
 * with `apt-get install -y python3-doc`; without it the benchmark says so and exits 2), and
 * (b) the light and heavy pages of bench/crawl.ts (bench/workload-pages.ts), BENCH_PAGES (150)
 * visits of each reached from an index page. Each is served on 127.0.0.1 from a process of its
 * own and crawled breadth first, two pages at a time, same origin, by bare Playwright
 * (bench/bare-crawl.mjs), flow's crawl step (bench/site-crawl.yaml) with no policy, under
 * policies/low-memory.yaml and under `--budget 700MB`, and crawlee's PlaywrightCrawler
 * (bench/crawlee/crawl.mjs) with its default memory setting and with 700 MB — BENCH_RUNS times
 * (3), interleaved. crawlee is installed on demand into bench/crawlee/. Memory is PSS summed over
 * each variant's whole process tree, read from outside. Every variant must visit exactly the
 * URLs bare Playwright visited, or the benchmark stops. Writes bench/real-site-results.json and
 * its section of BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../src/browser/find.js';
import { browserVersion } from './browser-version.js';
import { startServerProcess } from './child-server.js';
import { assertSameUrls, type CrawlMeasure, fillBenchmarksSection, measureCrawl, medianOf } from './crawl-measure.js';
import { copySite, findPythonDocs } from './python-docs.js';
import { writeVisitIndex, writeWorkloadPages } from './workload-pages.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const VISITS = Number(process.env.BENCH_PAGES ?? 150);
const CONCURRENCY = 2;
const BUDGET_MB = 700;
const crawleeDir = join(root, 'bench/crawlee');

const site = findPythonDocs();
if (!site) {
  console.error('bench:real crawls Python\'s documentation as Debian installs it, and it is not installed: apt-get install -y python3-doc');
  process.exit(2);
}
const browser = findBrowser();
if (!browser) throw new Error('no browser found: set FLOW_BROWSER');

// crawlee has a package.json of its own, so that flow's dependencies and CI do not grow with it.
if (!existsSync(join(crawleeDir, 'node_modules'))) {
  console.log('installing crawlee into bench/crawlee (once)');
  if (spawnSync('npm', ['install', '--prefix', crawleeDir, '--no-audit', '--no-fund'], { stdio: 'inherit' }).status !== 0) throw new Error('npm install --prefix bench/crawlee failed');
}
const crawleeVersion = JSON.parse(readFileSync(join(crawleeDir, 'node_modules/@crawlee/playwright/package.json'), 'utf8')).version as string;

const work = mkdtempSync(join(tmpdir(), 'flow-bench-real-'));
copySite(site, join(work, 'real'));
const heldOut = join(work, 'held-out');
writeWorkloadPages(heldOut);
writeVisitIndex(heldOut, 'light', VISITS);
writeVisitIndex(heldOut, 'heavy', VISITS);
const realServer = await startServerProcess(join(root, 'bench/serve-folder.ts'), [join(work, 'real')]);
const heldOutServer = await startServerProcess(join(root, 'bench/serve-folder.ts'), [heldOut]);
const workloads: Record<string, string> = {
  'python docs': `${realServer.url}/index.html`,
  light: `${heldOutServer.url}/light/index.html`,
  heavy: `${heldOutServer.url}/heavy/index.html`,
};

type Variant = (start: string, out: string) => string[];
const bare: Variant = (start, out) => [join(root, 'bench/bare-crawl.mjs'), browser.path, start, join(out, 'dataset.jsonl'), String(CONCURRENCY)];
const flow = (...extra: string[]): Variant => (start, out) => [join(root, 'bin/flow.js'), 'run', join(root, 'bench/site-crawl.yaml'), '--var', `start=${start}`, '--out', out, '--quiet', ...extra];
const crawlee = (...memoryMb: string[]): Variant => (start, out) => [join(crawleeDir, 'crawl.mjs'), browser.path, start, join(out, 'dataset.jsonl'), String(CONCURRENCY), ...memoryMb];
const variants: Record<string, Variant> = {
  'bare Playwright': bare,
  'flow, no policy': flow(),
  'flow, low-memory': flow('--policy', join(root, 'policies/low-memory.yaml')),
  [`flow, --budget ${BUDGET_MB}MB`]: flow('--budget', `${BUDGET_MB}MB`),
  'crawlee, default memory': crawlee(),
  [`crawlee, memoryMbytes ${BUDGET_MB}`]: crawlee(String(BUDGET_MB)),
};

/** Per workload, the URLs bare Playwright visited in its first run. */
const expected = new Map<string, string[]>();
const load = [loadavg()[0]];
const results: Record<string, Record<string, CrawlMeasure[]>> = Object.fromEntries(Object.keys(workloads).map((w) => [w, Object.fromEntries(Object.keys(variants).map((v) => [v, []]))]));
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const [workload, start] of Object.entries(workloads)) {
      for (const [name, args] of Object.entries(variants)) {
        const out = join(work, 'runs', `${workload}-${name}-${run}`.replace(/\W+/g, '-'));
        const { measure, urls } = await measureCrawl(args(start, out), out, { FLOW_BROWSER: browser.path, CI: '1' });
        if (!expected.has(workload)) expected.set(workload, urls);
        assertSameUrls(`${name} on ${workload}`, urls, expected.get(workload)!);
        results[workload][name].push(measure);
        load.push(loadavg()[0]);
        console.log(`run ${run} ${workload} ${name}: ${measure.wallSeconds.toFixed(1)} s, ${measure.pagesPerSecond.toFixed(2)} pages/s, peak ${measure.peakPssMb.toFixed(0)} MB PSS, ${measure.pages} pages; load average ${loadavg()[0].toFixed(2)}`);
      }
    }
  }
} finally {
  realServer.close();
  heldOutServer.close();
  rmSync(work, { recursive: true, force: true });
}

const medians = Object.fromEntries(Object.entries(results).map(([workload, byVariant]) => [workload, Object.fromEntries(Object.entries(byVariant).map(([name, runs]) => [name, medianOf(runs)]))]));
const summary = {
  command: [process.env.BENCH_PAGES && `BENCH_PAGES=${VISITS}`, process.env.BENCH_RUNS && `BENCH_RUNS=${RUNS}`, 'npm run bench:real'].filter(Boolean).join(' '),
  date: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, ${browserVersion(browser.path)}`,
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  site: site.name,
  crawlee: `@crawlee/playwright ${crawleeVersion}`,
  concurrency: CONCURRENCY,
  budgetMb: BUDGET_MB,
  runs: RUNS,
  medians,
  runsRaw: results,
};
writeFileSync(join(root, 'bench/real-site-results.json'), `${JSON.stringify(summary, null, 2)}\n`);

const tables = Object.entries(medians).flatMap(([workload, m]) => {
  const base = m['bare Playwright'];
  return [
    `**${workload}** (${workload === 'python docs' ? site.name : `${VISITS} visits of bench/workload-pages.ts's ${workload} pages and their index`})`,
    '',
    `| variant | pages | pages/s (x bare) | peak PSS MB (x bare) | under ${BUDGET_MB} MB |`,
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(m).map(([name, v]) => `| ${name} | ${v.pages} | ${v.pagesPerSecond.toFixed(2)} (${(v.pagesPerSecond / base.pagesPerSecond).toFixed(2)}x) | ${v.peakPssMb.toFixed(0)} (${(v.peakPssMb / base.peakPssMb).toFixed(2)}x) | ${v.peakPssMb < BUDGET_MB ? 'yes' : 'no'} |`),
    '',
  ];
});
const section = [
  '<!-- real-site:start -->',
  `\`${summary.command}\`: crawls at concurrency ${CONCURRENCY}, same origin, median of ${RUNS} interleaved runs, ${summary.date.slice(0, 10)}, ${summary.machine}, ${summary.crawlee}; 1-minute load average ${summary.loadAverage.min.toFixed(2)} to ${summary.loadAverage.max.toFixed(2)} during the session. Ratios are against bare Playwright in the same session; on each workload every variant visited the same URLs.`,
  '',
  ...tables,
  '<!-- real-site:end -->',
].join('\n');
fillBenchmarksSection(root, 'real-site', section);
console.log(section);
