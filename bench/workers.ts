/**
 * Workers sharing one crawl through Redis (issue 13): 1, 2 and 3 `flow run --queue` workers on
 * this machine crawl a generated site of BENCH_PAGES pages (500 by default). For each count:
 * pages/s over the wall time (first spawn to last exit), each worker's peak PSS (flow and its
 * Chromium, summed over the process tree every 500 ms), Redis's own RSS and PSS and the
 * commands it ran per page (INFO commandstats). The merged dataset must hold every page once.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { findBrowser } from '../src/browser/find.js';
import { mergeRuns } from '../src/distribute/merge-run.js';
import { listDescendants, readMemory } from '../src/memory/processes.js';
import { startRedis } from '../test/support/redis.js';
import { browserVersion } from './browser-version.js';
import { startServerProcess } from './child-server.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGES = Number(process.env.BENCH_PAGES ?? 500);
const COUNTS = (process.env.BENCH_WORKERS ?? '1,2,3').split(',').map(Number);
const SAMPLE_MS = 500;

function treePss(pid: number): number {
  return [pid, ...listDescendants(pid)].reduce((sum, each) => sum + (readMemory(each)?.pssMb ?? 0), 0);
}

/** Commands Redis ran (those inside flow's scripts counted one by one), and the scripts flow called: its round trips, less a few at start. */
async function commandCalls(client: Redis): Promise<{ commands: number; scripts: number }> {
  const info = await client.info('commandstats');
  const calls = [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)];
  return { commands: calls.reduce((sum, match) => sum + Number(match[2]), 0), scripts: calls.filter((match) => /^eval/.test(match[1])).reduce((sum, match) => sum + Number(match[2]), 0) };
}

const browser = findBrowser();
const site = await startServerProcess(join(root, 'bench/serve-light-site.ts'));
const redis = await startRedis();
const client = new Redis(redis.port, '127.0.0.1');
const out = mkdtempSync(join(tmpdir(), 'flow-bench-workers-'));
const rows: Array<Record<string, number | string>> = [];
try {
  for (const count of COUNTS) {
    const name = `bench-${count}-${Date.now()}`;
    const before = await commandCalls(client);
    const started = performance.now();
    const peaks = new Array<number>(count).fill(0);
    let redisPeak = { pssMb: 0, rssMb: 0 };
    const workers = Array.from({ length: count }, (_, i) =>
      spawn(process.execPath, [join(root, 'bin/flow.js'), 'run', join(root, 'bench/workers.yaml'), '--queue', `${redis.url}?name=${name}`, '--out', join(out, name, `w${i + 1}`), '--quiet', '--var', `start=${site.url}/index.html`], { stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    const exits = workers.map((child) => new Promise<number | null>((resolve) => child.on('exit', resolve)));
    const timer = setInterval(() => {
      workers.forEach((child, i) => child.exitCode === null && (peaks[i] = Math.max(peaks[i], treePss(child.pid!))));
      const memory = readMemory(redis.child.pid!);
      if (memory) redisPeak = { pssMb: Math.max(redisPeak.pssMb, memory.pssMb), rssMb: Math.max(redisPeak.rssMb, memory.rssMb) };
    }, SAMPLE_MS);
    const codes = await Promise.all(exits);
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    if (codes.some((code) => code !== 0)) throw new Error(`a worker failed: exit codes ${codes.join(', ')}`);
    const after = await commandCalls(client);
    const merged = mergeRuns(workers.map((_, i) => join(out, name, `w${i + 1}`)), join(out, name, 'merged'));
    const records = readFileSync(merged.datasetPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { n: string });
    if (records.length !== PAGES || new Set(records.map((record) => record.n)).size !== PAGES) throw new Error(`the merged dataset holds ${records.length} records, not ${PAGES} distinct pages`);
    const perWorker = merged.record.parts!.map((part) => part.record.counts.itemsDone);
    const row = {
      workers: count,
      wallS: Number(seconds.toFixed(1)),
      pagesPerS: Number((PAGES / seconds).toFixed(2)),
      pagesPerWorker: perWorker.join(' / '),
      peakPssMbPerWorker: peaks.map((mb) => mb.toFixed(0)).join(' / '),
      redisRssMb: Number(redisPeak.rssMb.toFixed(1)),
      redisPssMb: Number(redisPeak.pssMb.toFixed(1)),
      redisScriptsPerPage: Number(((after.scripts - before.scripts) / PAGES).toFixed(1)),
      redisCommandsPerPage: Number(((after.commands - before.commands - 1) / PAGES).toFixed(1)),
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
} finally {
  client.disconnect();
  await redis.stop();
  site.close();
  rmSync(out, { recursive: true, force: true });
}

const header = `\`npm run bench:workers\`: ${PAGES}-page generated site, crawl concurrency 2 per worker, ${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, ${browser ? browserVersion(browser.path) : 'no browser found'}.`;
const table = [
  '| workers | wall | pages/s | pages done by each worker | peak PSS per worker MB | Redis RSS MB | Redis PSS MB | script calls per page | Redis commands per page |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((row) => `| ${row.workers} | ${row.wallS} s | ${row.pagesPerS} | ${row.pagesPerWorker} | ${row.peakPssMbPerWorker} | ${row.redisRssMb} | ${row.redisPssMb} | ${row.redisScriptsPerPage} | ${row.redisCommandsPerPage} |`),
];
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, `bench/results/workers-${Date.now()}.json`), JSON.stringify({ header, rows }, null, 2));
process.stdout.write(`${header}\n\n${table.join('\n')}\n`);
