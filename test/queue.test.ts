import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parseQueueUrl, redisDistribution } from '../src/distribute/redis.js';
import { mergeRuns } from '../src/distribute/merge-run.js';
import { REDIS_SERVER, startRedis, type RedisProcess } from './support/redis.js';
import { writeSite } from './support/generated-site.js';
import { jsonLines } from './support/journal-kit.js';

/** Workers sharing a crawl through a real redis-server, started and stopped here; with a real Chromium. */
const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'bin/flow.js');
const tmp = mkdtempSync(join(tmpdir(), 'flow-queue-test-'));
const PAGES = 500;
/** Short, so that the items of the killed worker come back soon; renewed every second. */
const LEASE = '3s';

const CRAWL = `version: 1
name: shared crawl
serve: site
report: false
steps:
  - crawl:
      start: \${{ serve.url }}/index.html
      concurrency: 2
      steps:
        - extract: { fields: { title: h1, n: .n }, add: { url: "\${{ url }}" } }
output: pages.jsonl
`;

const portable = (record: Record<string, unknown>) => JSON.stringify({ ...record, url: new URL(String(record.url)).pathname });

interface Worker {
  child: ChildProcess;
  exit: Promise<number | null>;
  stderr: () => string;
}

/** A worker in a process group of its own, so that SIGKILL takes its browser with it, as the OOM killer or a node going away would. */
function worker(out: string, queue: string): Worker {
  const child = spawn(process.execPath, [cli, 'run', 'crawl.yaml', '--queue', queue, '--out', out, '--quiet'], { cwd: tmp, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return { child, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))), stderr: () => stderr };
}

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const committed = (dir: string) => jsonLines(join(tmp, dir, 'journal.jsonl')).filter((entry) => entry.type === 'item-end').length;
/** Items started and not ended: a commit writes the journal at once, so a start without its end is still running. */
const running = (dir: string) => {
  const journal = jsonLines(join(tmp, dir, 'journal.jsonl'));
  return journal.filter((entry) => entry.type === 'item-start').length - journal.filter((entry) => entry.type === 'item-end').length;
};

