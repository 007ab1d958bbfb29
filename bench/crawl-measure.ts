/**
 * The crawl benchmarks' measurement (bench/site-crawl.ts, bench/real-site.ts): one crawler run
 * as a child process, the PSS of its whole process tree (Node and every Chromium process) read
 * from outside, the URLs it visited read from its dataset, and the medians of several runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDescendants, readMemory } from '../src/memory/processes.js';

// As in bench/crawl.ts: often enough to catch the peak, rarely enough not to slow the larger variants.
const SAMPLE_EVERY_MS = 500;

export interface CrawlMeasure {
  wallSeconds: number;
  pagesPerSecond: number;
  peakPssMb: number;
  pages: number;
}

/** Runs `node ARGS` (which writes OUT/dataset.jsonl, one record with a `url` a page) and measures it. */
export async function measureCrawl(args: string[], out: string, env: NodeJS.ProcessEnv): Promise<{ measure: CrawlMeasure; urls: string[] }> {
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let peakPssMb = 0;
  const timer = setInterval(() => {
    const pids = [child.pid!, ...listDescendants(child.pid!)];
    peakPssMb = Math.max(peakPssMb, pids.reduce((sum, pid) => sum + (readMemory(pid)?.pssMb ?? 0), 0));
  }, SAMPLE_EVERY_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${stderr}`);
  const dataset = join(out, 'dataset.jsonl');
  const urls = existsSync(dataset) ? readFileSync(dataset, 'utf8').trim().split('\n').map((line) => String(JSON.parse(line).url)) : [];
  if (new Set(urls).size !== urls.length) throw new Error(`${args.join(' ')} visited a page twice`);
  return { measure: { wallSeconds, pagesPerSecond: urls.length / wallSeconds, peakPssMb, pages: urls.length }, urls };
}

/** Stops the benchmark, naming the difference, unless a variant visited exactly the URLs of the reference. */
export function assertSameUrls(variant: string, urls: string[], expected: readonly string[], reference = 'bare Playwright'): void {
  const before = new Set(expected);
  const now = new Set(urls);
  const missing = expected.filter((url) => !now.has(url));
  const extra = urls.filter((url) => !before.has(url));
  if (missing.length || extra.length) {
    throw new Error(`${variant} visited other URLs than ${reference} (${urls.length} against ${before.size}): missing ${missing.slice(0, 5).join(', ') || 'none'}; extra ${extra.slice(0, 5).join(', ') || 'none'}`);
  }
}

/** Field by field, the median of runs (the upper middle of an even count). */
export function medianOf<T extends object>(runs: T[]): T {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return Object.fromEntries((Object.keys(runs[0]) as (keyof T)[]).map((key) => [key, median(runs.map((r) => r[key] as number))])) as T;
}

/** Puts `section` between BENCHMARKS.md's `<!-- NAME:start -->` and `<!-- NAME:end -->`, which `section` itself starts and ends with. */
export function fillBenchmarksSection(root: string, name: string, section: string): void {
  const path = join(root, 'BENCHMARKS.md');
  const current = readFileSync(path, 'utf8');
  const markers = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  if (markers.test(current)) writeFileSync(path, current.replace(markers, () => section));
  else console.log(`BENCHMARKS.md has no ${name} section to fill in: add <!-- ${name}:start --> and <!-- ${name}:end --> where it goes`);
}
