import { readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions } from 'playwright-core';
import { browserInstallHelp, findBrowser } from './find.js';
import { BrowserNotFoundError, BrowserStartError } from './find-errors.js';

export { BrowserStartError } from './find-errors.js';

/** The workflow's `browser:` section. */
export interface BrowserSettings {
  /** Default true; `--headed` on the command line sets false. */
  headless?: boolean;
  executablePath?: string;
  args?: string[];
  viewport?: { width: number; height: number };
  userAgent?: string;
  locale?: string;
  timezone?: string;
  /** A persistent user-data folder (absolute): cookies and storage outlive the run. */
  profile?: string;
  /** DevTools address of a Chrome someone else started (http://127.0.0.1:9222): attached to, never closed. */
  cdp?: string;
  /** ws:// address of a Playwright server (chromium.launchServer, `playwright run-server`). */
  connect?: string;
}

/** What the memory policy adds to a launch. */
export interface LaunchExtras {
  /** Caps Chromium's disk cache (`--disk-cache-size`). */
  diskCacheBytes?: number;
  /** V8's size-optimised mode in the renderers (the policy's gc.optimizeFor: memory). */
  smallPageHeaps?: boolean;
  /**
   * No spare renderer (a memory budget is set). Chromium keeps an idle renderer started ahead
   * for the next page, 20-30 MB PSS, and the budget controller, which divides the renderers'
   * memory among them, took it for a page half the size of the one open. Under a 700 MB budget
   * the benchmark's heavy pages peaked at 687 and 668 MB without it, 799 and 754 MB with it, at
   * the same speed (150 pages, one session, interleaved).
   */
  noSpareRenderer?: boolean;
}

export type BrowserMode = 'launch' | 'profile' | 'cdp' | 'connect';
export type StorageState = Exclude<BrowserContextOptions['storageState'], undefined>;

export interface BrowserHandle {
  /** The browser; for a profile, the one behind the persistent context. */
  readonly browser: Browser | undefined;
  /** Where pages open. In 'profile' mode it is replaced by newContext(). */
  readonly context: BrowserContext;
  readonly mode: BrowserMode;
  /** e.g. 156.0.8078.79 */
  readonly version: string;
  /** The program flow started; undefined when it attached to a running browser. */
  readonly executablePath?: string;
  /**
   * A fresh context with the same options, carrying `storageState` over. A persistent context
   * cannot be recreated while its browser runs, so in 'profile' mode this closes the browser,
   * starts it again on the same folder (which keeps cookies and storage) and returns the new
   * context; the old one is closed by then.
   */
  newContext(storageState?: StorageState): Promise<BrowserContext>;
  /**
   * Closes what flow started. For 'cdp' and 'connect' it closes flow's contexts and
   * disconnects: the browser or server at the other end keeps running.
   */
  close(): Promise<void>;
}

/** Without these Chromium keeps dialling update and sync hosts (NOTES.md). */
const QUIET_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/**
 * Since Chromium 151 the address bar's popup, a WebUI page, is kept loaded in a renderer of its
 * own even headless: 45 to 75 MB PSS for an address bar automation never shows.
 */
const UNUSED_FEATURES = '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup';
/** Merges the feature lists of Playwright, flow and the workflow into one switch each (see the script). */
const LAUNCHER = fileURLToPath(new URL('../../bin/chromium-launcher.sh', import.meta.url));
const ATTACH_TIMEOUT_MS = 20_000;
const PLAYWRIGHT_VERSION = (createRequire(import.meta.url)('playwright-core/package.json') as { version: string }).version;

/** Turns the workflow's `browser:` section into a running browser and a context to work in. */
export async function startBrowser(settings: BrowserSettings, extras: LaunchExtras = {}): Promise<BrowserHandle> {
  assertConsistent(settings);
  const contextOptions = contextOptionsOf(settings);
  if (settings.cdp) return attachOverCdp(settings.cdp, contextOptions);
  if (settings.connect) return connectToServer(settings.connect, contextOptions);
  const found = findBrowser(settings.executablePath);
  if (!found) throw new BrowserNotFoundError('no Chrome or Chromium found on this machine', browserInstallHelp());
  const launch: LaunchOptions = {
    executablePath: found.path,
    headless: settings.headless ?? true,
    args: launchArgs(settings, extras),
    ...(found.env && { env: found.env }),
    // Chromium refuses its sandbox as root; elsewhere it stays on unless Chromium cannot build it.
    chromiumSandbox: process.getuid?.() !== 0 && !sandboxRefused,
    // Playwright would kill the browser and exit at once on Ctrl-C; flow stops cleanly itself,
    // closing pages and keeping the record (src/cli/commands/run.ts).
    handleSIGINT: false,
    handleSIGTERM: false,
  };
  return settings.profile ? launchProfile(settings.profile, launch, contextOptions) : launchBrowser(launch, contextOptions);
}

