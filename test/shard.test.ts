import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shownPath } from '../src/runner/yaml-source.js';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mergeRuns } from '../src/distribute/merge-run.js';
import { parseShard, shardOf } from '../src/distribute/shard.js';
import { formatDiagnostics, InputError } from '../src/runner/diagnostics.js';
import { writeSite } from './support/generated-site.js';

/** --shard and flow merge through the CLI, with a real Chromium, against a generated site. */
const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'bin/flow.js');
const tmp = mkdtempSync(join(tmpdir(), 'flow-shard-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const PAGES = 30;

const CRAWL = `version: 1
name: sharded crawl
serve: site
steps:
  - crawl:
      start: \${{ serve.url }}/index.html
      steps:
        - extract: { fields: { title: h1, n: .n }, add: { url: "\${{ url }}", depth: "\${{ depth }}" } }
output: pages.jsonl
`;

const LOOP = `version: 1
name: sharded loop
serve: site
report: false
steps:
  - goto: \${{ serve.url }}/index.html
  - extract: { fields: { title: h1 }, add: { kind: home } }
  - forEach:
      items: ${JSON.stringify(Array.from({ length: 12 }, (_, i) => i + 1))}
      as: n
      concurrency: 2
      steps:
        - goto: \${{ serve.url }}/page-\${{ n }}.html
        - extract: { fields: { title: h1 }, add: { n: "\${{ n }}" } }
  - repeat:
      times: 2
      index: round
      steps:
        - forEach:
            items: [13, 14, 15, 16, 17, 18]
            as: n
            steps:
              - goto: \${{ serve.url }}/page-\${{ n }}.html
              - extract: { fields: { title: h1 }, add: { n: "\${{ n }}", round: "\${{ round }}" } }
output: items.jsonl
`;

function flow(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
/** A record as text, its address without the port of the server each run started for itself. */
const portable = (record: Record<string, unknown>) => JSON.stringify({ ...record, ...(record.url ? { url: new URL(String(record.url)).pathname } : {}) });
const multiset = (records: Array<Record<string, unknown>>) => records.map(portable).sort();

describe('static sharding and flow merge', () => {
  before(() => {
    writeSite(join(tmp, 'site'), PAGES);
    writeFileSync(join(tmp, 'crawl.yaml'), CRAWL);
    writeFileSync(join(tmp, 'loop.yaml'), LOOP);
  });

  // One page at a time, so that the depth each page is found at is the same in every run (with more, pages finish in any order).
  test('three shards of a crawl, merged, hold the records of one run as a multiset; each page was the steps of exactly one shard', async () => {
    const runs = await Promise.all([flow(['run', 'crawl.yaml', '--out', 'crawl-single', '--quiet']), ...[1, 2, 3].map((i) => flow(['run', 'crawl.yaml', '--shard', `${i}/3`, '--out', `crawl-${i}`, '--quiet']))]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr + run.stdout);
    const merged = await flow(['merge', 'crawl-1', 'crawl-2', 'crawl-3', '--out', 'crawl-merged']);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, new RegExp(`merged 3 shards: ${PAGES} records, ${PAGES} items done`));

    const single = lines(join(tmp, 'crawl-single/pages.jsonl'));
    assert.equal(single.length, PAGES);
    assert.deepEqual(multiset(lines(join(tmp, 'crawl-merged/pages.jsonl'))), multiset(single));
    const shares = [1, 2, 3].map((i) => lines(join(tmp, `crawl-${i}/pages.jsonl`)));
    for (const [i, share] of shares.entries()) {
      assert.ok(share.length > 0, `shard ${i + 1} did some pages`);
      // Deterministic: the share is the pages whose key hashes to the shard (the key is a hash of the URL as the journal keeps it).
      const journal = lines(join(tmp, `crawl-${i + 1}/journal.jsonl`));
      assert.equal(journal[0].type, 'run-start');
      assert.equal((journal[0].args as { shard?: string }).shard, `${i + 1}/3`);
      for (const end of journal.filter((entry) => entry.type === 'item-end')) assert.equal(shardOf(String(end.key), 3), i + 1);
    }
    // Merged in shard order, then journal order.
    assert.deepEqual(lines(join(tmp, 'crawl-merged/pages.jsonl')).map(portable), shares.flat().map(portable));

    const journal = lines(join(tmp, 'crawl-merged/journal.jsonl'));
    assert.equal(journal[0].type, 'run-start');
    assert.deepEqual(new Set(journal.filter((entry) => entry.part).map((entry) => entry.part)), new Set(['shard 1/3', 'shard 2/3', 'shard 3/3']));
    assert.equal(journal.filter((entry) => entry.type === 'run-start').length, 4, 'its own and one per shard, replayed');
    const record = JSON.parse(readFileSync(join(tmp, 'crawl-merged/run.json'), 'utf8'));
    assert.equal(record.counts.records, PAGES);
    assert.equal(record.counts.itemsDone, PAGES);
    assert.equal(record.parts.length, 3);
    for (const part of record.parts) assert.ok(part.record.stats.total.maxMb > 50, `${part.label} has its memory measured`);
    const report = readFileSync(join(tmp, 'crawl-merged/report.html'), 'utf8');
    assert.match(report, /<section id="parts">/);
    assert.equal((report.match(/data-chart="part-\d"/g) ?? []).length, 3, 'one memory timeline per shard');
    // The report is derived from the merged journal, as any run's.
    const again = await flow(['report', 'crawl-merged']);
    assert.equal(again.code, 0, again.stderr);
  });

  test('--shard auto reads Kubernetes and GitHub Actions variables; a loop with a record outside it, and a loop in the rounds of a repeat, merge to one run, that record once', async () => {
    const env: Array<Record<string, string>> = [{ FLOW_SHARD_INDEX: '1', FLOW_SHARD_COUNT: '2' }, { JOB_COMPLETION_INDEX: '1', FLOW_SHARD_COUNT: '2' }];
    const runs = await Promise.all([flow(['run', 'loop.yaml', '--out', 'loop-single', '--quiet']), ...env.map((vars, i) => flow(['run', 'loop.yaml', '--shard', 'auto', '--out', `loop-${i + 1}`, '--quiet'], vars))]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr + run.stdout);
    for (const i of [1, 2]) assert.equal(lines(join(tmp, `loop-${i}/journal.jsonl`))[0].args && (lines(join(tmp, `loop-${i}/journal.jsonl`))[0].args as { shard: string }).shard, `${i}/2`);
    const merged = await flow(['merge', 'loop-2', 'loop-1', '--out', 'loop-merged']);
    assert.equal(merged.code, 0, merged.stderr);
    const records = lines(join(tmp, 'loop-merged/items.jsonl'));
    assert.deepEqual(multiset(records), multiset(lines(join(tmp, 'loop-single/items.jsonl'))));
    assert.equal(records.length, 1 + 12 + 2 * 6);
    assert.equal(records.filter((record) => record.kind === 'home').length, 1);
    // The loop in each round is shared too, round by round: each shard did its own keys' items in both rounds.
    for (const i of [1, 2]) {
      const rounds = lines(join(tmp, `loop-${i}/journal.jsonl`)).filter((entry) => entry.type === 'item-end' && String(entry.item).includes(':r'));
      assert.ok(rounds.length > 0 && rounds.length < 12, `shard ${i} did part of the rounds' items`);
      for (const end of rounds) assert.equal(shardOf(String(end.key), 2), i);
    }
    assert.equal(records[0].kind, 'home', 'shard 1 first, whatever order the folders were given in');
  });

  test('merge refuses, with exit 2 and a located message: a missing or repeated shard, an unfinished shard, another workflow, a run that was not a shard', async () => {
    const refused = (args: string[], message: RegExp) =>
      assert.throws(
        () => mergeRuns(args.map((dir) => join(tmp, dir)), join(tmp, 'never')),
        (error: unknown) => error instanceof InputError && message.test(formatDiagnostics(error.diagnostics, new Map()).replaceAll(tmp + '/', '').replaceAll(shownPath(tmp) + '/', '')),
        message.source,
      );
    cpSync(join(tmp, 'crawl-2'), join(tmp, 'crawl-2-killed'), { recursive: true });
    const journal = readFileSync(join(tmp, 'crawl-2-killed/journal.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(tmp, 'crawl-2-killed/journal.jsonl'), `${journal.filter((line) => !line.includes('"run-end"')).join('\n')}\n`);
    refused(['crawl-1', 'crawl-1', 'crawl-2', 'crawl-3'], /crawl-1: shard 1\/3 is given twice/);
    refused(['crawl-1', 'crawl-2', 'crawl-single'], /crawl-single: this run was neither a shard/);
    refused(['crawl-1', 'loop-1'], /loop-1: its workflow's vars: or output: differ from those of crawl-1/);
    refused(['crawl-1', 'crawl-2-killed', 'crawl-3'], /crawl-2-killed: shard 2\/3 stopped before it finished \(it was killed\)\n\s+hint: finish it with flow resume/);
    refused(['nowhere'], /nowhere: this folder holds no run journal/);
    assert.throws(() => mergeRuns([1, 2, 3].map((i) => join(tmp, `crawl-${i}`)), join(tmp, 'crawl-merged')), /this folder already holds a run/);
    const missing = await flow(['merge', 'crawl-1', 'crawl-3', '--out', 'm1']);
    assert.equal(missing.code, 2, missing.stdout + missing.stderr);
    assert.match(missing.stderr, /^command line: shard 2\/3 is missing: the merged run would lack its share of the items\n\s+hint: give the run folders of all 3 shards/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  });

  test('bad --shard values are refused before a browser starts', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['0/3', {}, /shard 0 of 3 does not exist; shards are numbered 1 to 3/],
      ['4/3', {}, /shard 4 of 3 does not exist/],
      ['two', {}, /--shard two: write it as i\/N/],
      ['auto', {}, /FLOW_SHARD_COUNT is not set/],
      ['auto', { FLOW_SHARD_COUNT: '3' }, /neither FLOW_SHARD_INDEX \(from 1\) nor JOB_COMPLETION_INDEX/],
      ['auto', { FLOW_SHARD_COUNT: '3', JOB_COMPLETION_INDEX: '3' }, /JOB_COMPLETION_INDEX \(from 0\): shard 4 of 3 does not exist/],
      ['auto', { FLOW_SHARD_COUNT: '3', JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX must be a whole number, not "x"/],
    ];
    for (const [text, env, message] of cases) assert.throws(() => parseShard(text, env), (error: unknown) => error instanceof InputError && message.test(error.message), message.source);
    assert.deepEqual(parseShard('auto', { FLOW_SHARD_COUNT: '3', JOB_COMPLETION_INDEX: '2' }), { index: 3, count: 3 });
    const [bad, both] = await Promise.all([flow(['run', 'loop.yaml', '--out', 'never', '--shard', '4/3']), flow(['run', 'loop.yaml', '--out', 'never', '--shard', '1/2', '--queue', 'redis://127.0.0.1:1/0'])]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^command line: --shard 4\/3: shard 4 of 3 does not exist/);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /cannot be used with option '--shard/);
  });
});
