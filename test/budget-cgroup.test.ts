import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BudgetChange, RunEvent } from '../src/runner/run-record.js';
import { HEAVY_CONCURRENCY, HEAVY_PAGES, writeHeavyPagesWorkflow } from './support/heavy-pages.js';

/** budgetMb auto under a real memory limit: a cgroup made for the test, flow started inside it with no budget given, and the kernel's own count of what the run took. */
const root = fileURLToPath(new URL('../', import.meta.url));
const MB = 1048576;
// Without a budget the heavy pages took 989-1253 MB by the kernel's count in 7 runs here: 900 MB
// is met at full concurrency (renderers OOM-killed, and reopened), and 80% of it is the budget.
const LIMIT_MB = 900;
const BUDGET_MB = 720;

/** What the kernel counted for a cgroup, named alike for v1 and v2. */
interface KernelCounters {
  /** The highest usage: v1 memory.max_usage_in_bytes, v2 memory.peak. */
  peakBytes: number;
  /**
   * Charges that met the limit: v1 memory.failcnt, v2 memory.events max. It counts a charge
   * the kernel then met by reclaiming page cache too, harmless. Page cache is charged to the
   * cgroup that first read the file: Chromium's files are read by earlier runs, elsewhere; a copy
   * of Chromium not read before charged 310 MB of them here, and the run stayed 110 MB under.
   */
  limitHits: number;
  /** v1 memory.oom_control under_oom (tasks stopped in OOM now), v2 memory.events oom (times out of memory). */
  ooms: number;
  /** Processes the OOM killer ended: oom_kill in v1 memory.oom_control, in v2 memory.events. */
  oomKills: number;
}

interface TestCgroup {
  version: 'v1' | 'v2';
  /** Its path as /proc/self/cgroup names it. */
  path: string;
  dir: string;
  counters(): KernelCounters;
  /** Ends what still runs in it, then removes it. */
  remove(): Promise<void>;
}

const keyed = (text: string) => Object.fromEntries(text.trim().split('\n').map((line) => line.split(' ')).map(([key, value]) => [key, Number(value)]));
const read = (file: string) => readFileSync(file, 'utf8');

