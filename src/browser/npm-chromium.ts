import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isProgram } from '../runner/path-kind.js';

/**
 * The Chromium that ships inside an npm package, for machines that have no browser and cannot
 * reach Playwright's download. Pinned: its `engines` asks for Node 22, but this version runs
 * on Node 20 under playwright-core 1.65 (test/npm-chromium.test.ts), and a newer one might not.
 */
export const NPM_CHROMIUM = { name: '@sparticuz/chromium', version: '153.0.0' } as const;

/** A download of a package this size should be done well within it, even on a slow line. */
const NPM_TIMEOUT_MS = 300_000;
const EXTRACT_TIMEOUT_MS = 120_000;
/** Brotli files in the package's bin/ folder: the browser, its GL libraries, fonts, and the shared libraries it links. */
const ARCHIVES = ['chromium.br', 'swiftshader.tar.br', 'fonts.tar.br', 'al2023.tar.br'];

export interface NpmChromium {
  /** The browser program. */
  path: string;
  /** Folder of the shared libraries it links (libnss3, libnspr4, libexpat): on LD_LIBRARY_PATH of the browser only. */
  libraryPath: string;
  /** A fontconfig file: the system's fonts plus the bundled ones, so a machine without fonts still renders text. */
  fontconfigFile: string;
}

export interface NpmChromiumInstall {
  browser: NpmChromium;
  /** "Chromium 153.0.8010.0", as the installed program says. */
  version: string;
  /** Time to get the package from the registry (or npm's cache), and to unpack it. */
  downloadMs: number;
  extractMs: number;
}

/** Why this machine cannot use the npm Chromium, or undefined when it can. */
export function npmChromiumUnsupported(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  if (platform !== 'linux') return `the Chromium in ${NPM_CHROMIUM.name} is built for Linux only`;
  // The package carries the x64 build only; its arm64 build is published outside npm.
  if (arch !== 'x64') return `${NPM_CHROMIUM.name} carries a Chromium for Linux x64 only, and this machine is ${arch}`;
  return undefined;
}

/** Where flow keeps the browsers it installed: $XDG_CACHE_HOME/flow/chromium, by default ~/.cache/flow/chromium. */
export function npmChromiumCache(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'flow', 'chromium');
}

/** The pinned npm Chromium, if `flow install-browser` (or the install check) unpacked it. */
export function installedNpmChromium(env: NodeJS.ProcessEnv = process.env): NpmChromium | undefined {
  const dir = join(npmChromiumCache(env), NPM_CHROMIUM.version);
  const browser = layoutOf(dir);
  return isProgram(browser.path) ? browser : undefined;
}

/**
 * The environment of the browser process: the bundled libraries first on its library path, and
 * the fontconfig file. flow's own process keeps its environment.
 */
export function npmChromiumEnv(browser: NpmChromium, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const libraryPath = [browser.libraryPath, ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)].join(':');
  return { ...env, LD_LIBRARY_PATH: libraryPath, FONTCONFIG_FILE: env.FONTCONFIG_FILE ?? browser.fontconfigFile };
}

/**
 * Gets the package with npm (from the registry npm is set up for, or npm's own cache), unpacks
 * its browser into the cache folder and checks that it starts. The package itself is removed
 * afterwards: only the unpacked browser is kept. Unpacking happens in a folder of its own that
 * is renamed into place at the end, so an interrupted install leaves no half browser behind.
 */
export async function installNpmChromium(env: NodeJS.ProcessEnv = process.env): Promise<NpmChromiumInstall> {
  const unsupported = npmChromiumUnsupported();
  if (unsupported) throw new Error(unsupported);
  const cache = npmChromiumCache(env);
  const staging = join(cache, `.install-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'npm'), { recursive: true });
  try {
    const fetched = performance.now();
    await npmInstall(join(staging, 'npm'), env);
    const downloadMs = performance.now() - fetched;
    const unpacked = performance.now();
    const out = join(staging, 'browser');
    await unpack(join(staging, 'npm', 'node_modules', ...NPM_CHROMIUM.name.split('/')), out, env);
    const extractMs = performance.now() - unpacked;
    const staged = layoutOf(out);
    const dir = join(cache, NPM_CHROMIUM.version);
    // fontconfig reads the file at every start: it names the folder the browser ends up in.
    writeFileSync(staged.fontconfigFile, fontconfig(join(dir, 'fonts'), join(cache, 'fontconfig-cache')));
    const version = startsOrThrows(staged, env);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    return { browser: layoutOf(dir), version, downloadMs, extractMs };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function layoutOf(dir: string): NpmChromium {
  return { path: join(dir, 'chromium'), libraryPath: join(dir, 'al2023', 'lib'), fontconfigFile: join(dir, 'fonts.conf') };
}

/** npm as the user set it up (registry, proxy, cache), but never stopped by the package's `engines`. */
async function npmInstall(prefix: string, env: NodeJS.ProcessEnv): Promise<void> {
  const args = ['install', `${NPM_CHROMIUM.name}@${NPM_CHROMIUM.version}`, '--prefix', prefix, '--global=false', '--no-save', '--no-package-lock', '--engine-strict=false', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  // Inside `npm install` or `npx`, the npm that runs us; else the one on PATH.
  const cli = env.npm_execpath && basename(env.npm_execpath).startsWith('npm-cli') ? env.npm_execpath : undefined;
  const [command, commandArgs] = cli ? [process.execPath, [cli, ...args]] : ['npm', args];
  const { code, output } = await run(command, commandArgs, { env, timeoutMs: NPM_TIMEOUT_MS });
  if (code !== 0) {
    const said = lastLines(output, 3) || `exit code ${code}`;
    throw new Error(`npm could not get ${NPM_CHROMIUM.name}@${NPM_CHROMIUM.version} (${said})`);
  }
}

/**
 * The package's own `inflate` unpacks into the temp folder (`os.tmpdir()`), so it runs in a
 * child process whose TMPDIR is the target: the package never touches the real temp folder or
 * flow's environment.
 */
async function unpack(pkg: string, out: string, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(out, { recursive: true });
  const entry = pathToFileURL(join(pkg, 'build', 'index.js')).href;
  const files = ARCHIVES.map((name) => join(pkg, 'bin', name));
  const script = `const { inflate } = await import(${JSON.stringify(entry)}); for (const file of ${JSON.stringify(files)}) await inflate(file);`;
  const { code, output } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...env, TMPDIR: out }, timeoutMs: EXTRACT_TIMEOUT_MS });
  if (code !== 0) throw new Error(`could not unpack ${NPM_CHROMIUM.name}: ${lastLines(output, 2) || `exit code ${code}`}`);
}

/** Runs the unpacked browser once (`--version`): a missing library shows here, not at the first run. */
function startsOrThrows(browser: NpmChromium, env: NodeJS.ProcessEnv): string {
  const result = spawnSync(browser.path, ['--version'], { encoding: 'utf8', env: npmChromiumEnv(browser, env), timeout: 30_000 });
  const version = result.stdout?.trim();
  if (result.status === 0 && version) return version;
  throw new Error(`the unpacked Chromium does not start: ${lastLines(`${result.stderr ?? ''}${result.error?.message ?? ''}`, 2) || `exit code ${result.status}`}`);
}

/** The system's fontconfig setup when there is one, plus the fonts the package brings. */
function fontconfig(fontsDir: string, cacheDir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${escapeXml(fontsDir)}</dir>`,
    `  <cachedir>${escapeXml(cacheDir)}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function run(command: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^npm (error|ERR!) /, '').trim())
    .filter(Boolean)
    .slice(-count)
    .join('; ');
}

