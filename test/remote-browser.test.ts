import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reduceJournalFile } from '../src/journal/reduce.js';
import { stopGroup } from './support/process-group.js';

/**
 * Workflows on a browser flow did not start: a Playwright server (browser.connect) and a
 * browser in a PID namespace of its own, reached over CDP (browser.cdp), as a browser pool in a
 * container is. Neither's processes are flow's children; the report says so. flow runs as its
 * own process (the CLI), so the servers the test starts are not its descendants.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'src', 'cli', 'main.ts');
const CHROMIUM = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || command -v google-chrome'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
const FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const tmp = mkdtempSync(join(tmpdir(), 'flow-remote-'));
const children: ChildProcess[] = [];
let server: Server;
let site: string;

before(async () => {
  server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end(`<!doctype html><title>remote</title><h1>Kettle</h1><p class="price">30.00</p><p>${request.url}</p>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await Promise.all(children.map((child) => stopGroup(child, 'SIGKILL')));
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts a long-lived helper and resolves with the first line matching `ready` it prints (stdout) or writes to `file`. */
async function startHelper(command: string, args: string[], ready: () => string | undefined): Promise<string> {
  // A group of its own: the browser's children hold the pipes too, and go with it at the end.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, detached: true });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = ready() ?? /^(ws:\/\/\S+)$/m.exec(output)?.[1];
    if (found) return found;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${command} did not come up: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `flow run` of a workflow on `browser`, with its report (the page stays open over a sample); what the run left behind. Not spawnSync: the site is served by this process. */
async function runOn(browser: string, name: string) {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  const file = join(dir, 'remote.yaml');
  writeFileSync(file, `version: 1\nname: ${name}\nbrowser:\n  ${browser}\nsteps:\n  - goto: ${site}/kettle\n  - wait: 2s\n  - extract:\n      fields:\n        name: h1\n        price: .price\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', file, '--out', join(dir, 'run'), '--quiet'], { cwd: root, env: { ...process.env, FLOW_BROWSER: '' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [status] = (await once(child, 'close')) as [number | null];
  assert.equal(status, 0, output);
  const records = readFileSync(join(dir, 'run', 'dataset.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  // run.json leaves the samples out; the journal has them all.
  const record = reduceJournalFile(join(dir, 'run', 'journal.jsonl'));
  return { records, record, report: readFileSync(join(dir, 'run', 'report.html'), 'utf8') };
}

describe('a remote browser', () => {
  test('browser.connect: a workflow runs on a Playwright server; the report says its memory is remote', async (t) => {
    const serverScript = join(tmp, 'server.mjs');
    writeFileSync(
      serverScript,
      `import { chromium } from ${JSON.stringify(join(root, 'node_modules', 'playwright-core', 'index.mjs'))};
const server = await chromium.launchServer({ executablePath: ${JSON.stringify(CHROMIUM)}, args: ${JSON.stringify(FLAGS)} });
console.log(server.wsEndpoint());
`,
    );
    const endpoint = await startHelper(process.execPath, [serverScript], () => undefined);
    const { records, record, report } = await runOn(`connect: ${endpoint}`, 'connect');
    assert.deepEqual(records, [{ name: 'Kettle', price: '30.00' }]);
    assert.equal(record.browser.mode, 'connect');
    assert.ok(record.samples.length > 0);
    // No browser process is made up: the samples hold flow's own process and nothing else.
    assert.ok(record.samples.every((sample) => sample.processes.length === 0 && Object.keys(sample.byKind).join() === 'runner'));
    // What the browser tells over CDP about its pages arrives when the sampler's budget for it
    // allows (sampling.pageMetrics; on a busy machine a short run may have none).
    const pages = record.samples.flatMap((sample) => sample.pages);
    assert.ok(pages.every((page) => page.jsHeapUsedMb > 0 && page.nodes > 0));
    t.diagnostic(`samples with page metrics from the remote browser: ${record.samples.filter((sample) => sample.pages.length > 0).length} of ${record.samples.length}`);
    assert.match(report, /id="remote-memory">The browser is remote: flow used a Playwright server \(browser\.connect\)/);
    assert.match(report, /Peak memory, flow only/);
    assert.match(report, /total: flow&#x27;s process only, the browser is remote|total: flow's process only, the browser is remote/);
  });

  const canIsolate = process.getuid?.() === 0 && spawnSync('unshare', ['-p', '-f', '-m', '--mount-proc', 'true']).status === 0;
  test('browser.cdp: a browser in its own PID namespace is remote, its pids are not read here', { skip: !canIsolate && 'needs root and unshare for a PID namespace' }, async () => {
    const userDataDir = join(tmp, 'pool-browser');
    const portFile = join(userDataDir, 'DevToolsActivePort');
    const port = await startHelper('unshare', ['-p', '-f', '-m', '--mount-proc', CHROMIUM, ...FLAGS, '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`], () =>
      existsSync(portFile) ? readFileSync(portFile, 'utf8').split('\n')[0] || undefined : undefined,
    );
    const { records, record, report } = await runOn(`cdp: http://127.0.0.1:${port}`, 'cdp-pool');
    assert.deepEqual(records, [{ name: 'Kettle', price: '30.00' }]);
    assert.equal(record.browser.mode, 'cdp');
    assert.ok(record.samples.every((sample) => sample.processes.length === 0));
    assert.match(report, /id="remote-memory">The browser is remote: flow used a browser reached over CDP \(browser\.cdp\)/);
  });

  test('browser.cdp: a Chrome on this machine is still measured process by process', async () => {
    const userDataDir = join(tmp, 'local-browser');
    const portFile = join(userDataDir, 'DevToolsActivePort');
    const port = await startHelper(CHROMIUM, [...FLAGS, '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`], () =>
      existsSync(portFile) ? readFileSync(portFile, 'utf8').split('\n')[0] || undefined : undefined,
    );
    const { records, record, report } = await runOn(`cdp: http://127.0.0.1:${port}`, 'cdp-local');
    assert.deepEqual(records, [{ name: 'Kettle', price: '30.00' }]);
    assert.ok(record.samples.some((sample) => sample.processes.some((p) => p.kind === 'browser' && (p.pssMb ?? 0) > 0)));
    assert.doesNotMatch(report, /id="remote-memory"/);
  });
});
