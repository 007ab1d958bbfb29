/**
 * `npm run bench`: three crawls, each of BENCH_PAGES pages (150), run as (a) a bare Playwright
 * script, two pages at a time, and flow with the same workflow at concurrency 8 (at most: a
 * policy's page limit and a budget may allow fewer) under (b) no policy, (c) balanced, (d)
 * low-memory, (e) a memory budget (--budget 700MB, no other setting) and (f) what that budget
 * blocks (images, media, fonts), from the first page, with no budget: how fast blocking alone
 * makes the pages, memory aside — BENCH_RUNS times
 * (3) each, interleaved, on one machine in one session. The crawls: the demo shop's product
 * pages (shop), small pages of four fields and no stylesheet, script or image (light), and pages
 * with six large images and a script that builds 30 MB of objects (heavy). Memory is measured
 * from outside: PSS summed over each variant's whole process tree (Node and every Chromium
 * process). Writes bench/results.json and the tables between the bench-budget markers of
 * BENCHMARKS.md.
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
import { workloadVisit, writeWorkloadPages } from './workload-pages.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGES = Number(process.env.BENCH_PAGES ?? 150);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUDGET_MB = 700;
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
const work = mkdtempSync(join(tmpdir(), 'flow-bench-'));
writeWorkloadPages(join(work, 'site'));
const shop = await startServerProcess(join(root, 'bench/serve-demo.ts'));
const site = await startServerProcess(join(root, 'bench/serve-folder.ts'), [join(work, 'site')]);
const page = (n: number) => `p-${String(n).padStart(3, '0')}.html`;
const workloads: Record<string, string[]> = {
  shop: Array.from({ length: PAGES }, (_, i) => `${shop.url}/products/${page((i % 50) + 1)}?visit=${i}`),
  light: Array.from({ length: PAGES }, (_, i) => `${site.url}/${workloadVisit('light', i)}`),
  heavy: Array.from({ length: PAGES }, (_, i) => `${site.url}/${workloadVisit('heavy', i)}`),
};
for (const [name, urls] of Object.entries(workloads)) writeFileSync(join(work, `${name}.json`), JSON.stringify(urls));

const flowRun = (urlsFile: string, out: string, ...extra: string[]) => [join(root, 'bin/flow.js'), 'run', join(root, 'bench/crawl-products.yaml'), '--var', `urlsFile=${urlsFile}`, '--var', 'concurrency=8', '--out', out, '--quiet', ...extra];
const variants: Record<string, (urlsFile: string, out: string) => string[]> = {
  'bare Playwright': (urlsFile, out) => [join(root, 'bench/bare-playwright.mjs'), browser.path, urlsFile, join(out, 'dataset.jsonl'), '2'],
  'flow, no policy': (urlsFile, out) => flowRun(urlsFile, out),
  'flow, balanced': (urlsFile, out) => flowRun(urlsFile, out, '--policy', join(root, 'policies/balanced.yaml')),
  'flow, low-memory': (urlsFile, out) => flowRun(urlsFile, out, '--policy', join(root, 'policies/low-memory.yaml')),
  'flow, budget': (urlsFile, out) => flowRun(urlsFile, out, '--budget', `${BUDGET_MB}MB`),
  // Not one of the rivals the targets name: how fast blocking alone makes the pages, with nothing holding concurrency down.
  'flow, images blocked': (urlsFile, out) => flowRun(urlsFile, out, '--block', 'image,media,font'),
};

/** Per workload, what the first variant extracted: every variant must extract the same. */
const expected = new Map<string, string>();

