import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { csvField, openDataset, repairJsonDataset } from '../src/output/dataset.js';
import { parseCsv } from '../src/steps/support/csv.js';

/** The dataset file: what a user opens after a run, in each format, and what survives a crash. */
const tmp = mkdtempSync(join(tmpdir(), 'flow-dataset-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const records = [
  { name: 'Desk lamp, brass', price: 49.5, tags: ['light', 'desk'], note: 'says "hello"\non two lines' },
  { name: 'Chair', price: 120, tags: [], note: null, colour: 'red' },
];

test('JSONL: one record per line, each readable as it arrives', () => {
  const path = join(tmp, 'out', 'items.jsonl');
  const dataset = openDataset(path, 'jsonl');
  dataset.write(records[0]);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), records[0], 'the first record is on disk before the second is written');
  dataset.write(records[1]);
  dataset.close();
  assert.equal(dataset.count, 2);
  assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)), records);
});

test('JSON: an array a spreadsheet tool or jq reads whole; empty runs give []', () => {
  const path = join(tmp, 'items.json');
  const dataset = openDataset(path, 'json');
  for (const record of records) dataset.write(record);
  dataset.close();
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), records);
  const empty = openDataset(join(tmp, 'empty.json'), 'json');
  empty.close();
  assert.deepEqual(JSON.parse(readFileSync(join(tmp, 'empty.json'), 'utf8')), []);
});

test('CSV: header from the first record, quoting per RFC 4180, later fields kept in _extra', () => {
  const path = join(tmp, 'items.csv');
  const dataset = openDataset(path, 'csv');
  for (const record of records) dataset.write(record);
  dataset.close();
  const text = readFileSync(path, 'utf8');
  assert.ok(text.startsWith('name,price,tags,note,_extra\r\n'));
  assert.deepEqual(parseCsv(text), [
    { name: 'Desk lamp, brass', price: '49.5', tags: '["light","desk"]', note: 'says "hello"\non two lines', _extra: '' },
    { name: 'Chair', price: '120', tags: '[]', note: '', _extra: '{"colour":"red"}' },
  ]);
});

test('CSV: the columns the workflow declares, and no _extra column; a resumed file keeps its header', () => {
  const path = join(tmp, 'declared.csv');
  const dataset = openDataset(path, 'csv', { columns: ['name', 'price', 'colour'] });
  dataset.write({ name: 'Desk lamp', price: 49.5 });
  const { offset } = dataset.writeBatch([{ name: 'Chair', colour: 'red', price: 120 }]);
  dataset.close();
  assert.equal(readFileSync(path, 'utf8'), 'name,price,colour\r\nDesk lamp,49.5,\r\nChair,120,red\r\n');
  const resumed = openDataset(path, 'csv', { columns: ['name', 'price', 'colour'], resume: { offset, count: 2 } });
  resumed.write({ name: 'Stool', price: 30 });
  resumed.close();
  assert.equal(readFileSync(path, 'utf8'), 'name,price,colour\r\nDesk lamp,49.5,\r\nChair,120,red\r\nStool,30,\r\n');
  const undeclared = openDataset(join(tmp, 'undeclared.csv'), 'csv', { columns: ['name'] });
  assert.throws(() => undeclared.write({ name: 'Desk', price: 1 }), /fields its step does not declare \(price\)/);
  undeclared.close();
});

test('CSV: a file resumed from a run whose fields were not declared keeps its _extra column', () => {
  const path = join(tmp, 'extra-resumed.csv');
  const dataset = openDataset(path, 'csv');
  const { offset } = dataset.writeBatch([records[0]]);
  dataset.close();
  const resumed = openDataset(path, 'csv', { resume: { offset, count: 1 } });
  resumed.write(records[1]);
  resumed.close();
  assert.deepEqual(parseCsv(readFileSync(path, 'utf8')).map((row) => row._extra), ['', '{"colour":"red"}']);
});

test('CSV: text a spreadsheet would run as a formula is defused', () => {
  for (const hostile of ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tx']) {
    assert.ok(csvField(hostile).replace(/^"/, '').startsWith("'"), `${JSON.stringify(hostile)} → ${csvField(hostile)}`);
  }
  assert.equal(csvField(-5), '-5', 'numbers stay numbers');
  assert.equal(csvField('plain'), 'plain');
});

test('secrets are masked before a record reaches the disk', () => {
  const path = join(tmp, 'masked.jsonl');
  const dataset = openDataset(path, 'jsonl', { mask: (text) => text.replaceAll('hunter2', '***') });
  dataset.write({ login: 'ada', echo: 'password hunter2 accepted', nested: { list: ['hunter2'] } });
  dataset.close();
  assert.ok(!readFileSync(path, 'utf8').includes('hunter2'));
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { login: 'ada', echo: 'password *** accepted', nested: { list: ['***'] } });
});

test('a process killed outright (SIGKILL) loses no record it wrote; a JSON dataset can be closed after', () => {
  const module = fileURLToPath(new URL('../src/output/dataset.ts', import.meta.url));
  for (const format of ['jsonl', 'json'] as const) {
    const path = join(tmp, `killed.${format}`);
    const script = `
      const { openDataset } = await import(${JSON.stringify(module)});
      const dataset = openDataset(${JSON.stringify(path)}, ${JSON.stringify(format)});
      for (let i = 0; i < 100; i++) dataset.write({ i, text: 'record ' + i });
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    if (format === 'jsonl') {
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 100);
      assert.deepEqual(JSON.parse(lines[99]), { i: 99, text: 'record 99' });
    } else {
      assert.throws(() => JSON.parse(readFileSync(path, 'utf8')), 'the array was never closed');
      assert.equal(repairJsonDataset(path), true);
      assert.equal((JSON.parse(readFileSync(path, 'utf8')) as unknown[]).length, 100);
      assert.equal(repairJsonDataset(path), false, 'a closed file is left alone');
    }
  }
});
