/**
 * `npm run bench:long`: a crawl of 20,000 light pages (BENCH_PAGES overrides) by flow under
 * policies/low-memory.yaml, measured from outside the flow process every second: the runner's
 * RSS and its growth per 1,000 pages after a warm-up, the PSS of the whole tree (flow and
 * Chromium), pages per second, the journal's share of wall time and the size of the run files.
 * Writes bench/results/long-<time>.json and prints a markdown table.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../src/browser/find.js';
import { leastSquaresSlope } from '../src/memory/stats.js';
import { browserVersion } from './browser-version.js';
import { startServerProcess } from './child-server.js';
import { growingLineCount } from './line-count.js';
import { checkDataset } from './long-dataset.js';
import { RUN_FILES, runFolderFacts } from './long-run-folder.js';
import { sampleTree, type TreeSample } from './tree-sample.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGES = Number(process.env.BENCH_PAGES ?? 20_000);
// Start-up, the first context recycles and V8's heap sizing settle in the first pages; growth
// after them is what would add up over hours. 2,000 pages at the default size.
const WARMUP_PAGES = Math.round(PAGES / 10);
const SAMPLE_EVERY_MS = 1000;
const GOAL_MB_PER_1000_PAGES = 0.5;

const browser = findBrowser();
if (!browser) throw new Error('no browser found: set FLOW_BROWSER');
const server = await startServerProcess(join(root, 'bench/serve-items.ts'));
const work = mkdtempSync(join(tmpdir(), 'flow-bench-long-'));
const out = join(work, 'run');
const urls = Array.from({ length: PAGES }, (_, i) => `${server.url}/items/${i + 1}`);
const urlsFile = join(work, 'urls.jsonl');
writeFileSync(urlsFile, urls.map((url) => `${JSON.stringify(url)}\n`).join(''));

const args = [join(root, 'bin/flow.js'), 'run', join(root, 'bench/long.yaml'), '--var', `urlsFile=${urlsFile}`, '--out', out, '--quiet'];
const started = performance.now();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FLOW_BROWSER: browser.path, CI: '1' } });
let stderr = '';
child.stderr.on('data', (chunk) => (stderr += chunk));
const done = growingLineCount(join(out, 'dataset.jsonl'));
const samples: TreeSample[] = [];
const timer = setInterval(() => {
  const sample = sampleTree(child.pid!, performance.now() - started, done.count());
  if (sample) samples.push(sample);
}, SAMPLE_EVERY_MS);
// A line a minute on stderr, so a half-hour run shows it is alive; stdout is kept for the table.
let lastReport = 0;
const progress = setInterval(() => {
  const last = samples.at(-1);
  if (last && last.pages > lastReport) console.error(`${last.pages} of ${PAGES} pages, ${(last.t / 1000).toFixed(0)} s, runner ${last.runnerRssMb.toFixed(0)} MB RSS, tree ${last.treePssMb.toFixed(0)} MB PSS`);
  lastReport = last?.pages ?? 0;
}, 60_000);
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
const wallMs = performance.now() - started;
clearInterval(timer);
clearInterval(progress);
done.close();
server.close();
try {
  if (code !== 0) throw new Error(`flow exited with ${code}: ${stderr}`);
  checkDataset(join(out, 'dataset.jsonl'), urls);
} catch (error) {
  // Keep what an hour of crawling measured: the run folder stays, the harness's samples beside it.
  writeFileSync(join(work, 'samples.json'), JSON.stringify(samples));
  throw new Error(`the long benchmark failed after ${(wallMs / 1000).toFixed(0)} s; run folder and samples.json kept in ${work}`, { cause: error });
}
const folder = runFolderFacts(out);
rmSync(work, { recursive: true, force: true });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
// Start-up (before the first record) and shutdown (report, browser closing) are not the crawl.
const crawling = samples.filter((s) => s.pages > 0 && s.pages < PAGES);
const fitted = crawling.filter((s) => s.pages >= WARMUP_PAGES);
if (new Set(fitted.map((s) => s.pages)).size < 3) throw new Error(`too few samples after ${WARMUP_PAGES} pages to fit a slope: ${fitted.length}`);
const runnerSlopeMbPer1000 = leastSquaresSlope(fitted.map((s) => s.pages), fitted.map((s) => s.runnerRssMb)) * 1000;
const treeSlopeMbPer1000 = leastSquaresSlope(fitted.map((s) => s.pages), fitted.map((s) => s.treePssMb)) * 1000;
const date = new Date().toISOString();
const summary = {
  command: [process.env.BENCH_PAGES && `BENCH_PAGES=${PAGES}`, 'npm run bench:long'].filter(Boolean).join(' '),
  date,
  machine: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, ${browserVersion(browser.path)}`,
  pages: PAGES,
  warmupPages: WARMUP_PAGES,
  wallSeconds: wallMs / 1000,
  pagesPerSecond: PAGES / (wallMs / 1000),
  runner: {
    rssAtWarmupMb: fitted[0].runnerRssMb,
    rssAtEndMb: fitted[fitted.length - 1].runnerRssMb,
    peakRssMb: Math.max(...samples.map((s) => s.runnerRssMb)),
    slopeMbPer1000Pages: runnerSlopeMbPer1000,
  },
  tree: {
    peakPssMb: Math.max(...samples.map((s) => s.treePssMb)),
    medianPssMb: median(crawling.map((s) => s.treePssMb)),
    slopeMbPer1000Pages: treeSlopeMbPer1000,
  },
  journalCostMs: folder.journalCostMs ?? null,
  journalShareOfWall: folder.journalCostMs === undefined ? null : folder.journalCostMs / wallMs,
  // null, not undefined, for a file the run did not write: JSON would drop the key.
  fileBytes: Object.fromEntries(RUN_FILES.map((name) => [name, folder.sizes[name] ?? null])),
  samples,
};
const resultsDir = join(root, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, `long-${date.replace(/[:.]/g, '-')}.json`);
writeFileSync(resultsFile, `${JSON.stringify(summary, null, 2)}\n`);

const mb = (bytes: number | undefined) => (bytes === undefined ? 'absent' : `${(bytes / 1024 / 1024).toFixed(2)} MB`);
const rows: [string, string][] = [
  ['pages', `${PAGES} (warm-up ${WARMUP_PAGES})`],
  ['wall time', `${summary.wallSeconds.toFixed(0)} s`],
  ['pages/s', summary.pagesPerSecond.toFixed(2)],
  ['runner RSS: after warm-up, at the end, peak', `${[summary.runner.rssAtWarmupMb, summary.runner.rssAtEndMb, summary.runner.peakRssMb].map((v) => v.toFixed(0)).join(', ')} MB`],
  ['runner RSS slope after warm-up', `${runnerSlopeMbPer1000.toFixed(3)} MB per 1,000 pages (goal under ${GOAL_MB_PER_1000_PAGES}: ${runnerSlopeMbPer1000 < GOAL_MB_PER_1000_PAGES ? 'met' : 'NOT met'})`],
  ['tree PSS: peak, median', `${summary.tree.peakPssMb.toFixed(0)}, ${summary.tree.medianPssMb.toFixed(0)} MB`],
  ['tree PSS slope after warm-up', `${treeSlopeMbPer1000.toFixed(3)} MB per 1,000 pages`],
  ['journal share of wall time', summary.journalShareOfWall === null ? 'n/a' : `${(summary.journalShareOfWall * 100).toFixed(2)}% (${folder.journalCostMs!.toFixed(0)} ms)`],
  ...RUN_FILES.map((name): [string, string] => [name, mb(folder.sizes[name])]),
];
console.log(`\`${summary.command}\`: ${date.slice(0, 10)}, ${summary.machine}, ${samples.length} samples, ${resultsFile.slice(root.length)}\n`);
console.log(['| measure | value |', '| --- | --- |', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join('\n'));