/** Runs one variant as a child process and samples the PSS of its process tree. */
async function measure(workload: string, args: string[], out: string): Promise<Measure> {
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
  if (!expected.has(workload)) expected.set(workload, extracted);
  if (extracted !== expected.get(workload)) throw new Error(`${args.join(' ')} extracted other records than the first variant`);
  const records = lines.length;
  const stats = memoryStats(series);
  return { wallSeconds, pagesPerSecond: records / wallSeconds, peakPssMb: stats.maxMb, meanPssMb: stats.meanMb, slopeMbPerPage: stats.slopeMbPerPage ?? 0, records };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results: Record<string, Record<string, Measure[]>> = Object.fromEntries(Object.keys(workloads).map((w) => [w, Object.fromEntries(Object.keys(variants).map((v) => [v, []]))]));
for (let run = 1; run <= RUNS; run++) {
  for (const workload of Object.keys(workloads)) {
    for (const [name, args] of Object.entries(variants)) {
      const out = join(work, `${workload}-${name.replace(/\W+/g, '-')}-${run}`);
      const measured = await measure(workload, args(join(work, `${workload}.json`), out), out);
      results[workload][name].push(measured);
      console.log(`run ${run} ${workload} ${name}: ${measured.wallSeconds.toFixed(1)} s, peak ${measured.peakPssMb.toFixed(0)} MB PSS, ${measured.records} records`);
    }
  }
}
shop.close();
site.close();
rmSync(work, { recursive: true, force: true });

const medianOf = (runs: Measure[]): Measure => Object.fromEntries((Object.keys(runs[0]) as (keyof Measure)[]).map((key) => [key, median(runs.map((r) => r[key]))])) as unknown as Measure;
const medians = Object.fromEntries(Object.entries(results).map(([workload, byVariant]) => [workload, Object.fromEntries(Object.entries(byVariant).map(([name, runs]) => [name, medianOf(runs)]))]));

/** The targets of issue 14, judged on the medians: the budget variant under its budget, as fast as the fastest other flow variant that stayed under it, and on heavy pages 1.5x bare's pages/s. */
function targets(workload: string) {
  const m = medians[workload];
  const budget = m['flow, budget'];
  const under = budget.peakPssMb < BUDGET_MB;
  const rivals = ['flow, no policy', 'flow, balanced', 'flow, low-memory'].filter((name) => m[name].peakPssMb < BUDGET_MB);
  const fastest = rivals.sort((a, b) => m[b].pagesPerSecond - m[a].pagesPerSecond)[0];
  const asFast = !fastest || budget.pagesPerSecond >= m[fastest].pagesPerSecond;
  const vsBare = budget.pagesPerSecond / m['bare Playwright'].pagesPerSecond;
  return { under, fastest: fastest ?? null, asFast, vsBare, heavyMet: workload !== 'heavy' || vsBare >= 1.5 };
}

const summary = {
  command: [process.env.BENCH_PAGES && `BENCH_PAGES=${PAGES}`, process.env.BENCH_RUNS && `BENCH_RUNS=${RUNS}`, 'npm run bench'].filter(Boolean).join(' '),
  date: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, ${browserVersion(browser.path)}`,
  pages: PAGES,
  runs: RUNS,
  budgetMb: BUDGET_MB,
  medians,
  targets: Object.fromEntries(Object.keys(workloads).map((w) => [w, targets(w)])),
  runsRaw: results,
};
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(summary, null, 2)}\n`);

const yes = (ok: boolean) => (ok ? 'met' : '**missed**');
const tables = Object.entries(medians).flatMap(([workload, m]) => {
  const bare = m['bare Playwright'];
  const t = summary.targets[workload];
  return [
    `**${workload}**`,
    '',
    '| variant | wall s | pages/s (x bare) | peak PSS MB | mean PSS MB | under 700 MB |',
    '| --- | --- | --- | --- | --- | --- |',
    ...Object.entries(m).map(([name, v]) => `| ${name} | ${v.wallSeconds.toFixed(1)} | ${v.pagesPerSecond.toFixed(2)} (${(v.pagesPerSecond / bare.pagesPerSecond).toFixed(2)}x) | ${v.peakPssMb.toFixed(0)} | ${v.meanPssMb.toFixed(0)} | ${v.peakPssMb < BUDGET_MB ? 'yes' : 'no'} |`),
    '',
    `Targets: budget variant under ${BUDGET_MB} MB: ${yes(t.under)}; at least as fast as the fastest other flow variant under it (${t.fastest ?? 'none was'}): ${yes(t.asFast)}${workload === 'heavy' ? `; at least 1.5x bare's pages/s (${t.vsBare.toFixed(2)}x): ${yes(t.heavyMet)}` : ''}.`,
    '',
  ];
});
const table = [
  `<!-- bench-budget:start -->`,
  `\`${summary.command}\`: ${PAGES}-page crawls, bare Playwright at concurrency 2, flow at concurrency 8 (at most), median of ${RUNS} interleaved runs, ${summary.date.slice(0, 10)}, ${summary.machine}. Ratios are against bare Playwright in the same session.`,
  '',
  ...tables,
  `<!-- bench-budget:end -->`,
].join('\n');
const benchmarksPath = join(root, 'BENCHMARKS.md');
const current = existsSync(benchmarksPath) ? readFileSync(benchmarksPath, 'utf8') : '';
writeFileSync(benchmarksPath, current.includes('<!-- bench-budget:start -->') ? current.replace(/<!-- bench-budget:start -->[\s\S]*<!-- bench-budget:end -->/, table) : `${current}\n${table}\n`);
console.log(table);
