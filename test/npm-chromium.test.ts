import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { browserInstallHelp } from '../src/browser/find.js';
import { NPM_CHROMIUM, npmChromiumUnsupported } from '../src/browser/npm-chromium.js';

/**
 * The way to a browser on a machine that has none: the Chromium of an npm package, unpacked by
 * `flow install-browser` or by the install check, then found by flow on its own. The machine's
 * browser is hidden in a private mount namespace (root and unshare), and so are the shared
 * libraries the npm Chromium brings its own copies of, as on a machine that has only Node.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'src', 'cli', 'main.ts');
const installCheck = join(root, 'src', 'browser', 'install-check.ts');
const tmp = mkdtempSync(join(tmpdir(), 'flow-npm-chromium-'));
const cache = join(tmp, 'cache');

const SYSTEM_BROWSER = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || command -v google-chrome'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
const LIB_DIR = '/usr/lib/x86_64-linux-gnu';
const BUNDLED_LIBS = ['libnss3.so', 'libnspr4.so', 'libnssutil3.so', 'libplc4.so', 'libplds4.so'];
const canHide = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
const unsupported = npmChromiumUnsupported();
const skip = unsupported ?? (!canHide && 'needs root and unshare to hide the machine’s browser');

/** Mounts that leave the machine without a browser and without the libraries the npm Chromium bundles. */
function hideBrowser(): string {
  const mounts = [`mount --bind /dev/null ${SYSTEM_BROWSER}`];
  if (existsSync('/usr/lib/chromium')) mounts.push('mount -t tmpfs tmpfs /usr/lib/chromium');
  for (const lib of BUNDLED_LIBS) if (existsSync(join(LIB_DIR, lib))) mounts.push(`mount --bind /dev/null ${join(LIB_DIR, lib)}`);
  return mounts.join(' && ');
}

/** Runs node with `args` on a machine without a browser, FLOW_BROWSER unset and flow's cache in `cacheHome`. */
async function withoutBrowser(args: string[], cacheHome: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const began = performance.now();
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${hideBrowser()} && exec "$0" "$@"`, process.execPath, '--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, FLOW_BROWSER: '', XDG_CACHE_HOME: cacheHome, PLAYWRIGHT_BROWSERS_PATH: join(tmp, 'no-playwright-browsers'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr, ms: performance.now() - began };
}

let server: Server;
let site: string;

before(async () => {
  server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end(`<!doctype html><title>shop</title><h1 class="name">Teapot</h1><p class="price">12.50</p><p class="font">${request.url}</p>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the Chromium of an npm package', { skip }, () => {
  let installed: Awaited<ReturnType<typeof withoutBrowser>>;

  before(async () => {
    installed = await withoutBrowser([cli, 'install-browser'], cache);
  });

  test('flow install-browser unpacks it into the cache folder, once', async (t) => {
    if (/npm could not get/.test(installed.stderr)) return t.skip(`npm cannot get ${NPM_CHROMIUM.name} here: ${installed.stderr.trim()}`);
    assert.equal(installed.status, 0, installed.stderr);
    const dir = join(cache, 'flow', 'chromium', NPM_CHROMIUM.version);
    assert.match(installed.stdout, new RegExp(`Chromium 1\\d\\d\\.[\\d.]+ at ${dir}/chromium \\(npm [\\d.]+ s, unpacked in [\\d.]+ s\\)`));
    t.diagnostic(`install-browser took ${Math.round(installed.ms)} ms: ${/\(npm .*\)/.exec(installed.stdout)?.[0]}`);
    for (const file of ['chromium', 'al2023/lib/libnss3.so', 'fonts.conf', 'libGLESv2.so']) assert.ok(existsSync(join(dir, file)), file);
    // The package is not kept: only the unpacked browser.
    assert.deepEqual(spawnSync('ls', ['-A', join(cache, 'flow', 'chromium')], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean), [NPM_CHROMIUM.version]);

    const again = await withoutBrowser([cli, 'install-browser'], cache);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /is already unpacked/);
  });

  test('flow run finds it with no browser on the machine, and a page loads and extracts', async (t) => {
    if (installed.status !== 0) return t.skip('flow install-browser did not install it');
    const dir = mkdtempSync(join(tmp, 'run-'));
    const file = join(dir, 'shop.yaml');
    writeFileSync(
      file,
      `version: 1\nname: npm chromium\nreport: false\nsteps:\n  - goto: ${site}/teapot\n  - extract:\n      fields:\n        name: h1.name\n        price: .price\n`,
    );
    const run = await withoutBrowser([cli, 'run', file, '--out', join(dir, 'run'), '--quiet'], cache);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    t.diagnostic(`flow run with the npm Chromium: ${Math.round(run.ms)} ms`);
    const records = readFileSync(join(dir, 'run', 'dataset.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(records, [{ name: 'Teapot', price: '12.50' }]);
    const record = JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8')) as { browser: { version: string; executablePath: string } };
    assert.equal(record.browser.executablePath, join(cache, 'flow', 'chromium', NPM_CHROMIUM.version, 'chromium'));
    assert.match(record.browser.version, /^153\./);
    // The libraries went to the browser's process only: flow's own environment has no trace of them.
    assert.doesNotMatch(process.env.LD_LIBRARY_PATH ?? '', /al2023/);
  });

  test('npm install on a machine with no browser: the install check unpacks it and names it', async (t) => {
    if (installed.status !== 0) return t.skip('flow install-browser did not install it');
    const fresh = join(tmp, 'fresh-cache');
    const result = await withoutBrowser([installCheck], fresh);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    t.diagnostic(`install check: ${Math.round(result.ms)} ms`);
    assert.match(lines[0], /no Chrome or Chromium found; trying to download Playwright's Chromium/);
    assert.match(lines[1], new RegExp(`unpacking the Chromium of the npm package ${NPM_CHROMIUM.name}@${NPM_CHROMIUM.version}`));
    assert.match(lines[2], /^flow: Chromium 153\.[\d.]+ unpacked in [\d.]+ s$/);
    assert.equal(lines[3], `flow: using Chromium at ${join(fresh, 'flow', 'chromium', NPM_CHROMIUM.version, 'chromium')}`);
    assert.equal(lines.length, 4, result.stdout);
  });
});

describe('where the npm Chromium cannot run', () => {
  test('elsewhere than Linux x64 the reason is plain, and the help names the system package', () => {
    assert.match(npmChromiumUnsupported('linux', 'arm64') ?? '', /Linux x64 only, and this machine is arm64/);
    assert.match(npmChromiumUnsupported('darwin', 'arm64') ?? '', /Linux only/);
    assert.equal(npmChromiumUnsupported('linux', 'x64'), undefined);
    assert.match(browserInstallHelp(false), /apt-get install -y chromium.*brew install --cask google-chrome.*winget install Google\.Chrome/);
  });
});