function assertConsistent(settings: BrowserSettings): void {
  const modes = (['profile', 'cdp', 'connect'] as const).filter((key) => settings[key]);
  if (modes.length > 1) {
    throw new BrowserStartError(
      `browser.${modes[0]} and browser.${modes[1]} cannot be used together`,
      'keep one: profile starts Chromium on a folder, cdp attaches to a running Chrome, connect uses a Playwright server',
    );
  }
  const attached = modes.find((mode) => mode !== 'profile');
  const launchOnly = [settings.executablePath && 'executablePath', settings.args?.length && 'args'].filter(Boolean);
  if (attached && launchOnly.length > 0) {
    throw new BrowserStartError(
      `browser.${launchOnly.join(' and browser.')} cannot apply with browser.${attached}: flow does not start that browser`,
      'remove them, or give them to that browser where it is started',
    );
  }
}

/** Context options, checked here: Chromium would accept a bad time zone and fail at the first page. */
function contextOptionsOf(settings: BrowserSettings): BrowserContextOptions {
  const options: BrowserContextOptions = {};
  if (settings.viewport) options.viewport = settings.viewport;
  if (settings.userAgent) options.userAgent = settings.userAgent;
  if (settings.locale) {
    if (!isLocale(settings.locale)) throw new BrowserStartError(`browser.locale "${settings.locale}" is not a language tag`, 'use one such as en-US, de-DE or fr');
    options.locale = settings.locale;
  }
  if (settings.timezone) {
    if (!isTimeZone(settings.timezone)) throw new BrowserStartError(`browser.timezone "${settings.timezone}" is not a time zone`, 'use an IANA name such as Europe/Berlin, America/New_York or UTC');
    options.timezoneId = settings.timezone;
  }
  return options;
}

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function launchArgs(settings: BrowserSettings, extras: LaunchExtras): string[] {
  const args = [...QUIET_FLAGS, UNUSED_FEATURES];
  // 0 would mean "Chromium's default size", not "no cache".
  if (extras.diskCacheBytes && extras.diskCacheBytes > 0) args.push(`--disk-cache-size=${Math.round(extras.diskCacheBytes)}`);
  if (extras.smallPageHeaps) args.push('--js-flags=--optimize-for-size');
  if (extras.noSpareRenderer) args.push('--disable-features=SpareRendererForSitePerProcess');
  return [...args, ...(settings.args ?? [])];
}

/**
 * Chromium's words when it cannot build its sandbox: no user namespaces (a container's seccomp
 * profile, Ubuntu's AppArmor rule) and no setuid helper.
 */
const NO_SANDBOX = /No usable sandbox|Failed to move to new namespace|setuid_sandbox_host|Operation not permitted.*namespace/i;
/** Set once Chromium could not build its sandbox here: restarts do not try again. */
let sandboxRefused = false;

/** Starts the browser; when its sandbox cannot be built here, says so once and starts it without. */
async function withSandboxFallback<T>(launch: LaunchOptions, start: (options: LaunchOptions) => Promise<T>): Promise<T> {
  try {
    return await start(launch);
  } catch (error) {
    if (!launch.chromiumSandbox || !NO_SANDBOX.test(messageOf(error))) throw error;
    sandboxRefused = true;
    process.stderr.write("flow: Chromium cannot build its sandbox here (no user namespaces for it); running it with --no-sandbox. docs/browsers.md says what a container needs for it.\n");
    return start({ ...launch, chromiumSandbox: false });
  }
}

/**
 * The options Playwright gets: Chromium started by flow's launcher, which merges the
 * --disable-features and --enable-features lists (Chromium would keep only the last).
 * Windows has no sh: there Chromium is started as it is.
 */
function throughLauncher(launch: LaunchOptions): LaunchOptions {
  if (process.platform === 'win32') return launch;
  return { ...launch, executablePath: LAUNCHER, env: { ...(launch.env ?? process.env), FLOW_CHROMIUM: launch.executablePath } };
}