/** A child of the test's own memory cgroup, limited to `limitBytes`; or why one cannot be made here. */
function createMemoryCgroup(name: string, limitBytes: number): TestCgroup | string {
  if (process.platform !== 'linux') return 'no cgroups: not Linux';
  const lines = read('/proc/self/cgroup').split('\n');
  const v1 = lines.find((line) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(line));
  // cgroup v2 only where flow reads it: the unified hierarchy mounted at /sys/fs/cgroup itself.
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') ? lines.find((line) => line.startsWith('0::')) : undefined;
  const version = v1 ? 'v1' : v2 ? 'v2' : undefined;
  if (!version) return 'no memory cgroup controller is mounted';
  const own = (v1 ?? v2)!.split(':')[2].replace(/\/$/, '');
  const ownDir = version === 'v1' ? `/sys/fs/cgroup/memory${own}` : `/sys/fs/cgroup${own}`;
  // v2 gives a child the memory controller only when its parent passes it on.
  if (version === 'v2' && !read(join(ownDir, 'cgroup.subtree_control')).trim().split(' ').includes('memory')) return `cgroup v2: ${ownDir}/cgroup.subtree_control does not pass the memory controller on`;
  const dir = join(ownDir, name);
  try {
    mkdirSync(dir);
  } catch (error) {
    return `cannot create a memory cgroup in ${ownDir}: ${(error as Error).message}`;
  }
  try {
    writeFileSync(join(dir, version === 'v1' ? 'memory.limit_in_bytes' : 'memory.max'), String(limitBytes));
  } catch (error) {
    rmdirSync(dir);
    return `cannot limit the memory of ${dir}: ${(error as Error).message}`;
  }
  const counters = (): KernelCounters => {
    if (version === 'v1') {
      const oom = keyed(read(join(dir, 'memory.oom_control')));
      return { peakBytes: Number(read(join(dir, 'memory.max_usage_in_bytes'))), limitHits: Number(read(join(dir, 'memory.failcnt'))), ooms: oom.under_oom, oomKills: oom.oom_kill };
    }
    const events = keyed(read(join(dir, 'memory.events')));
    return { peakBytes: Number(read(join(dir, 'memory.peak'))), limitHits: events.max, ooms: events.oom, oomKills: events.oom_kill };
  };
  // Only what the test started runs in it: whatever is left when a test fails is ended.
  const remove = async () => {
    for (let attempt = 0; existsSync(dir); attempt++) {
      for (const pid of read(join(dir, 'cgroup.procs')).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // It exited meanwhile.
        }
      }
      try {
        rmdirSync(dir);
      } catch (error) {
        // EBUSY until the processes it held have exited.
        if (attempt === 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  return { version, path: `${own}/${name}`, dir, counters, remove };
}

/**
 * Runs `flow run FILE` as a user would, in the cgroup from its first instruction: the shell
 * enters the cgroup, then becomes node, so flow and the Chromium it starts are all charged there.
 */
function runFlowIn(cgroup: TestCgroup, file: string, outDir: string) {
  const child = spawn('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup.dir, process.execPath, join(root, 'bin/flow.js'), 'run', file, '--out', outDir, '--quiet'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise<number | null>((resolve) => child.on('close', resolve)).then((exitCode) => {
    const record = JSON.parse(read(join(outDir, 'run.json')));
    const journal = read(join(outDir, 'journal.jsonl')).split('\n').filter(Boolean).map((line) => JSON.parse(line));
    return { exitCode, output, record, events: record.events as RunEvent[], journal, kernel: cgroup.counters() };
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'flow-budget-cgroup-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('budgetMb auto in a memory cgroup the test makes (real Chromium, the kernel counting)', () => {
  // Under the file's timeout: a test that times out is cancelled in this process and its t.after
  // still ends flow and removes the cgroup, where a file that times out is killed, hooks and all.
  const timeout = 180_000;
  const budgetOf = (events: RunEvent[]) => events.filter((event): event is BudgetChange => event.type === 'budget' && event.what !== 'block');

  test("flow finds the cgroup's limit itself, takes 80% of it, lowers concurrency before the limit; the kernel never meets the limit", { timeout }, async (t) => {
    const cgroup = createMemoryCgroup(`flow-budget-test-${process.pid}`, LIMIT_MB * MB);
    if (typeof cgroup === 'string') return t.skip(cgroup);
    t.after(cgroup.remove);
    const dir = join(tmp, 'auto');
    mkdirSync(dir);
    const run = await runFlowIn(cgroup, writeHeavyPagesWorkflow(dir), join(dir, 'run'));
    assert.equal(run.exitCode, 0, run.output);
    assert.deepEqual([run.record.run.status, run.record.counts.records, run.record.counts.pageCrashes, run.record.counts.browserCrashes], ['passed', HEAVY_PAGES, 0, 0], run.output);
    assert.equal(read(join(dir, 'run', 'dataset.jsonl')).trim().split('\n').length, HEAVY_PAGES);

    const decisions = budgetOf(run.events);
    const limitFile = cgroup.version === 'v1' ? 'memory.limit_in_bytes' : 'memory.max';
    assert.deepEqual([decisions[0].what, decisions[0].to, decisions[0].reason], ['budget', BUDGET_MB, `80% of the container's memory limit of ${LIMIT_MB} MB (cgroup ${cgroup.version} ${limitFile} of ${cgroup.path})`]);
    // The journal, from which run.json is made, holds the same decisions.
    assert.deepEqual(budgetOf(run.journal.filter((entry) => entry.type === 'memory').map((entry) => entry.event)), decisions);

    const concurrency = decisions.filter((event) => event.what === 'concurrency');
    // Cut below the loop's concurrency before a page opens, on assumed costs; then changed at samples, on measured ones, each below the limit, never back up to the loop's.
    const [start, ...measured] = concurrency;
    assert.deepEqual([start.from, start.to < HEAVY_CONCURRENCY, start.reason], [undefined, true, `the ${BUDGET_MB} MB budget, before any sample: 400 MB assumed for flow and the browser, 100 MB a page`]);
    for (const event of measured) {
      assert.ok(event.totalMb! < LIMIT_MB, `concurrency ${event.from}→${event.to} only at ${event.totalMb} MB PSS, past the ${LIMIT_MB} MB limit`);
      const cut = event.to < event.from! ? ': \\d+ MB expected at \\d+ at once, over 85% of the budget' : '';
      assert.match(event.reason, new RegExp(`^-?\\d+ MB free of the ${BUDGET_MB} MB budget, \\d+ MB a page${cut}$`));
    }
    assert.ok(Math.max(...concurrency.map((event) => event.to)) < HEAVY_CONCURRENCY, JSON.stringify(concurrency));
    const peakMb = run.record.stats.total.maxMb;
    assert.ok(peakMb < LIMIT_MB, `peak ${peakMb} MB PSS`);

    const kernel = run.kernel;
    t.diagnostic(`peak ${Math.round(peakMb)} MB PSS by flow's count, ${Math.round(kernel.peakBytes / MB)} MB by the kernel's, limit ${LIMIT_MB} MB; concurrency ${concurrency.map((event) => `${event.from ?? '-'}→${event.to}${event.totalMb === undefined ? '' : ` at ${Math.round(event.totalMb)} MB`}`).join(', ')}`);
    assert.ok(kernel.peakBytes < LIMIT_MB * MB, `the kernel counted ${kernel.peakBytes / MB} MB at most, the limit is ${LIMIT_MB} MB`);
    assert.deepEqual([kernel.limitHits, kernel.ooms, kernel.oomKills], [0, 0, 0], JSON.stringify(kernel));
  });

  test('the same pages with the budget off meet the limit: the kernel counts it', { timeout }, async (t) => {
    const cgroup = createMemoryCgroup(`flow-nobudget-test-${process.pid}`, LIMIT_MB * MB);
    if (typeof cgroup === 'string') return t.skip(cgroup);
    t.after(cgroup.remove);
    const dir = join(tmp, 'off');
    mkdirSync(dir);
    const run = await runFlowIn(cgroup, writeHeavyPagesWorkflow(dir, 'memory: { budgetMb: 0 }\n'), join(dir, 'run'));
    assert.deepEqual(budgetOf(run.events), [], 'no budget, no decisions');
    t.diagnostic(`without the budget: ${Math.round(run.kernel.peakBytes / MB)} MB by the kernel's count, the limit met ${run.kernel.limitHits} times, ${run.kernel.oomKills} OOM kill(s), ${run.record.counts.pageCrashes} page crash(es), exit ${run.exitCode}, ${run.record.run.durationMs} ms`);
    // Six pages at once reach the limit: the kernel reclaims, then kills a renderer, which flow reopens.
    assert.ok(run.kernel.limitHits > 0, `${JSON.stringify(run.kernel)}\n${run.output}`);
  });
});
