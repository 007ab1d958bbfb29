import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  alive,
  browserPid,
  datasetMultiset,
  flow,
  itemWorkflow,
  journal,
  lineCount,
  rendererPids,
  runJson,
  signal,
  startFlow,
  waitFor,
  writeItemSite,
  type Flow,
  type JournalLine,
} from './support/journal-kit.js';

/**
 * The browser, a renderer, the disk and the user each stop a run in their own way: Chromium
 * killed under flow, a page that runs out of memory, a disk that fills up, Ctrl-C, a policy
 * that says stop. The real CLI in child processes, a real Chromium, pages on 127.0.0.1.
 */
const tmp = mkdtempSync(join(tmpdir(), 'flow-crash-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let folders = 0;
/** A folder with `count` item pages that show #ready after `readyAfterMs`, and a workflow over them that waits for it. */
function slowItems(count: number, options: { readyAfterMs?: number; head?: string; loop?: string; report?: boolean; fillerBytes?: number; fields?: string; before?: string } = {}) {
  const dir = join(tmp, `w${++folders}`);
  const { site } = writeItemSite(dir, count, { readyAfterMs: options.readyAfterMs ?? 200, fillerBytes: options.fillerBytes });
  const file = itemWorkflow(dir, site, { head: options.head, loop: options.loop, report: options.report, before: options.before ?? '- wait: "#ready"', fields: options.fields });
  const out = join(dir, 'run');
  return { dir, site, file, out, dataset: join(out, 'items.jsonl') };
}

async function whenRecords(run: Flow, dataset: string, records: number): Promise<void> {
  await Promise.race([
    waitFor(() => lineCount(dataset) >= records, 120_000, `${records} records`),
    run.exited.then((ended) => {
      throw new Error(`flow ended (exit ${ended.code}) before ${records} records: ${ended.stderr}`);
    }),
  ]);
}

const noStack = /\n\s+at .+:\d+:\d+\)?\n/;
const types = (lines: JournalLine[], type: string) => lines.filter((e) => e.type === type);

describe('the browser dies under flow', { concurrency: true }, () => {
  test('kill -9 of Chromium\'s browser process mid-run: restarted, the items it was running tried again, every record, exit 0', async () => {
    const { file, out, dataset } = slowItems(40, { readyAfterMs: 100 });
    const run = startFlow(['run', file, '--out', out]);
    await whenRecords(run, dataset, 12);
    const browser = browserPid(run.pid);
    assert.ok(browser, 'Chromium\'s browser process is a descendant of flow');
    assert.ok(signal(browser, 'SIGKILL'));
    const ended = await run.exited;
    assert.equal(ended.code, 0, ended.stderr + ended.stdout);
    assert.match(ended.stdout, /✔ passed .* 40 records, recovered from 1 browser crash,/);

    const records = datasetMultiset(dataset);
    assert.equal(records.length, 40);
    assert.equal(new Set(records).size, 40, 'no record twice');
    const browserEvents = types(journal(out), 'browser').map((e) => e.event);
    assert.deepEqual(browserEvents, ['started', 'crashed', 'restarted']);
    const record = runJson(out);
    assert.equal(record.run.status, 'passed');
    assert.equal(record.counts.browserCrashes, 1);
    assert.equal(record.counts.itemsDone, 40);
    assert.ok(record.events.some((e: { type: string; what: string; recovered: boolean }) => e.type === 'crash' && e.what === 'browser' && e.recovered));
  });

  test('with continueOnError and no item retries: after the browser is back, no item runs on a dead page; the items that failed are counted in the summary', async () => {
    const { file, out, dataset } = slowItems(30, { readyAfterMs: 200, head: 'memory: { recover: { itemRetries: 0 } }', loop: 'continueOnError: true\nmaxFailed: 4' });
    const run = startFlow(['run', file, '--out', out]);
    await whenRecords(run, dataset, 6);
    assert.ok(signal(browserPid(run.pid)!, 'SIGKILL'));
    const ended = await run.exited;
    const lines = journal(out);
    const restarted = lines.findIndex((e) => e.type === 'browser' && e.event === 'restarted');
    assert.ok(restarted > 0, 'the browser was started again');
    const startedAfter = new Set(lines.slice(restarted).filter((e) => e.type === 'item-start').map((e) => e.item));
    const endsAfter = lines.filter((e) => e.type === 'item-end' && startedAfter.has(e.item as string));
    assert.ok(endsAfter.length >= 15, `most items ran after the restart (${endsAfter.length})`);
    assert.deepEqual(
      endsAfter.filter((e) => e.status !== 'done').map((e) => e.error),
      [],
      'every item started after the restart succeeded: none reused a page of the dead browser',
    );
    const failed = lines.filter((e) => e.type === 'item-end' && e.status === 'failed').length;
    assert.ok(failed <= 2, `only the items running at the crash failed (${failed})`);
    assert.equal(ended.code, 0, ended.stderr + ended.stdout);
    assert.equal(lineCount(dataset), 30 - failed);
    if (failed) assert.match(ended.stdout, new RegExp(`✔ passed .*, ${failed} of 30 items failed, recovered from 1 browser crash`));
  });

  test('a loop whose items fail: passed says how many failed; past maxFailed the run fails with exit 1', async () => {
    // Items 7, 8 and 9 have no page: their goto answers HTTP 404.
    const runs = [
      { maxFailed: 5, code: 0, says: /✔ passed .* 7 records, 3 of 10 items failed,/ },
      { maxFailed: 2, code: 1, says: /3 of 10 items failed, more than the 2 that maxFailed allows/ },
    ];
    for (const { maxFailed, code, says } of runs) {
      const { dir, file, out } = slowItems(7, { readyAfterMs: 0, loop: `continueOnError: true\nmaxFailed: ${maxFailed}` });
      writeFileSync(join(dir, 'items.json'), JSON.stringify(Array.from({ length: 10 }, (_, n) => ({ n }))));
      writeFileSync(file, readFileSync(file, 'utf8').replace('- wait: "#ready"', '- wait: "#ready"\n          timeout: 5s'));
      const ended = await flow(['run', file, '--out', out]);
      assert.equal(ended.code, code, ended.stderr + ended.stdout);
      assert.match(ended.stdout + ended.stderr, says);
      const record = runJson(out);
      assert.equal(record.counts.itemsFailed, 3);
      assert.equal(record.run.status, code ? 'failed' : 'passed');
    }
  });

  test('recover.browserRestarts: 0 and the browser killed once: exit 4, what was extracted kept', async () => {
    const { file, out, dataset } = slowItems(30, { head: 'memory: { recover: { browserRestarts: 0 } }' });
    const run = startFlow(['run', file, '--out', out]);
    await whenRecords(run, dataset, 4);
    assert.ok(signal(browserPid(run.pid)!, 'SIGKILL'));
    const ended = await run.exited;
    assert.equal(ended.code, 4, ended.stderr + ended.stdout);
    assert.match(ended.stderr, /the browser died 1 time\(s\); recover\.browserRestarts allows 0 restart\(s\)/);
    assert.doesNotMatch(ended.stderr, noStack);
    const record = runJson(out);
    assert.equal(record.run.exitCode, 4);
    assert.equal(record.run.status, 'failed');
    const records = datasetMultiset(dataset);
    assert.ok(records.length >= 4 && records.length < 30);
    assert.equal(record.counts.records, records.length);
  });
});

describe('a renderer dies', { concurrency: true }, () => {
  test('kill -9 of the renderers mid-item: the items are tried again (attempt 2), the run passes, the crash is in the report', async () => {
    // Most of each item is a wait flow keeps itself, with no call to the page running: the crash is
    // noticed only by the step after it, which must not carry on in a fresh page as if nothing happened.
    const { file, out, dataset } = slowItems(10, { readyAfterMs: 0, report: true, before: '- wait: 600ms' });
    const run = startFlow(['run', file, '--out', out]);
    await whenRecords(run, dataset, 3);
    const renderers = rendererPids(run.pid);
    assert.ok(renderers.length > 0, 'Chromium runs renderer processes under flow');
    for (const pid of renderers) signal(pid, 'SIGKILL');
    const ended = await run.exited;
    assert.equal(ended.code, 0, ended.stderr + ended.stdout);
    assert.equal(datasetMultiset(dataset).length, 10);
    const lines = journal(out);
    assert.ok(types(lines, 'item-start').some((e) => e.attempt === 2), 'an item was started again');
    const crashAt = lines.findIndex((e) => e.type === 'browser' && e.event === 'page-crashed');
    assert.ok(crashAt > 0, 'the crash is in the journal');
    const endedBefore = new Set(lines.slice(0, crashAt).filter((e) => e.type === 'item-end').map((e) => e.item));
    const running = new Set(lines.slice(0, crashAt).filter((e) => e.type === 'item-start' && !endedBefore.has(e.item)).map((e) => e.item));
    assert.ok(running.size >= 1, 'items were running when the renderers died');
    for (const item of running) {
      const end = lines.find((e) => e.type === 'item-end' && e.item === item);
      assert.ok(end && end.status === 'done' && (end.attempts as number) >= 2, `an item running at the crash was done again from its start, not carried on in a reopened page: ${JSON.stringify(end)}`);
    }
    assert.ok(!lines.some((e) => e.type === 'log' && /closed to save memory/.test(e.message as string)), 'a crashed page is not said to have been closed to save memory');
    const record = runJson(out);
    assert.ok(record.counts.pageCrashes >= 1);
    assert.equal(record.counts.browserCrashes, 0);
    assert.equal(record.counts.itemsDone, 10);
    assert.match(ended.stdout, /recovered from \d+ page crash/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /a page crashed/);
  });

  test('a page that allocates until its renderer dies (once): retried, the run passes, the crash counted', async () => {
    const dir = join(tmp, `w${++folders}`);
    const site = join(dir, 'site');
    mkdirSync(site, { recursive: true });
    writeFileSync(
      join(site, 'hog.html'),
      `<!doctype html><title>hog</title><h1>hog</h1><script>
if (localStorage.getItem('crashed')) {
  addEventListener('load', () => document.body.insertAdjacentHTML('beforeend', '<p id="ready">ready</p>'));
} else {
  localStorage.setItem('crashed', '1');
  setTimeout(() => { const kept = []; for (;;) kept.push(new Array(1 << 20).fill(Math.random())); }, 200);
}
</script>`,
    );
    const file = join(dir, 'flow.yaml');
    writeFileSync(
      file,
      `version: 1
name: hog
serve: ${JSON.stringify(site)}
browser: { args: ["--js-flags=--max-old-space-size=128"] }
steps:
  - forEach:
      items: [1, 2, 3]
      steps:
        - goto: \${{ serve.url }}/hog.html?n=\${{ item }}
        - wait: "#ready"
        - extract: { fields: { title: h1 }, add: { n: "\${{ item }}" } }
output: items.jsonl
`,
    );
    const out = join(dir, 'run');
    const ended = await flow(['run', file, '--out', out]);
    assert.equal(ended.code, 0, ended.stderr + ended.stdout);
    assert.deepEqual(datasetMultiset(join(out, 'items.jsonl')), ['{"title":"hog","n":1}', '{"title":"hog","n":2}', '{"title":"hog","n":3}']);
    const lines = journal(out);
    assert.ok(types(lines, 'item-start').some((e) => e.attempt === 2 && e.index === 0), 'the first item was started again');
    const record = runJson(out);
    assert.ok(record.counts.pageCrashes >= 1, JSON.stringify(record.counts));
    assert.equal(record.counts.itemRetries, 1);
    assert.ok(journal(out).some((e) => e.type === 'step' && e.status === 'failed'), 'a step failed when the renderer died');
    assert.equal(record.counts.stepsFailed, 0, 'a failure the retried item made good does not count as a failed step');
    assert.ok(record.failures.length >= 1 && record.failures.every((f: { recovered?: boolean }) => f.recovered), JSON.stringify(record.failures));
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(report, /a page crashed/);
    assert.match(report, /<span class="tag" title="a crash caused it, and the loop item was done again">recovered<\/span>/);
  });
});

describe('exit codes', () => {
  test('a policy whose ladder reaches stop: exit 3', async () => {
    const { file, out } = slowItems(6, { readyAfterMs: 500, head: 'memory: { thresholds: { limitMb: 1, limitActions: [stop], cooldown: 0s } }' });
    const ended = await flow(['run', file, '--out', out]);
    assert.equal(ended.code, 3, ended.stderr + ended.stdout);
    assert.match(ended.stderr, /the policy's last action is stop/);
    assert.doesNotMatch(ended.stderr, noStack);
    assert.equal(runJson(out).run.exitCode, 3);
  });

  test('Ctrl-C in a repeat of 10^8 rounds that never waits on a page: stopped within 2 s, exit 130', async (t) => {
    const dir = join(tmp, `w${++folders}`);
    mkdirSync(dir);
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, 'version: 1\nname: spin\nsteps:\n  - repeat: { times: 100000000, steps: [ { set: { x: 1 } } ] }\n');
    const out = join(dir, 'run');
    const run = startFlow(['run', file, '--out', out]);
    // Rounds are being run once the journal holds step lines.
    await waitFor(() => existsSync(join(out, 'journal.jsonl')) && readFileSync(join(out, 'journal.jsonl'), 'utf8').includes('"type":"step"'), 60_000, 'the loop to run');
    const sent = performance.now();
    assert.ok(signal(run.pid, 'SIGINT'));
    const ended = await run.exited;
    const tookMs = performance.now() - sent;
    t.diagnostic(`exited ${Math.round(tookMs)} ms after SIGINT; journal ${readFileSync(join(out, 'journal.jsonl')).length} bytes`);
    assert.equal(ended.code, 130, ended.stderr + ended.stdout);
    assert.ok(tookMs < 2000, `stopped ${Math.round(tookMs)} ms after SIGINT`);
    assert.match(ended.stderr, /SIGINT received/);
    assert.equal(runJson(out).run.status, 'interrupted');
  });
});

describe('the disk fills up', () => {
  const root = process.getuid?.() === 0;
  const skip = root ? false : 'needs root to mount a small tmpfs';

  test('ENOSPC on the run folder: a plain message naming the file and the room needed, every line whole; with space freed, resume writes every record once', { skip }, async (t) => {
    const disk = join(tmp, 'disk');
    mkdirSync(disk);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', disk], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      t.skip(`mount -t tmpfs failed: ${mounted.stderr.trim()}`);
      return;
    }
    try {
      // 40 records of about 6 KB each: the dataset alone outgrows the 200 KB disk.
      const { file } = slowItems(40, { readyAfterMs: 0, fillerBytes: 6000, fields: '{ title: h1, sku: .sku, filler: .filler }' });
      const out = join(disk, 'run');
      const dataset = join(out, 'items.jsonl');
      const ended = await flow(['run', file, '--out', out]);
      assert.equal(ended.code, 1, ended.stderr + ended.stdout);
      assert.match(ended.stderr, /the disk is full: flow could not write \S*(items\.jsonl|journal\.jsonl) \(ENOSPC; [\d.]+ MB free, at least [\d.]+ MB needed\)\. Nothing written so far is lost: free some space, then resume the run with flow resume /);
      assert.doesNotMatch(ended.stderr + ended.stdout, noStack, 'no stack trace');
      assert.deepEqual(readdirSync(out).filter((name) => name.endsWith('.tmp')), [], 'no run.json.tmp left behind');
      const partial = datasetMultiset(dataset); // every line parses
      assert.ok(partial.length < 40, `the disk filled before the end (${partial.length} records)`);
      for (const line of readFileSync(join(out, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean)) JSON.parse(line);

      const grown = spawnSync('mount', ['-o', 'remount,size=20m', disk], { encoding: 'utf8' });
      assert.equal(grown.status, 0, grown.stderr);
      const resumed = await flow(['resume', out, '--quiet']);
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
      const records = datasetMultiset(dataset);
      assert.equal(records.length, 40);
      assert.equal(new Set(records).size, 40, 'every record once');
      assert.equal(runJson(out).run.status, 'passed');
    } finally {
      for (let i = 0; i < 20; i++) {
        if (spawnSync('umount', [disk]).status === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });
});

// A test that failed half-way must not leave a Chromium behind.
after(() => {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(tmp) && alive(Number(name))) signal(Number(name), 'SIGKILL');
    } catch {
      // Gone.
    }
  }
});
