/**
 * What the memory sampler costs (issue 12): `node --import tsx bench/sampler-cost.ts [parts|runs]`.
 * parts: CPU milliseconds of each thing a sample reads, with a browser of three open pages:
 * listing flow's descendants from /proc, RSS from status, PSS from smaps_rollup (per kind of
 * process), and the wall time of one round of page metrics over CDP.
 * runs: crawls of the demo shop's product pages at sampling intervals of 0 ms (the smallest the
 * schema allows), 250 ms and 1 s (the default), short (≈8 s) and long (SAMPLER_BENCH_LONG pages,
 * ≥60 s), at concurrency 1 and 3; prints wall time, samples and the cost the run record reports.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findBrowser } from '../src/browser/find.js';
import { PageMeter } from '../src/memory/page-metrics.js';
import { classifyProcess, listDescendants, readMemory, readRssMb } from '../src/memory/processes.js';
import { RunEvents } from '../src/runner/events.js';
import { runWorkflowFile } from '../src/runner/run.js';
import { startStaticServer } from '../src/serve/static.js';
import { browserVersion } from './browser-version.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const browserPath = findBrowser()?.path;
if (!browserPath) throw new Error('no browser found: set FLOW_BROWSER');
const mode = process.argv[2] ?? 'parts';
console.log(`${process.platform}, ${cpus().length} cores, Node ${process.version}, ${browserVersion(browserPath)}`);

/** CPU milliseconds of `fn`, the median of `times` calls. */
function cpuMs(fn: () => unknown, times = 20): number {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const began = process.cpuUsage();
    fn();
    const { user, system } = process.cpuUsage(began);
    runs.push((user + system) / 1000);
  }
  return runs.sort((a, b) => a - b)[Math.floor(times / 2)];
}

if (mode === 'parts') {
  const server = await startStaticServer(join(root, 'demo'), { quiet: true });
  const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const pages = await Promise.all([1, 2, 3].map(() => browser.newPage()));
  await Promise.all(pages.map((page, i) => page.goto(`${server.url}/products/p-00${i + 1}.html`)));
  const pids = listDescendants();
  console.log(`${pids.length} descendants; /proc holds ${listDescendants(1).length + 1} processes`);
  console.log(`list descendants (scan of /proc): ${cpuMs(() => listDescendants()).toFixed(3)} ms`);
  console.log(`RSS of every descendant from status: ${cpuMs(() => pids.forEach((pid) => readRssMb(pid))).toFixed(3)} ms`);
  console.log(`RSS of flow itself (process.memoryUsage): ${cpuMs(() => process.memoryUsage()).toFixed(3)} ms`);
  console.log(`PSS of flow itself (smaps_rollup): ${cpuMs(() => readMemory(process.pid)).toFixed(3)} ms`);
  for (const pid of pids) console.log(`PSS of ${classifyProcess(pid)} ${pid} (smaps_rollup, RSS ${readRssMb(pid)?.toFixed(0)} MB): ${cpuMs(() => readMemory(pid)).toFixed(3)} ms`);
  const meter = new PageMeter({ sampling: 1, leaks: 1 });
  const walls: number[] = [];
  for (let i = 0; i < 20; i++) {
    const began = performance.now();
    await Promise.all(pages.map((page) => meter.read(page, 'sampling')));
    walls.push(performance.now() - began);
  }
  console.log(`page metrics of 3 pages (wall): ${walls.sort((a, b) => a - b)[10].toFixed(2)} ms`);
  // What one round trip makes flow and Chromium do (PageMeter charges the fastest one's wall time).
  const chromiumCpuMs = () => pids.reduce((sum, pid) => sum + cpuTicksOf(pid), 0) * 10;
  const trips = 1000;
  const chromiumBefore = chromiumCpuMs();
  const flowBefore = process.cpuUsage();
  const began = performance.now();
  for (let i = 0; i < trips; i++) await meter.read(pages[0], 'sampling');
  const wallMs = (performance.now() - began) / trips;
  const flowUsage = process.cpuUsage(flowBefore);
  console.log(`one page's metrics, ${trips} reads one after another: ${wallMs.toFixed(2)} ms of wall time, ${((flowUsage.user + flowUsage.system) / 1000 / trips).toFixed(2)} ms of flow's CPU, ${((chromiumCpuMs() - chromiumBefore) / trips).toFixed(2)} ms of Chromium's`);
  await browser.close();
  server.close();
} else {
  const work = mkdtempSync(join(tmpdir(), 'flow-bench-sampler-'));
  const longPages = Number(process.env.SAMPLER_BENCH_LONG ?? 900);
  const intervals = (process.env.SAMPLER_BENCH_INTERVALS ?? '0,250,1000').split(',').map(Number);
  let n = 0;
  const run = async (intervalMs: number, pages: number, concurrency: number) => {
    const dir = join(work, `run-${++n}`);
    mkdirSync(dir);
    const file = join(dir, 'flow.yaml');
    const items = Array.from({ length: pages }, (_, i) => `p-${String((i % 50) + 1).padStart(3, '0')}.html?visit=${i}`);
    writeFileSync(
      file,
      `version: 1\nserve: ${JSON.stringify(join(root, 'demo'))}\nreport: false\nmemory: { sampling: { interval: ${intervalMs} } }\nsteps:\n  - forEach:\n      items: ${JSON.stringify(items)}\n      concurrency: ${concurrency}\n      steps:\n        - goto: \${{ serve.url }}/products/\${{ item }}\n        - extract: { fields: { title: h1.product-title } }\n`,
    );
    const result = await runWorkflowFile(file, { outDir: join(dir, 'run'), events: new RunEvents(), env: process.env });
    if (result.exitCode !== 0) throw new Error(`run failed: ${result.error}`);
    const { record } = result;
    const wallS = record.run.activeMs / 1000;
    const samples = record.samples.length;
    console.log(
      `| ${intervalMs} ms | ${pages} | ${concurrency} | ${wallS.toFixed(1)} s | ${samples} | ${record.samplerCostMs.toFixed(0)} ms | ${record.stats!.samplerOverheadPct.toFixed(2)}% | ${(record.samplerCostMs / Math.max(1, samples)).toFixed(2)} ms | ${(record.stats!.leakChecksOverheadPct ?? 0).toFixed(2)}% |`,
    );
  };
  console.log('| interval | pages | concurrency | wall | samples | sampler cost | share | per sample | leak checks |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const pages of [120, longPages]) for (const concurrency of [1, 3]) for (const intervalMs of intervals) await run(intervalMs, pages, concurrency);
  rmSync(work, { recursive: true, force: true });
}

/** User and system time of a process, in clock ticks (100 a second on Linux). */
function cpuTicksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
