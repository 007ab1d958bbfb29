import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Descendants, MAX_NEW_PIDS_READ, readLastPid } from '../src/memory/processes.js';
import { flowRunner } from './support/run-flow.js';

/**
 * What measuring memory costs a real run (issue 12), at the smallest interval the schema allows.
 * 150 pages, about 12 s: long enough for the base (each process's and page's first read) to be
 * under the 0.8% the shares leave of 2%.
 */
const demo = fileURLToPath(new URL('../demo/', import.meta.url));
const onDemo = flowRunner(demo, 'sampler-cost-test');
after(() => onDemo.cleanup());

const crawl = `
  - forEach:
      items: [${Array.from({ length: 150 }, (_, i) => `p-${String((i % 50) + 1).padStart(3, '0')}`).join(', ')}]
      concurrency: 3
      steps:
        - goto: \${{ serve.url }}/products/\${{ item }}.html?visit=\${{ index }}
        - extract: { fields: { title: h1.product-title } }
`;

test('sampling at 0 ms costs under 2% of the run by its own full count, counts real work, and does not slow the run', async (t) => {
  const fast = await onDemo.run(crawl, { head: 'memory: { sampling: { interval: 0 } }' });
  const usual = await onDemo.run(crawl);
  for (const run of [fast, usual]) {
    assert.equal(run.exitCode, 0, run.error);
    assert.equal(run.records.length, 150);
  }
  const share = (run: typeof fast) => run.record.stats!.samplerOverheadPct;
  t.diagnostic(`sampler cost: ${share(fast).toFixed(2)}% at 0 ms (${fast.record.samplerCostMs.toFixed(0)} of ${fast.record.run.activeMs} ms), ${share(usual).toFixed(2)}% at the default (${usual.record.samplerCostMs.toFixed(0)} of ${usual.record.run.activeMs} ms); leak checks ${(usual.record.stats!.leakChecksOverheadPct ?? 0).toFixed(2)}%`);
  assert.ok(share(fast) < 2, `sampler cost ${fast.record.samplerCostMs.toFixed(0)} ms, ${share(fast).toFixed(2)}% of ${fast.record.run.activeMs} ms`);
  assert.ok(share(usual) < 2, `at the default interval: ${share(usual).toFixed(2)}%`);
  // Real work is counted: more samples, more cost, and at least what reading every process's RSS once per sample takes.
  assert.ok(fast.record.samples.length > usual.record.samples.length * 2, `${fast.record.samples.length} samples at 0 ms, ${usual.record.samples.length} at 1 s`);
  assert.ok(fast.record.samplerCostMs > usual.record.samplerCostMs, `${fast.record.samplerCostMs} ms at 0 ms, ${usual.record.samplerCostMs} ms at 1 s`);
  const processReads = fast.record.samples.reduce((sum, sample) => sum + sample.processes.length, 0);
  assert.ok(fast.record.samplerCostMs > processReads * 0.005, `${fast.record.samplerCostMs} ms for ${processReads} process readings`);
  assert.ok(fast.record.samples.some((sample) => sample.pages.length > 0), 'page metrics are read too');
  // The leak watch reads each tab after each of the 150 documents: counted apart, at least a fraction of a millisecond a read.
  assert.ok((usual.record.leakChecksCostMs ?? 0) > 150 * 0.3, `leak checks ${usual.record.leakChecksCostMs} ms`);
  // A generous bound: two shared cores, and other work on the machine, make wall times vary.
  const wall = (run: typeof fast) => run.record.run.activeMs;
  assert.ok(wall(fast) < wall(usual) * 1.5 + 3000, `${wall(fast)} ms at 0 ms, ${wall(usual)} ms at 1 s`);
});

test('descendants started and ended between listings are found without scanning all of /proc again', async (t) => {
  // Reading new pids one by one is the plan only while few were handed out since the last listing;
  // pids are shared with every thread on the machine, so a busy moment can take more. The scene is
  // played again until it ran within that bound, and asserted then.
  for (let attempt = 1; ; attempt++) {
    const descendants = new Descendants();
    descendants.list();
    const before = readLastPid()!;
    assert.equal(descendants.scans, 1);
    // A child that starts a grandchild: the grandchild's parent is known only once the child is.
    const child = spawn(process.execPath, ['-e', 'const g = require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" }); console.log(g.pid); setTimeout(() => {}, 30000)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = await once(child.stdout!, 'data');
      const grandchild = Number(String(line).trim());
      const handedOut = readLastPid()! - before;
      if (handedOut > MAX_NEW_PIDS_READ / 2 && attempt < 5) {
        t.diagnostic(`attempt ${attempt}: ${handedOut} pids handed out meanwhile; again`);
        process.kill(grandchild, 'SIGKILL');
        continue;
      }
      const listed = descendants.list();
      assert.ok(listed.includes(child.pid!) && listed.includes(grandchild), `${child.pid} and ${grandchild} in ${listed}`);
      assert.equal(descendants.scans, 1, `found from the ${handedOut} pids handed out since, not by a scan`);
      child.kill('SIGKILL');
      await once(child, 'exit');
      // The child ended with a child of its own: that one has another parent now, and a scan tells.
      const after = descendants.list([child.pid!]);
      assert.ok(!after.includes(child.pid!) && !after.includes(grandchild), `${after}`);
      assert.equal(descendants.scans, 2);
      process.kill(grandchild, 'SIGKILL');
      return;
    } finally {
      child.kill('SIGKILL');
    }
  }
});