async function launchBrowser(launch: LaunchOptions, contextOptions: BrowserContextOptions): Promise<BrowserHandle> {
  const browser = await withSandboxFallback(launch, (options) => chromium.launch(throughLauncher(options))).catch((error: unknown) => {
    throw launchFailure(error, launch);
  });
  const newContext = (storageState?: StorageState) => contextWithState(browser, contextOptions, storageState);
  return {
    browser,
    context: await firstContext(browser, newContext),
    mode: 'launch',
    version: browser.version(),
    executablePath: launch.executablePath,
    newContext,
    close: () => browser.close(),
  };
}

async function launchProfile(dir: string, launch: LaunchOptions, contextOptions: BrowserContextOptions): Promise<BrowserHandle> {
  const start = async () => {
    assertProfileFree(dir);
    const started = await withSandboxFallback(launch, (options) => chromium.launchPersistentContext(dir, { ...throughLauncher(options), ...contextOptions })).catch((error: unknown) => {
      throw launchFailure(error, launch, dir);
    });
    // The blank page Chromium opens would count as a page the workflow left open. A headed
    // browser quits with its last window, so there it stays.
    if (launch.headless !== false) await Promise.all(started.pages().map((page) => page.close()));
    return started;
  };
  let context = await start();
  return {
    get browser() {
      return context.browser() ?? undefined;
    },
    get context() {
      return context;
    },
    mode: 'profile',
    version: context.browser()?.version() ?? 'unknown',
    executablePath: launch.executablePath,
    async newContext(storageState?: StorageState) {
      await context.close();
      context = await start();
      // The folder keeps everything but session cookies, which Chromium drops on exit.
      const cookies = cookiesOf(storageState);
      if (cookies.length > 0) await context.addCookies(cookies);
      return context;
    },
    close: () => context.close(),
  };
}

async function attachOverCdp(endpoint: string, contextOptions: BrowserContextOptions): Promise<BrowserHandle> {
  const browser = await chromium.connectOverCDP(endpoint, { timeout: ATTACH_TIMEOUT_MS }).catch((error: unknown) => {
    throw new BrowserStartError(
      `could not attach to the Chrome at ${endpoint}: ${reasonOf(error)}`,
      'start Chrome with --remote-debugging-port=9222 and a --user-data-dir of its own (Chrome 136 and later refuse remote debugging on the default profile), then check that http://127.0.0.1:9222/json/version answers',
    );
  });
  // flow works in a context of its own, so the user's tabs are never touched or closed; it
  // starts with the cookies and storage of the Chrome's own context, so logins carry over.
  const own = browser.contexts()[0];
  const seed = own ? await storageOf(own).catch(() => undefined) : undefined;
  const newContext = (storageState?: StorageState) => contextWithState(browser, contextOptions, storageState ?? seed);
  return {
    browser,
    context: await firstContext(browser, newContext),
    mode: 'cdp',
    version: browser.version(),
    newContext,
    // Over CDP this only drops the connection (and the contexts flow made): Chrome keeps running.
    close: () => browser.close(),
  };
}

async function connectToServer(endpoint: string, contextOptions: BrowserContextOptions): Promise<BrowserHandle> {
  const browser = await chromium.connect(endpoint, { timeout: ATTACH_TIMEOUT_MS }).catch((error: unknown) => {
    throw new BrowserStartError(
      `could not connect to the Playwright server at ${endpoint}: ${reasonOf(error)}`,
      `start one with \`npx playwright-core run-server --port 3000\` or chromium.launchServer() and give its ws:// address; its Playwright version must match flow's (${PLAYWRIGHT_VERSION})`,
    );
  });
  const newContext = (storageState?: StorageState) => contextWithState(browser, contextOptions, storageState);
  return {
    browser,
    context: await firstContext(browser, newContext),
    mode: 'connect',
    version: browser.version(),
    newContext,
    close: () => browser.close(),
  };
}

/** The first context; if it cannot be made, the browser is closed rather than left running. */
async function firstContext(browser: Browser, open: () => Promise<BrowserContext>): Promise<BrowserContext> {
  try {
    return await open();
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw new BrowserStartError(`the browser started but could not open a context: ${reasonOf(error)}`, undefined, { cause: error });
  }
}

/**
 * A context carrying another's cookies and local storage. Playwright would restore local storage
 * by loading a page of every origin before handing the context over (about 0.2 s an origin, on
 * every recycle); here each origin's storage is written by an init script when the first of its
 * documents starts, once per context (marked with a `flow:storage-restored` key).
 */
