import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { datasetMultiset, flow, itemWorkflow, journal, lineCount, openGate, runJson, seeded, startFlow, waitFor, writeItemSite, type JournalLine } from './support/journal-kit.js';

/**
 * kill -9 of flow at chosen moments of a 300-item crawl, then `flow resume`: the dataset ends
 * up what an uninterrupted run extracts, every record once. The real CLI in child processes, a
 * real Chromium, pages served on 127.0.0.1.
 */
const tmp = mkdtempSync(join(tmpdir(), 'flow-resume-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ITEMS = 300;
let site = '';
/** The uninterrupted run's records: it runs beside the interrupted ones, which compare with it at their end. */
let baseline: Promise<string[]>;

/** A workflow folder of its own (its run folder beside it), over the shared 300-item site. */
function crawl(name: string): { file: string; out: string; dataset: string } {
  const dir = join(tmp, name);
  cpSync(join(tmp, 'site-src', 'items.json'), join(dir, 'items.json'));
  const file = itemWorkflow(dir, site, { name: 'crawl' });
  const out = join(dir, 'run');
  return { file, out, dataset: join(out, 'items.jsonl') };
}

/** Runs until the dataset holds at least `records` lines, then kill -9 of flow and Chromium. */
async function killAt(args: string[], dataset: string, records: number): Promise<number> {
  const run = startFlow(args);
  await Promise.race([
    waitFor(() => lineCount(dataset) >= records, 150_000, `${records} records`, 5),
    run.exited.then((ended) => {
      throw new Error(`flow ended (exit ${ended.code}) before ${records} records: ${ended.stderr}`);
    }),
  ]);
  const ended = await run.killHard();
  assert.equal(ended.signal, 'SIGKILL');
  return lineCount(dataset);
}

/** The checks every interrupted crawl must pass once resumed to its end. */
async function assertCompleteLikeBaseline(out: string, dataset: string, kills: number): Promise<void> {
  const records = datasetMultiset(dataset);
  assert.equal(records.length, ITEMS, 'every item once');
  assert.equal(new Set(records).size, ITEMS, 'no record twice');
  assert.deepEqual(records, await baseline, 'the same records as the uninterrupted run');

  const lines = journal(out);
  const segments = lines.filter((e) => e.type === 'segment');
  assert.equal(segments.length, kills + 1, 'one segment per flow process');
  assert.deepEqual(
    segments.map((s) => s.resumed),
    [false, ...Array(kills).fill(true)],
  );
  const done = lines.filter((e) => e.type === 'item-end' && e.status === 'done');
  assert.equal(done.length, ITEMS, 'each item finished once in the journal');
  assert.equal(new Set(done.map((e) => e.item)).size, ITEMS);
  const ends = lines.filter((e): e is JournalLine & { status: string } => e.type === 'run-end');
  assert.deepEqual(
    ends.map((e) => e.status),
    ['passed'],
    'only the last process ended the run; the killed ones just stopped',
  );

  const record = runJson(out);
  assert.equal(record.run.status, 'passed');
  assert.equal(record.counts.records, ITEMS);
  assert.equal(record.counts.itemsDone, ITEMS);
  assert.equal(record.counts.itemsFailed, 0);
  assert.equal(record.run.segments.length, kills + 1);
  assert.deepEqual(
    record.run.segments.map((s: { ended: string }) => s.ended),
    [...Array(kills).fill('killed'), 'finished'],
  );

  const report = await flow(['report', out]);
  assert.equal(report.code, 0, report.stderr);
  assert.doesNotMatch(report.stdout, /killed/);
  assert.match(report.stdout, /Report: .*report\.html/);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /id="status">passed</);
  assert.equal(runJson(out).run.status, 'passed', 'flow report leaves the run record of a finished run as it was');
}

async function resumeToEnd(out: string): Promise<void> {
  const resumed = await flow(['resume', out, '--quiet']);
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /✔ passed .*\(resumed \d+ times?\) — \d+ pages, 300 records/);
}

describe('kill -9 of flow during a 300-item crawl, then flow resume', { concurrency: true }, () => {
  before(() => {
    const src = join(tmp, 'site-src');
    site = writeItemSite(src, ITEMS).site;
    const { file, out, dataset } = crawl('baseline');
    baseline = flow(['run', file, '--out', out, '--quiet']).then((result) => {
      assert.equal(result.code, 0, result.stderr + result.stdout);
      const records = datasetMultiset(dataset);
      assert.equal(records.length, ITEMS);
      assert.equal(new Set(records).size, ITEMS);
      return records;
    });
    baseline.catch(() => undefined);
  });

  test('killed after the first record, then again at ~150 (in a resumed run) and at ~292: resumed each time, the dataset is the uninterrupted one', async () => {
    const { file, out, dataset } = crawl('first-middle-last');
    const moments = [1, 150, 292];
    let seen = await killAt(['run', file, '--out', out, '--quiet'], dataset, moments[0]);
    assert.ok(seen >= 1 && seen < ITEMS, `killed at ${seen}`);
    for (const at of moments.slice(1)) {
      seen = await killAt(['resume', out, '--quiet'], dataset, at);
      assert.ok(seen >= at && seen < ITEMS, `killed at ${seen} (aimed at ${at}): the crawl was too fast to catch`);
    }
    await resumeToEnd(out);
    await assertCompleteLikeBaseline(out, dataset, moments.length);
  });

  test('killed at ~60, at a moment drawn from a seed, and at ~240', async () => {
    const seed = Number(process.env.FLOW_TEST_SEED ?? 20261201);
    const drawn = 80 + Math.floor(seeded(seed)() * 140);
    const { file, out, dataset } = crawl('seeded');
    await killAt(['run', file, '--out', out, '--quiet'], dataset, 60);
    const seen = await killAt(['resume', out, '--quiet'], dataset, drawn);
    assert.ok(seen < 240, `seed ${seed}: killed at ${seen} (aimed at ${drawn})`);
    await killAt(['resume', out, '--quiet'], dataset, 240);
    await resumeToEnd(out);
    await assertCompleteLikeBaseline(out, dataset, 3);
  });
});

