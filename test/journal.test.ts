import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readJournal, type JournalRead } from '../src/journal/read.js';
import { reduceJournalFile } from '../src/journal/reduce.js';
import { readResumePoint } from '../src/journal/resume.js';
import { flow, itemWorkflow, runJson, writeItemSite, type JournalLine } from './support/journal-kit.js';

/**
 * Reading a journal: a last line cut short by kill -9 or a power cut, a damaged line, lines
 * longer than the reader's chunk, and a journal of 10^5 entries that `flow report` must get
 * through in a bounded time. The pure parts in-process; the journal they start from comes
 * from a real run of the CLI.
 */
const tmp = mkdtempSync(join(tmpdir(), 'flow-journal-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let realLines: string[] = [];
const nothingDead = () => false;

function read(path: string): { entries: JournalLine[]; status: JournalRead } {
  const status: JournalRead = { damagedLines: 0, tornLastLine: false };
  const entries = [...readJournal(path, status)] as unknown as JournalLine[];
  return { entries, status };
}

/** A run folder holding just `text` as its journal. */
function runFolder(name: string, text: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'journal.jsonl'), text);
  return dir;
}

const firstOf = (type: string) => realLines.find((line) => JSON.parse(line).type === type)!;

before(async () => {
  const dir = join(tmp, 'real');
  const { site } = writeItemSite(dir, 4);
  const file = itemWorkflow(dir, site, { concurrency: 1 });
  const result = await flow(['run', file, '--out', join(dir, 'run'), '--quiet']);
  assert.equal(result.code, 0, result.stderr);
  realLines = readFileSync(join(dir, 'run', 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
  for (const type of ['run-start', 'segment', 'sample', 'step', 'item-start', 'item-end', 'run-end']) assert.ok(firstOf(type), `the real journal has a ${type} line`);
});

describe('a journal cut short', () => {
  test('a last line torn at any byte is ignored, and said to be torn; the lines before it read whole', () => {
    const whole = `${realLines.join('\n')}\n`;
    const last = realLines.at(-1)!;
    const lastStart = Buffer.byteLength(whole) - Buffer.byteLength(last) - 1;
    const path = join(tmp, 'torn.jsonl');
    for (let cut = 1; cut <= Buffer.byteLength(last); cut++) {
      writeFileSync(path, whole);
      truncateSync(path, lastStart + cut);
      const { entries, status } = read(path);
      assert.equal(entries.length, realLines.length - 1, `cut ${cut} bytes into the last line`);
      assert.deepEqual(status, { damagedLines: 0, tornLastLine: true }, `cut ${cut} bytes into the last line`);
    }
    // Cut right after a newline: nothing torn.
    writeFileSync(path, whole);
    truncateSync(path, lastStart);
    assert.deepEqual(read(path).status, { damagedLines: 0, tornLastLine: false });
  });

  test('a run whose last line (its run-end) is torn reads as killed, with its true counts; flow report works on it and writes run.json', async () => {
    const whole = `${realLines.join('\n')}\n`;
    const dir = runFolder('torn-run', whole.slice(0, whole.length - Math.floor(realLines.at(-1)!.length / 2)));
    const record = reduceJournalFile(join(dir, 'journal.jsonl'), { isAlive: nothingDead });
    assert.equal(record.run.status, 'killed');
    assert.match(record.run.error!, /the run stopped without finishing \(flow was killed, or the machine stopped\) .* in; continue it with flow resume /);
    assert.equal(record.counts.records, 4);
    assert.equal(record.counts.itemsDone, 4);
    assert.deepEqual(record.journal, { entries: realLines.length - 1, damagedLines: 0, tornLastLine: true });
    assert.equal(record.run.segments[0].ended, 'killed');

    const point = readResumePoint(dir);
    assert.equal(point.end, undefined, 'nothing says the run ended');
    assert.equal(point.finished.size, 4);
    assert.equal(point.dataset.count, 4);

    const report = await flow(['report', dir]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /The run was killed before it finished: 4 records, 4 items done\./);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /id="status">killed</);
    const written = runJson(dir);
    assert.equal(written.run.status, 'killed');
    assert.equal(written.counts.records, 4);
    assert.equal(written.journal.tornLastLine, true);
  });

  test('a damaged line in the middle is counted and passed over; a journal without run-start is refused plainly', () => {
    const damaged = [...realLines];
    damaged.splice(3, 0, '{"type":"step","t":', 'not json at all', '[1,2,3]');
    const path = join(tmp, 'damaged.jsonl');
    writeFileSync(path, `${damaged.join('\n')}\n`);
    const { entries, status } = read(path);
    assert.equal(entries.length, realLines.length);
    assert.deepEqual(status, { damagedLines: 3, tornLastLine: false });
    assert.equal(reduceJournalFile(path, { isAlive: nothingDead }).journal.damagedLines, 3);

    writeFileSync(path, `${realLines.slice(1).join('\n')}\n`);
    assert.throws(() => reduceJournalFile(path), /the journal has no run-start line/);
    const dir = runFolder('no-start', `${realLines.slice(1).join('\n')}\n`);
    assert.throws(() => readResumePoint(dir), /the journal has no run-start line: it is damaged or not a flow journal/);
  });

  test('lines longer than the reader\'s 1 MB chunk, and lines across chunk boundaries, read whole', () => {
    const long = JSON.stringify({ type: 'log', t: 5, message: 'x'.repeat(2.5 * 1048576) });
    const small = (i: number) => JSON.stringify({ type: 'log', t: 6, message: `line ${i} ${'y'.repeat(i % 97)}` });
    const lines = [realLines[0], ...Array.from({ length: 20_000 }, (_, i) => small(i)), long, small(1), long];
    const path = join(tmp, 'long.jsonl');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { entries, status } = read(path);
    assert.equal(entries.length, lines.length);
    assert.deepEqual(status, { damagedLines: 0, tornLastLine: false });
    assert.equal((entries[20_001].message as string).length, 2.5 * 1048576);
    assert.equal(entries[20_002].message, 'line 1 y');
    entries.slice(1, 20_001).forEach((entry, i) => assert.equal(entry.message, `line ${i} ${'y'.repeat(i % 97)}`));
  });
});

describe('a journal of 10^5 entries', () => {
  const ITEMS = 10_000;
  const SAMPLES_PER_ITEM = 6;
  const LINES = 3 + ITEMS * (SAMPLES_PER_ITEM + 4) + 1;
  let dir = '';
  let stepLines = 0;

  before(() => {
    // run-start, segment and browser lines copied from the real run; then 10^5 sample, step and item lines.
    const sample = JSON.parse(firstOf('sample'));
    const step = JSON.parse(firstOf('step'));
    const itemStart = JSON.parse(firstOf('item-start'));
    const itemEnd = JSON.parse(firstOf('item-end'));
    dir = join(tmp, 'big');
    mkdirSync(dir);
    const fd = openSync(join(dir, 'journal.jsonl'), 'w');
    const out: string[] = [firstOf('run-start'), firstOf('segment'), firstOf('browser')];
    let t = 1000;
    let written = 0;
    const flush = () => {
      writeSync(fd, `${out.join('\n')}\n`);
      written += out.length;
      out.length = 0;
    };
    for (let i = 0; i < ITEMS; i++) {
      out.push(JSON.stringify({ ...itemStart, t: (t += 3), item: `s0:item${i}`, index: i, key: `item${i}`, attempt: 1 }));
      for (let s = 0; s < SAMPLES_PER_ITEM; s++) {
        out.push(JSON.stringify({ ...sample, t: (t += 3), totalPssMb: 300 + (i % 50) + s / 2, at: new Date(Date.parse(sample.at) + t).toISOString() }));
      }
      for (let s = 0; s < 2; s++) {
        out.push(JSON.stringify({ ...step, t: (t += 3), ms: 5 + s, visited: i + 1 }));
        stepLines++;
      }
      out.push(JSON.stringify({ ...itemEnd, t: (t += 3), item: `s0:item${i}`, index: i, key: `item${i}`, count: i + 1, offset: (i + 1) * 100, visited: i + 1 }));
      if (out.length > 5000) flush();
    }
    out.push(JSON.stringify({ ...JSON.parse(realLines.at(-1)!), t: (t += 3) }));
    flush();
    closeSync(fd);
    assert.equal(written, LINES);
    assert.ok(LINES > 100_000);
  });

  test('reduced to the right counts, with the timeline thinned', () => {
    const record = reduceJournalFile(join(dir, 'journal.jsonl'));
    assert.equal(record.journal.entries, LINES);
    assert.equal(record.counts.itemsDone, ITEMS);
    assert.equal(record.counts.records, ITEMS);
    assert.equal(record.counts.stepsRun, stepLines);
    assert.equal(record.counts.pagesVisited, ITEMS);
    assert.equal(record.run.status, 'passed');
    assert.ok(record.samples.length <= 2000 && record.samples.length >= 1000, `${record.samples.length} samples kept`);
    const peak = Math.max(...record.samples.map((s) => s.totalPssMb ?? 0));
    assert.equal(peak, 300 + 49 + (SAMPLES_PER_ITEM - 1) / 2, 'the peak survives the thinning');
  });

  test('flow report on it: exit 0 in a bounded time, run.json with the right counts', async () => {
    const report = await flow(['report', dir]);
    assert.equal(report.code, 0, report.stderr);
    assert.ok(report.ms < 30_000, `flow report took ${Math.round(report.ms)} ms`);
    const written = runJson(dir);
    assert.equal(written.counts.itemsDone, ITEMS);
    assert.equal(written.counts.records, ITEMS);
    assert.equal(written.counts.stepsRun, stepLines);
    assert.equal(written.journal.entries, LINES);
    assert.equal(written.samples, undefined, 'run.json leaves the samples to the journal');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /id="status">passed</);
    assert.ok(html.length < 5 * 1048576, `the report stays small (${html.length} bytes)`);
  });
});