describe('workers sharing a crawl through Redis', { skip: REDIS_SERVER ? false : 'redis-server is not installed (apt-get install redis-server): the shared-queue tests need a real one' }, () => {
  let redis: RedisProcess;
  before(async () => {
    redis = await startRedis();
    writeSite(join(tmp, 'site'), PAGES);
    writeFileSync(join(tmp, 'crawl.yaml'), CRAWL);
  });
  after(async () => {
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a lease is completed once: a worker that lost it (it ran out, another took the item) is told so, and a renewed one is kept', async () => {
    const spec = parseQueueUrl(`${redis.url}?name=leases&lease=1s`);
    const signal = new AbortController().signal;
    const logs: string[] = [];
    const a = await redisDistribution({ spec, defaultName: 'x', identity: 'same', signal, log: (m) => logs.push(m) });
    const b = await redisDistribution({ spec, defaultName: 'x', identity: 'same', signal, log: (m) => logs.push(m) });
    try {
      const qa = a.forLoop('s0').queue!;
      const qb = b.forLoop('s0').queue!;
      assert.deepEqual(await qa.offer([{ key: 'k1', data: 1 }, { key: 'k2', data: 2 }]), [0, 1]);
      assert.deepEqual(await qb.offer([{ key: 'k2', data: 2 }, { key: 'k3', data: 3 }]), [-1, 2], 'each key accepted once, whoever offers it');
      const first = (await qa.take())!;
      assert.equal(first.key, 'k1');
      // A keeps k1 for 2.5 lease lengths by its heartbeat: B gets the other entries, not k1.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const second = (await qb.take())!;
      assert.equal(second.key, 'k2');
      assert.equal(await first.complete(), 'won');
      // B's lease runs out as if B had stopped renewing it (paused, or cut off from Redis): A takes k2 again, as attempt 2.
      const client = new Redis(redis.port, '127.0.0.1');
      await client.zadd('flow:leases:s0:leases', 'XX', 0, String(second.index));
      client.disconnect();
      const third = (await qa.take())!;
      assert.equal(third.key, 'k2');
      assert.equal(third.attempt, 2);
      assert.match(third.token, /#2$/);
      const fourth = (await qa.take())!;
      assert.equal(fourth.key, 'k3');
      // B's next heartbeat finds the lease gone and says so.
      await until('B has renewed its leases again', () => logs.length > 0, 5000);
      assert.match(logs[0], /lost the lease of item\(s\) 1 to another worker/);
      assert.equal(await third.complete(), 'won');
      assert.equal(await second.complete(), 'lost', 'the first attempt, finished late, lost to the second');
      assert.equal(await fourth.complete(), 'won');
      assert.equal(await qa.take(), undefined, 'every entry done: the queue says so');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a worker of another version of the workflow is refused; a bad address or a Redis that is not there exits 2 without showing the password', async () => {
    const spec = parseQueueUrl(`${redis.url}?name=versions`);
    const signal = new AbortController().signal;
    const first = await redisDistribution({ spec, defaultName: 'x', identity: 'one', signal, log: () => undefined });
    await first.close();
    await assert.rejects(redisDistribution({ spec, defaultName: 'x', identity: 'two', signal, log: () => undefined }), /belongs to another version of this workflow/);
    for (const [url, message] of [
      ['http://127.0.0.1:6379/0', /http:\/\/ is not Redis/],
      ['redis://127.0.0.1:6379/zero', /the database must be a number/],
      ['redis://127.0.0.1:6379/0?lease=10ms', /\?lease= must be at least 1s/],
      ['redis://127.0.0.1:6379/0?color=red', /takes \?name= and \?lease=, not \?color=/],
    ] as const) assert.throws(() => parseQueueUrl(url), message);
    const closed = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'run', 'crawl.yaml', '--queue', 'redis://flow:hunter2-secret@127.0.0.1:1/0', '--out', 'never'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => resolve({ code, stderr: output }));
    });
    assert.equal(closed.code, 2, closed.stderr);
    assert.match(closed.stderr, /--queue: the Redis at redis:\/\/flow@127\.0\.0\.1:1\/0 cannot be reached/);
    assert.doesNotMatch(closed.stderr, /hunter2/);
    assert.doesNotMatch(closed.stderr, /\n\s+at /, 'no stack trace');
  });

  test(`three workers share a ${PAGES}-page crawl; one is SIGKILLed, one is paused past its leases: every page is done, no record twice, the merge equals a single worker's run`, async (t) => {
    const shared = `${redis.url}?name=shared&lease=${LEASE}`;
    const single = worker('single', `${redis.url}?name=single&lease=${LEASE}`);
    const workers = ['w1', 'w2', 'w3'].map((dir) => worker(dir, shared));
    const [, killed, paused] = workers;
    await until('the second worker has committed 40 pages', () => committed('w2') >= 40);
    process.kill(-killed.child.pid!, 'SIGKILL');
    await until('the third worker has committed 60 pages and has one running', () => committed('w3') >= 60 && running('w3') > 0);
    // Paused with items in flight, for longer than their leases: the others take them, and its late commits must lose.
    process.kill(-paused.child.pid!, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 8000));
    process.kill(-paused.child.pid!, 'SIGCONT');
    const codes = await Promise.all([workers[0].exit, paused.exit, single.exit]);
    assert.deepEqual(codes, [0, 0, 0], workers.map((w) => w.stderr()).join('\n') + single.stderr());
    assert.equal(await killed.exit, null, 'killed by a signal');

    const killedJournal = jsonLines(join(tmp, 'w2/journal.jsonl'));
    assert.ok(!killedJournal.some((entry) => entry.type === 'run-end'), 'the killed worker never ended its run');
    const redone = [...jsonLines(join(tmp, 'w1/journal.jsonl')), ...jsonLines(join(tmp, 'w3/journal.jsonl'))].filter((entry) => entry.type === 'item-start' && /#[2-9]$/.test(String(entry.lease)));
    assert.ok(redone.length >= 1, 'an item the killed worker held was taken again after its lease ran out');

    const result = mergeRuns(['w1', 'w2', 'w3'].map((dir) => join(tmp, dir)), join(tmp, 'merged'));
    const merged = jsonLines(result.datasetPath);
    assert.equal(merged.length, PAGES, 'every page once');
    assert.deepEqual(new Set(merged.map((record) => Number(record.n))), new Set(Array.from({ length: PAGES }, (_, i) => i)));
    assert.deepEqual(merged.map(portable).sort(), jsonLines(join(tmp, 'single/pages.jsonl')).map(portable).sort());
    const lost = jsonLines(join(tmp, 'w3/journal.jsonl')).filter((entry) => entry.type === 'lease' && entry.verdict === 'lost');
    const commits = ['w1', 'w2', 'w3'].reduce((sum, dir) => sum + committed(dir), 0);
    assert.equal(result.duplicates, commits - PAGES, 'every page committed twice (by a worker that lost its lease, or died before the queue heard) was kept once');
    assert.ok(lost.length >= 1, 'the paused worker finished a page after its lease had gone to another worker, and was told it lost');
    assert.ok(result.duplicates >= lost.length);
    assert.equal(result.record.counts.itemsDone, PAGES);
    t.diagnostic(`pages by worker: ${result.record.parts!.map((part) => `${part.label} ${part.record.counts.itemsDone}`).join(', ')}; taken again after a lease ran out: ${redone.length}; late commits that lost: ${lost.length}; commits left out as copies: ${result.duplicates}`);
    assert.equal(result.record.parts?.length, 3);

    const client = new Redis(redis.port, '127.0.0.1');
    try {
      const [doneKey] = await client.keys('flow:shared:s0:done');
      assert.equal(await client.hlen(doneKey), PAGES, 'Redis holds one winner for every page');
      assert.equal(await client.zcard('flow:shared:s0:leases'), 0);
    } finally {
      client.disconnect();
    }
  });
});