describe('what resume refuses, and what it does not redo', { concurrency: true }, () => {
  /** A short crawl whose items take a while each, so a kill lands mid-run. */
  function slowCrawl(name: string, count: number, gateFrom?: number): { site: string; file: string; out: string; dataset: string; text: string } {
    const dir = join(tmp, name);
    const { site: slowSite } = writeItemSite(dir, count, { readyAfterMs: 150, gateFrom });
    const file = itemWorkflow(dir, slowSite, { name, before: '- wait: "#ready"' });
    const out = join(dir, 'run');
    return { site: slowSite, file, out, dataset: join(out, 'items.jsonl'), text: readFileSync(file, 'utf8') };
  }

  test('a run still running is not resumed beside itself; a step inside the loop changed since the kill: refused with exit 2, naming the step and its line; a comment added is fine', async () => {
    // Items from the fourth on wait for the gate: the run is still going while it is asked to resume beside itself.
    const { site: gatedSite, file, out, dataset, text } = slowCrawl('changed', 12, 3);
    const run = startFlow(['run', file, '--out', out, '--quiet']);
    await waitFor(() => lineCount(dataset) >= 3, 120_000, '3 records');
    const beside = await flow(['resume', out]);
    assert.equal(beside.code, 2, beside.stderr + beside.stdout);
    assert.match(beside.stderr, new RegExp(`this run is still running \\(flow, process ${run.pid}\\)`));
    await run.killHard();
    openGate(gatedSite);
    const before = readFileSync(dataset);

    // flow report after kill -9: the true count, and the run said to be killed (5e).
    const committed = journal(out).filter((e) => e.type === 'item-end').at(-1)!.count as number;
    const report = await flow(['report', out]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, new RegExp(`The run was killed before it finished: ${committed} records, ${committed} items done\\. Continue it with flow resume `));
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /id="status">killed</);
    assert.equal(runJson(out).run.status, 'killed', 'flow report writes the run record the killed run could not');
    assert.equal(runJson(out).counts.records, committed);

    const changed = text.replace('fields: { title: h1, price: .price, sku: .sku }', 'fields: { title: h1, price: .price, sku: .sku, name: title }');
    assert.notEqual(changed, text);
    writeFileSync(file, changed);
    const line = changed.split('\n').findIndex((l) => l.includes('- extract:')) + 1;
    const refused = await flow(['resume', out]);
    assert.equal(refused.code, 2, refused.stderr + refused.stdout);
    assert.match(refused.stderr, new RegExp(`flow\\.yaml:${line}\\b.*the step extract.* changed since the run started`));
    assert.doesNotMatch(refused.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
    assert.deepEqual(readFileSync(dataset), before, 'the dataset is untouched');

    writeFileSync(file, text.replace('steps:\n', '# resumed after a kill\nsteps:\n'));
    const resumed = await flow(['resume', out, '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
    const records = datasetMultiset(dataset);
    assert.equal(records.length, 12);
    assert.equal(new Set(records).size, 12);
  });

  test('--out on a run folder is refused (exit 2, dataset untouched) unless --resume or --overwrite; resuming a finished run does nothing', async () => {
    const { file, out, dataset } = slowCrawl('refuse', 4);
    const first = await flow(['run', file, '--out', out, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    const dataBefore = readFileSync(dataset);
    const journalBefore = readFileSync(join(out, 'journal.jsonl'));

    const again = await flow(['run', file, '--out', out]);
    assert.equal(again.code, 2, again.stderr + again.stdout);
    assert.match(again.stderr, /this folder already holds a run \(journal\.jsonl, run\.json, items\.jsonl\); flow will not overwrite it/);
    assert.match(again.stderr, /--overwrite/);
    assert.deepEqual(readFileSync(dataset), dataBefore, 'the dataset is untouched');
    assert.deepEqual(readFileSync(join(out, 'journal.jsonl')), journalBefore, 'the journal is untouched');

    for (const args of [['run', file, '--resume', out], ['resume', out]]) {
      const finished = await flow(args);
      assert.equal(finished.code, 0, finished.stderr);
      assert.match(finished.stdout, /This run already finished \(passed at [^)]+\): there is nothing to resume/);
      assert.deepEqual(readFileSync(dataset), dataBefore, 'resuming a finished run leaves its dataset alone');
      assert.deepEqual(readFileSync(join(out, 'journal.jsonl')), journalBefore, 'and writes nothing to its journal');
    }

    const both = await flow(['run', file, '--out', out, '--resume', out]);
    assert.equal(both.code, 2);

    const fresh = await flow(['run', file, '--out', out, '--overwrite', '--quiet']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(datasetMultiset(dataset).length, 4);
    assert.equal(journal(out).filter((e) => e.type === 'run-start').length, 1, 'a new journal, not one appended to');
    assert.ok(existsSync(join(out, 'run.json')));
  });
});
