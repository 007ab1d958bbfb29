/**
 * `npm run bench`: a 300-page crawl of the demo shop, concurrency 2, run as (a) a bare
 * Playwright script, (b) flow with no policy, (c) flow with policies/low-memory.yaml — three
 * times each, interleaved, on one machine in one session. Memory is measured from outside:
 * PSS summed over each variant's whole process tree (Node and every Chromium process).
 * Writes bench/results.json and the table in BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../src/browser/find.js';
import { listDescendants, readMemory } from '../src/memory/processes.js';
import { memoryStats } from '../src/memory/stats.js';
import { browserVersion } from './browser-version.js';
import { startServerProcess } from './child-server.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGES = Number(process.env.BENCH_PAGES ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// Each reading of a large process costs the harness milliseconds of CPU: often enough to catch
// the peak, rarely enough not to slow the variants that use more memory.
const SAMPLE_EVERY_MS = 500;

interface Measure {
  wallSeconds: number;
  pagesPerSecond: number;
  peakPssMb: number;
  meanPssMb: number;
  slopeMbPerPage: number;
  records: number;
}

const browser = findBrowser();
if (!browser) throw new Error('no browser found: set FLOW_BROWSER');
const server = await startServerProcess(join(root, 'bench/serve-demo.ts'));
const work = mkdtempSync(join(tmpdir(), 'flow-bench-'));
const urlsFile = join(work, 'urls.json');
const urls = Array.from({ length: PAGES }, (_, i) => `${server.url}/products/p-${String((i % 50) + 1).padStart(3, '0')}.html?visit=${i}`);
writeFileSync(urlsFile, JSON.stringify(urls));

const variants: Record<string, (out: string) => string[]> = {
  'bare Playwright': (out) => [join(root, 'bench/bare-playwright.mjs'), browser.path, urlsFile, join(out, 'dataset.jsonl'), '2'],
  'flow, no policy': (out) => [join(root, 'bin/flow.js'), 'run', join(root, 'bench/crawl-products.yaml'), '--var', `urlsFile=${urlsFile}`, '--out', out, '--quiet'],
  'flow, low-memory': (out) => [join(root, 'bin/flow.js'), 'run', join(root, 'bench/crawl-products.yaml'), '--var', `urlsFile=${urlsFile}`, '--out', out, '--quiet', '--policy', join(root, 'policies/low-memory.yaml')],
};

let expected: string | undefined;

/** Runs one variant as a child process and samples the PSS of its process tree. */
async function measure(args: string[], out: string): Promise<Measure> {
  mkdirSync(out, { recursive: true });
  const dataset = join(out, 'dataset.jsonl');
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FLOW_BROWSER: browser!.path, CI: '1' } });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const series: { t: number; mb: number; pages: number }[] = [];
  const timer = setInterval(() => {
    const pids = [child.pid!, ...listDescendants(child.pid!)];
    const mb = pids.reduce((sum, pid) => sum + (readMemory(pid)?.pssMb ?? 0), 0);
    const pages = existsSync(dataset) ? readFileSync(dataset, 'utf8').split('\n').length - 1 : 0;
    series.push({ t: performance.now() - started, mb, pages });
  }, SAMPLE_EVERY_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${stderr}`);
  const lines = readFileSync(dataset, 'utf8').trim().split('\n');
  // The same work: every variant must extract exactly what bare Playwright extracted.
  const extracted = [...lines].sort().join('\n');
  expected ??= extracted;
  if (extracted !== expected) throw new Error(`${args.join(' ')} extracted other records than the first variant`);
  const records = lines.length;
  const stats = memoryStats(series);
  return { wallSeconds, pagesPerSecond: records / wallSeconds, peakPssMb: stats.maxMb, meanPssMb: stats.meanMb, slopeMbPerPage: stats.slopeMbPerPage ?? 0, records };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results: Record<string, Measure[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let run = 1; run <= RUNS; run++) {
  for (const [name, args] of Object.entries(variants)) {
    const measured = await measure(args(join(work, `${name.replace(/\W+/g, '-')}-${run}`)), join(work, `${name.replace(/\W+/g, '-')}-${run}`));
    results[name].push(measured);
    console.log(`run ${run} ${name}: ${measured.wallSeconds.toFixed(1)} s, peak ${measured.peakPssMb.toFixed(0)} MB PSS, ${measured.records} records`);
  }
}
server.close();
rmSync(work, { recursive: true, force: true });

const medians = Object.fromEntries(
  Object.entries(results).map(([name, runs]) => [
    name,
    Object.fromEntries((Object.keys(runs[0]) as (keyof Measure)[]).map((key) => [key, median(runs.map((r) => r[key]))])) as unknown as Measure,
  ]),
);
const bare = medians['bare Playwright'];
const summary = {
  command: [process.env.BENCH_PAGES && `BENCH_PAGES=${PAGES}`, process.env.BENCH_RUNS && `BENCH_RUNS=${RUNS}`, 'npm run bench'].filter(Boolean).join(' '),
  date: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, ${browserVersion(browser.path)}`,
  pages: PAGES,
  runs: RUNS,
  medians,
  ratios: Object.fromEntries(
    Object.entries(medians).map(([name, m]) => [name, { wallTime: m.wallSeconds / bare.wallSeconds, pagesPerSecond: m.pagesPerSecond / bare.pagesPerSecond, peakPss: m.peakPssMb / bare.peakPssMb, meanPss: m.meanPssMb / bare.meanPssMb }]),
  ),
  runsRaw: results,
};
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(summary, null, 2)}\n`);

const rows = Object.entries(medians).map(([name, m]) => {
  const r = summary.ratios[name];
  return `| ${name} | ${m.wallSeconds.toFixed(1)} (${r.wallTime.toFixed(2)}x) | ${m.pagesPerSecond.toFixed(2)} (${r.pagesPerSecond.toFixed(2)}x) | ${m.peakPssMb.toFixed(0)} (${r.peakPss.toFixed(2)}x) | ${m.meanPssMb.toFixed(0)} (${r.meanPss.toFixed(2)}x) | ${m.slopeMbPerPage.toFixed(3)} |`;
});
const table = [
  `<!-- bench:start -->`,
  `\`${summary.command}\`: ${PAGES}-page crawl of the demo shop, concurrency 2, median of ${RUNS} interleaved runs, ${summary.date.slice(0, 10)}, ${summary.machine}. Ratios are against bare Playwright in the same session.`,
  '',
  '| variant | wall s | pages/s | peak PSS MB | mean PSS MB | slope MB/page |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  `<!-- bench:end -->`,
].join('\n');
const benchmarksPath = join(root, 'BENCHMARKS.md');
const current = existsSync(benchmarksPath) ? readFileSync(benchmarksPath, 'utf8') : '';
writeFileSync(benchmarksPath, current.includes('<!-- bench:start -->') ? current.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, table) : `${current}\n${table}\n`);
console.log(table);
