import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BrowserNotFoundError, findBrowser } from '../src/browser/find.js';
import { BrowserStartError, startBrowser, type BrowserSettings } from '../src/browser/launch.js';
import { stopGroup } from './support/process-group.js';

/**
 * How flow finds and starts a browser, against the machine's real Chrome or Chromium: the
 * first of the usual command names on PATH, found here by the shell, not by flow's own lookup.
 */
const CHROMIUM = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || command -v google-chrome || command -v google-chrome-stable'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
const FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const tmp = mkdtempSync(join(tmpdir(), 'flow-browser-test-'));
let server: Server;
let site: string;
let onSeeded: (() => void) | undefined;

/** Resolves when the next page loaded from /seed has written its cookies and storage. */
function nextSeed(): Promise<void> {
  return new Promise((resolve) => (onSeeded = resolve));
}

before(async () => {
  server = createServer((request, response) => {
    if (request.url === '/seed-done') {
      onSeeded?.();
      response.end();
      return;
    }
    response.setHeader('content-type', 'text/html');
    // A cookie that outlives the browser (Max-Age) and one that does not (a session cookie).
    if (request.url === '/seed') response.setHeader('set-cookie', ['kept=yes; Max-Age=3600; Path=/', 'session=yes; Path=/']);
    const script = request.url === '/seed' ? "<script>localStorage.setItem('note', 'stored'); fetch('/seed-done')</script>" : '';
    response.end(`<!doctype html><title>flow test page</title><h1>hello</h1>${script}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs `body` with FLOW_BROWSER set to `value` (or unset), then puts it back. */
function withFlowBrowser<T>(value: string | undefined, body: () => T): T {
  const saved = process.env.FLOW_BROWSER;
  if (value === undefined) delete process.env.FLOW_BROWSER;
  else process.env.FLOW_BROWSER = value;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.FLOW_BROWSER;
    else process.env.FLOW_BROWSER = saved;
  }
}

/** startBrowser for a call that should fail: a browser that starts anyway is closed, not leaked. */
async function startOrClose(settings: BrowserSettings): Promise<void> {
  const handle = await withFlowBrowser(undefined, () => startBrowser(settings));
  await handle.close();
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 0);
}

describe('findBrowser', () => {
  test('finds the system Chromium when nothing names one', () => {
    assert.deepEqual(
      withFlowBrowser(undefined, () => findBrowser()),
      { path: CHROMIUM, source: 'system' },
    );
  });

  test('honours FLOW_BROWSER, and the workflow setting over it', () => {
    const link = join(tmp, 'my-chrome');
    symlinkSync(CHROMIUM, link);
    assert.deepEqual(
      withFlowBrowser(link, () => findBrowser()),
      { path: link, source: 'FLOW_BROWSER' },
    );
    assert.deepEqual(
      withFlowBrowser(link, () => findBrowser(CHROMIUM)),
      { path: CHROMIUM, source: 'workflow' },
    );
    assert.deepEqual(
      withFlowBrowser(undefined, () => findBrowser(basename(CHROMIUM))),
      { path: CHROMIUM, source: 'workflow' },
      'a bare command name is looked up on PATH',
    );
  });

  test('a named browser that is not there is an error naming it, never a quiet fallback', () => {
    const missing = join(tmp, 'no-such-chrome');
    assert.throws(
      () => withFlowBrowser(undefined, () => findBrowser(missing)),
      (error: unknown) => error instanceof BrowserNotFoundError && error.path === missing && error.message.includes(missing) && /executablePath/.test(error.message),
    );
    assert.throws(
      () => withFlowBrowser(missing, () => findBrowser()),
      (error: unknown) => error instanceof BrowserNotFoundError && error.message.includes(missing) && /FLOW_BROWSER/.test(error.hint ?? ''),
    );
    assert.throws(
      () => withFlowBrowser(undefined, () => findBrowser(tmp)),
      (error: unknown) => error instanceof BrowserNotFoundError && /is a folder/.test(error.message),
    );
  });
});

describe('install check', () => {
  const script = fileURLToPath(new URL('../src/browser/install-check.ts', import.meta.url));
  const run = (env: NodeJS.ProcessEnv, command = process.execPath, args = ['--import', 'tsx', script]) =>
    spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, cwd: fileURLToPath(new URL('..', import.meta.url)) });

  test('names the browser it found, in one line', () => {
    const result = run({ FLOW_BROWSER: '' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `flow: using Chromium at ${CHROMIUM}\n`);
  });

  test('a wrong FLOW_BROWSER is one plain line, and the install still succeeds', () => {
    const result = run({ FLOW_BROWSER: '/opt/nowhere/chrome' });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^flow: FLOW_BROWSER is \/opt\/nowhere\/chrome, but there is no browser there; .+\n$/);
    assert.equal(result.stderr, '');
  });

  // Hides the browser in a private mount namespace: needs root and unshare.
  const canHide = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
  test('with no browser anywhere and no registry: tries the download and npm, fails quietly, says how to install one', { skip: !canHide && 'needs root and unshare' }, () => {
    // npm with an empty cache and a registry nothing answers on: the npm Chromium cannot be had either.
    const noRegistry = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(tmp, 'empty-npm-cache'), npm_config_fetch_retries: '0' };
    const result = run(
      { FLOW_BROWSER: '', PLAYWRIGHT_BROWSERS_PATH: join(tmp, 'playwright-browsers'), XDG_CACHE_HOME: join(tmp, 'no-flow-cache'), ...noRegistry },
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind /dev/null ${CHROMIUM} && exec "$0" "$@"`, process.execPath, '--import', 'tsx', script],
    );
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4, result.stdout);
    assert.match(lines[0], /trying to download/);
    assert.match(lines[1], /unpacking the Chromium of the npm package @sparticuz\/chromium/);
    assert.match(lines[2], /^flow: npm could not get @sparticuz\/chromium@[\d.]+ \(.+\)$/);
    assert.match(lines[3], /apt-get install -y chromium/);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('startBrowser', () => {
  test('launch: the workflow settings are what a page sees, and the policy flags reach Chromium', async () => {
    const handle = await withFlowBrowser(undefined, () =>
      startBrowser(
        { viewport: { width: 640, height: 480 }, userAgent: 'flow-test-agent/1.0', locale: 'fr-FR', timezone: 'Asia/Tokyo' },
        { diskCacheBytes: 5_000_000 },
      ),
    );
    try {
      assert.equal(handle.mode, 'launch');
      assert.equal(handle.executablePath, CHROMIUM);
      assert.match(handle.version, /^\d+\.\d+\.\d+\.\d+$/);
      const page = await handle.context.newPage();
      await page.goto(site);
      assert.deepEqual(
        await page.evaluate(() => ({
          userAgent: navigator.userAgent,
          width: innerWidth,
          height: innerHeight,
          language: navigator.language,
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        })),
        { userAgent: 'flow-test-agent/1.0', width: 640, height: 480, language: 'fr-FR', timeZone: 'Asia/Tokyo' },
      );
      await page.goto('chrome://version');
      const commandLine = await page.locator('#command_line').textContent();
      for (const flag of ['--disk-cache-size=5000000', ...FLAGS]) assert.ok(commandLine?.includes(flag), `${flag} missing from ${commandLine}`);

      const state = await handle.context.storageState();
      state.cookies.push({ name: 'carried', value: 'over', domain: '127.0.0.1', path: '/', expires: -1, httpOnly: false, secure: false, sameSite: 'Lax' });
      const fresh = await handle.newContext(state);
      assert.notEqual(fresh, handle.context);
      const next = await fresh.newPage();
      await next.goto(site);
      assert.deepEqual(await next.evaluate(() => [document.cookie, innerWidth]), ['carried=over', 640]);
    } finally {
      await handle.close();
    }
    assert.equal(handle.browser?.isConnected(), false);
  });

  test("launch: Playwright's, flow's and the workflow's features and V8 flags all reach Chromium, one switch each; the address bar's popup is not loaded", async () => {
    const handle = await withFlowBrowser(undefined, () =>
      startBrowser({ args: ['--disable-features=Translate', '--enable-features=NetworkServiceInProcess2', '--js-flags=--expose-gc'] }, { smallPageHeaps: true }),
    );
    try {
      const page = await handle.context.newPage();
      await page.goto(site);
      await page.goto('chrome://version');
      const commandLine = (await page.locator('#command_line').textContent()) ?? '';
      const disabled = commandLine.match(/--disable-features=\S+/g) ?? [];
      assert.equal(disabled.length, 1, `Chromium keeps only the last of ${disabled.join(' ')}`);
      // PaintHolding is in Playwright's own list; Translate is the workflow's.
      for (const feature of ['PaintHolding', 'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'Translate']) assert.ok(disabled[0].split(/[=,]/).includes(feature), `${feature} missing from ${disabled[0]}`);
      const enabled = commandLine.match(/--enable-features=\S+/g) ?? [];
      assert.equal(enabled.length, 1);
      assert.ok(enabled[0].includes('NetworkServiceInProcess2') && enabled[0].includes('CDPScreenshotNewSurface'), enabled[0]);
      assert.equal(commandLine.split('--js-flags=').length, 2, commandLine);
      assert.ok(commandLine.includes('--js-flags=--optimize-for-size --expose-gc'), "the policy's and the workflow's V8 flags, in one switch");
      assert.equal(await page.evaluate(() => typeof (globalThis as { gc?: unknown }).gc), 'function', 'the workflow\'s V8 flag reached the page');
      const cdp = await handle.browser!.newBrowserCDPSession();
      const { targetInfos } = await cdp.send('Target.getTargets');
      assert.deepEqual(targetInfos.filter((target) => target.url.includes('omnibox')), []);
    } finally {
      await handle.close();
    }
  });

  test('launch: a bad time zone or locale, and a program that is not a browser, fail in plain words', async () => {
    await assert.rejects(startOrClose({ timezone: 'Mars/Olympus_Mons' }), (error: unknown) => {
      assert.ok(error instanceof BrowserStartError);
      assert.equal(error.message, 'browser.timezone "Mars/Olympus_Mons" is not a time zone');
      assert.match(error.hint ?? '', /Europe\/Berlin/);
      return true;
    });
    await assert.rejects(startOrClose({ locale: 'not a locale' }), /browser\.locale "not a locale" is not a language tag/);
    await assert.rejects(startOrClose({ executablePath: '/bin/true' }), (error: unknown) => {
      assert.ok(error instanceof BrowserStartError);
      assert.match(error.message, /^could not start the browser at \/bin\/true: [^\n]+$/);
      return true;
    });
  });

  test('profile: cookies and storage outlive the browser, and newContext starts it again on the folder', async () => {
    const profile = join(tmp, 'profile');
    const first = await withFlowBrowser(undefined, () => startBrowser({ profile }));
    try {
      assert.equal(first.mode, 'profile');
      assert.equal(first.executablePath, CHROMIUM);
      assert.equal(first.context.pages().length, 0, 'the blank start page is closed');
      const page = await first.context.newPage();
      const seeded = nextSeed();
      await page.goto(`${site}/seed`);
      await seeded;
    } finally {
      await first.close();
    }

    const second = await withFlowBrowser(undefined, () => startBrowser({ profile }));
    try {
      const again = await second.context.newPage();
      await again.goto(site);
      assert.deepEqual(await again.evaluate(() => [document.cookie, localStorage.getItem('note')]), ['kept=yes', 'stored']);

      const before = second.context;
      const state = await before.storageState();
      state.cookies.push({ name: 'session', value: 'again', domain: '127.0.0.1', path: '/', expires: -1, httpOnly: false, secure: false, sameSite: 'Lax' });
      const relaunched = await second.newContext(state);
      assert.equal(second.context, relaunched);
      assert.notEqual(relaunched, before);
      const third = await relaunched.newPage();
      await third.goto(site);
      const cookies = await third.evaluate(() => document.cookie.split('; ').sort());
      assert.deepEqual(cookies, ['kept=yes', 'session=again'], 'session cookies come back through storageState');
      assert.equal(await third.evaluate(() => localStorage.getItem('note')), 'stored');
    } finally {
      await second.close();
    }
  });

  describe('attached to a Chrome someone else started', () => {
    const userDataDir = join(tmp, 'their-chrome');
    let chrome: ChildProcess;
    let devtools: string;

    before(async () => {
      const seeded = nextSeed();
      chrome = spawn(CHROMIUM, [...FLAGS, '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, `${site}/seed`], { stdio: 'ignore', detached: true });
      const portFile = join(userDataDir, 'DevToolsActivePort');
      const port = await waitFor('DevToolsActivePort', () => (existsSync(portFile) ? readFileSync(portFile, 'utf8').split('\n')[0] || undefined : undefined));
      devtools = `http://127.0.0.1:${port}`;
      await seeded;
      // Chromium hands a page's localStorage writes to its storage service asynchronously;
      // give them a moment, as a user's login would have had, before flow reads them.
      await new Promise((done) => setTimeout(done, 1000));
    });

    // Chromium writes its profile until every process of it has exited: the folder is removed after that.
    after(() => stopGroup(chrome));

    test('cdp: works in its own context with the Chrome’s logins, and leaves the Chrome running', async () => {
      const handle = await startBrowser({ cdp: devtools, viewport: { width: 500, height: 400 } });
      assert.equal(handle.mode, 'cdp');
      assert.equal(handle.executablePath, undefined);
      const page = await handle.context.newPage();
      await page.goto(`${site}/?flow`);
      assert.deepEqual(
        await page.evaluate(() => [document.cookie.split('; ').sort(), localStorage.getItem('note'), innerWidth]),
        [['kept=yes', 'session=yes'], 'stored', 500],
      );
      await handle.close();

      assert.ok(isAlive(chrome), 'the Chrome flow attached to is still running');
      const version = (await (await fetch(`${devtools}/json/version`)).json()) as { Browser: string };
      assert.match(version.Browser, /Chrome/);
      const tabs = ((await (await fetch(`${devtools}/json/list`)).json()) as Array<{ url: string }>).map((tab) => tab.url);
      assert.ok(tabs.includes(`${site}/seed`), `the user's own tab is still open: ${tabs}`);
      assert.ok(!tabs.includes(`${site}/?flow`), `flow's page is gone: ${tabs}`);
    });

    test('profile: a folder another Chrome has open is refused, naming the folder', async () => {
      await assert.rejects(
        withFlowBrowser(undefined, () => startBrowser({ profile: userDataDir })),
        (error: unknown) => error instanceof BrowserStartError && error.message.includes(userDataDir) && /in use/.test(error.message) && error.message.includes(`process ${chrome.pid}`),
      );
      assert.ok(isAlive(chrome));
    });
  });

  test('connect: uses a Playwright server, which keeps running after flow disconnects', async () => {
    const browserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: FLAGS });
    try {
      const handle = await startBrowser({ connect: browserServer.wsEndpoint(), locale: 'de-DE' });
      assert.equal(handle.mode, 'connect');
      const page = await handle.context.newPage();
      await page.goto(site);
      assert.equal(await page.title(), 'flow test page');
      assert.equal(await page.evaluate(() => navigator.language), 'de-DE');
      await handle.close();
      assert.equal(browserServer.process().exitCode, null, 'the server is still running');

      const again = await startBrowser({ connect: browserServer.wsEndpoint() });
      assert.equal((await again.context.newPage()).url(), 'about:blank');
      await again.close();
    } finally {
      await browserServer.close();
    }
  });

  test('cdp and connect: an address nothing answers on fails in plain words with a hint', async () => {
    const port = await freePort();
    await assert.rejects(startBrowser({ cdp: `http://127.0.0.1:${port}` }), (error: unknown) => {
      assert.ok(error instanceof BrowserStartError);
      assert.equal(error.message, `could not attach to the Chrome at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
      assert.match(error.hint ?? '', /--remote-debugging-port/);
      return true;
    });
    await assert.rejects(startBrowser({ connect: `ws://127.0.0.1:${port}/` }), (error: unknown) => {
      assert.ok(error instanceof BrowserStartError);
      assert.match(error.message, new RegExp(`^could not connect to the Playwright server at ws://127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED`));
      assert.ok(!error.message.includes('\n'));
      assert.match(error.hint ?? '', /run-server/);
      return true;
    });
  });

  test('settings that cannot apply together are refused before anything starts', async () => {
    await assert.rejects(startBrowser({ profile: join(tmp, 'unused'), cdp: 'http://127.0.0.1:9' }), /browser\.profile and browser\.cdp cannot be used together/);
    await assert.rejects(startBrowser({ connect: 'ws://127.0.0.1:9/', args: ['--mute-audio'] }), /browser\.args cannot apply with browser\.connect/);
    assert.equal(existsSync(join(tmp, 'unused')), false);
  });
});

describe("Chromium's sandbox", () => {
  // flow runs as an ordinary user (uid 1000) in a user namespace of its own; capping that
  // namespace's user.max_user_namespaces leaves Chromium none for its sandbox, as Docker's
  // default seccomp profile does.
  const canNest = process.getuid?.() === 0 && spawnSync('unshare', ['--user', '--map-root-user', 'true']).status === 0;
  const launch = join(fileURLToPath(new URL('..', import.meta.url)), 'src', 'browser', 'launch.ts');
  const processes = join(fileURLToPath(new URL('..', import.meta.url)), 'src', 'memory', 'processes.ts');

  function startAsUser(allowNamespaces: boolean): { status: number | null; stderr: string; browserUnsandboxed: boolean; renderersApart: boolean } {
    const dir = mkdtempSync(join(tmpdir(), 'flow-sandbox-'));
    chmodSync(dir, 0o755);
    const script = join(dir, 'start.mts');
    writeFileSync(
      script,
      `import { readFileSync, readlinkSync } from 'node:fs';
import { startBrowser } from ${JSON.stringify(launch)};
import { classifyProcess, listDescendants } from ${JSON.stringify(processes)};
const handle = await startBrowser({});
const page = await handle.context.newPage();
await page.setContent('<h1>sandboxed?</h1>');
const found = listDescendants().map((pid) => ({ pid, kind: classifyProcess(pid), ns: readlinkSync('/proc/' + pid + '/ns/user'), cmdline: readFileSync('/proc/' + pid + '/cmdline', 'utf8') }));
const browser = found.find((p) => p.kind === 'browser');
const renderers = found.filter((p) => p.kind === 'renderer');
console.log(JSON.stringify({ browserUnsandboxed: browser.cmdline.includes('--no-sandbox'), renderersApart: renderers.length > 0 && renderers.every((p) => p.ns !== browser.ns) }));
await handle.close();
`,
    );
    const cap = allowNamespaces ? '' : 'echo 1 > /proc/sys/user/max_user_namespaces && ';
    const result = spawnSync('unshare', ['--user', '--map-root-user', 'sh', '-c', `${cap}exec unshare --user --map-user=1000 --map-group=1000 "$@"`, 'sh', process.execPath, '--import', 'tsx', script], {
      encoding: 'utf8',
      env: { ...process.env, HOME: dir, FLOW_BROWSER: CHROMIUM },
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    rmSync(dir, { recursive: true, force: true });
    const said = JSON.parse(result.stdout.trim().split('\n').at(-1) || '{}') as { browserUnsandboxed: boolean; renderersApart: boolean };
    return { status: result.status, stderr: result.stderr, ...said };
  }

  test('stays on when flow is not root: the renderers run in a namespace of their own', { skip: !canNest && 'needs root and user namespaces' }, () => {
    const result = startAsUser(true);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.browserUnsandboxed, false);
    assert.equal(result.renderersApart, true);
    assert.doesNotMatch(result.stderr, /sandbox/);
  });

  test('where Chromium cannot build it, flow says so in one line and starts it without', { skip: !canNest && 'needs root and user namespaces' }, () => {
    const result = startAsUser(false);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.browserUnsandboxed, true);
    assert.match(result.stderr, /^flow: Chromium cannot build its sandbox here .*--no-sandbox.*\n$/);
  });
});