async function contextWithState(browser: Browser, options: BrowserContextOptions, state: StorageState | undefined): Promise<BrowserContext> {
  if (!state || typeof state === 'string' || state.origins.length === 0) return browser.newContext({ ...options, storageState: state });
  const context = await browser.newContext({ ...options, storageState: { cookies: state.cookies, origins: [] } });
  await context.addInitScript(restoreLocalStorage, state.origins);
  return context;
}

/** Runs in the page, at the start of every document. */
function restoreLocalStorage(origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>): void {
  try {
    const saved = origins.find((entry) => entry.origin === location.origin);
    if (!saved || localStorage.getItem('flow:storage-restored')) return;
    for (const { name, value } of saved.localStorage) localStorage.setItem(name, value);
    localStorage.setItem('flow:storage-restored', '1');
  } catch {
    // A frame without storage (sandboxed, opaque origin) has nothing to restore.
  }
}

/**
 * Cookies and local storage of a context flow did not create. Playwright's storageState() only
 * sees the local storage of origins it loaded itself, so the open tabs are asked for theirs;
 * a tab that does not answer within a second is left out.
 */
async function storageOf(context: BrowserContext): Promise<Exclude<StorageState, string>> {
  const state = await context.storageState();
  for (const page of context.pages()) {
    const origin = new URL(page.url()).origin;
    if (!/^https?:/.test(origin) || state.origins.some((known) => known.origin === origin)) continue;
    const read = page.evaluate(() => Object.entries(window.localStorage).map(([name, value]) => ({ name, value })));
    const entries = await Promise.race([read.catch(() => undefined), delay(1000, undefined, { ref: false })]);
    if (entries?.length) state.origins.push({ origin, localStorage: entries });
  }
  return state;
}

/**
 * Chromium marks a profile in use with a SingletonLock link to "host-pid". A second Chromium
 * on the folder would hand its work to the first and exit, so say so before trying. A lock
 * left by a process that is gone is stale: Chromium takes it over.
 */
function assertProfileFree(dir: string): void {
  let owner: string;
  try {
    owner = readlinkSync(join(dir, 'SingletonLock'));
  } catch {
    return;
  }
  const at = owner.lastIndexOf('-');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host === hostname() && !isRunning(pid)) return;
  throw profileInUse(dir, host === hostname() ? `process ${pid}` : `a browser on ${host}`);
}

function profileInUse(dir: string, owner?: string): BrowserStartError {
  return new BrowserStartError(
    `the profile folder ${dir} is in use by another Chrome or Chromium${owner ? ` (${owner})` : ''}`,
    'close that browser first, or give this workflow a browser.profile folder of its own: a profile can be open in one browser at a time',
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function launchFailure(error: unknown, launch: LaunchOptions, profile?: string): BrowserStartError {
  const text = messageOf(error);
  if (profile && /ProcessSingleton|profile is already in use/.test(text)) return profileInUse(profile);
  if (launch.headless === false && /Missing X server|\$DISPLAY|without having a XServer/.test(text)) {
    return new BrowserStartError('the browser cannot open a window: this machine has no display', 'run without --headed, or start flow under xvfb-run');
  }
  return new BrowserStartError(
    `could not start the browser at ${launch.executablePath}: ${reasonOf(error)}`,
    `check that it is Chrome or Chromium and that it starts: "${launch.executablePath}" --version; or point FLOW_BROWSER at another one`,
    { cause: error },
  );
}

/** The line of a Playwright error that says what went wrong, without its call log. */
function reasonOf(error: unknown): string {
  const lines = messageOf(error).split('\n').map((line) => line.trim());
  const first = lines[0].replace(/^[\w.]+: /, '');
  if (!/has been closed/.test(first)) return first;
  // The browser died while starting: what it printed says why.
  const said = lines
    .filter((line) => /\[err\]/.test(line) && /:(ERROR|FATAL):|error while loading/.test(line) && !/dbus/.test(line))
    .map((line) => line.replace(/^.*\[err\]\s*/, '').replace(/^\[[^\]]*:(ERROR|FATAL):[^\]]*\]\s*/, ''))[0];
  return said ? `it exited as it started (${said})` : 'it exited as it started';
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function cookiesOf(state: StorageState | undefined): Array<Parameters<BrowserContext['addCookies']>[0][number]> {
  if (state === undefined) return [];
  const parsed = typeof state === 'string' ? (JSON.parse(readFileSync(state, 'utf8')) as Exclude<StorageState, string>) : state;
  return parsed.cookies ?? [];
}
