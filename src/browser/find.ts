import { statSync } from 'node:fs';
import { isProgram } from '../runner/path-kind.js';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { BrowserNotFoundError } from './find-errors.js';
import { installedNpmChromium, NPM_CHROMIUM, npmChromiumEnv, npmChromiumUnsupported } from './npm-chromium.js';

export { BrowserNotFoundError } from './find-errors.js';

export interface FoundBrowser {
  path: string;
  /** Where the path came from, in the order flow looks. */
  source: 'workflow' | 'FLOW_BROWSER' | 'playwright' | 'system' | 'npm';
  /** The environment the browser process needs, when it is not flow's own (the npm Chromium's libraries). */
  env?: NodeJS.ProcessEnv;
}

/** Command names of Chrome and Chromium, most common first. */
const COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/**
 * The browser flow should start: `configured` (the workflow's browser.executablePath), then
 * FLOW_BROWSER, then a browser Playwright downloaded, then Chrome or Chromium on PATH or in
 * the usual install folders, then the Chromium `flow install-browser` unpacked from npm. A
 * browser that was named but is not there is an error, never a reason to quietly start another
 * one. Undefined when there is none at all.
 */
export function findBrowser(configured?: string): FoundBrowser | undefined {
  if (configured) return withLibraries({ path: named(configured, 'browser.executablePath in the workflow', 'remove browser.executablePath'), source: 'workflow' });
  const fromEnv = process.env.FLOW_BROWSER;
  if (fromEnv) return withLibraries({ path: named(fromEnv, 'FLOW_BROWSER', 'unset FLOW_BROWSER'), source: 'FLOW_BROWSER' });
  const managed = playwrightBrowser();
  if (managed) return { path: managed, source: 'playwright' };
  const system = COMMANDS.map(onPath).find((path) => path !== undefined) ?? installLocations().find(isProgram);
  if (system) return { path: system, source: 'system' };
  const shipped = installedNpmChromium();
  return shipped ? { path: shipped.path, source: 'npm', env: npmChromiumEnv(shipped) } : undefined;
}

/** One line on how to get a browser flow can use; `withNpm` false leaves out `flow install-browser`. */
export function browserInstallHelp(withNpm = true): string {
  const npm = withNpm && npmChromiumUnsupported() === undefined ? `run \`npx flow install-browser\` (a Chromium from the npm package ${NPM_CHROMIUM.name}), or ` : '';
  return (
    `${npm}install Chromium or Chrome: on Debian/Ubuntu \`sudo apt-get install -y chromium\`, ` +
    'on Fedora `sudo dnf install chromium`, ' +
    'on macOS `brew install --cask google-chrome` (or download it from google.com/chrome), ' +
    'on Windows `winget install Google.Chrome`; or point flow at one with FLOW_BROWSER=/path/to/chrome ' +
    'or browser.executablePath in the workflow'
  );
}

/** The npm Chromium named by its path still needs its libraries. */
function withLibraries(found: FoundBrowser): FoundBrowser {
  const shipped = installedNpmChromium();
  return shipped && shipped.path === found.path ? { ...found, env: npmChromiumEnv(shipped) } : found;
}

/** A browser named by the user: a path, or a command looked up on PATH. */
function named(value: string, origin: string, orElse: string): string {
  const isPath = isAbsolute(value) || /[\\/]/.test(value);
  const path = isPath ? resolve(value) : onPath(value);
  if (path && isProgram(path)) return path;
  const hint = `check it, or ${orElse} to let flow look for Chrome or Chromium itself`;
  if (!isPath) throw new BrowserNotFoundError(`${origin} is "${value}", but there is no such command on PATH`, hint, value);
  if (path && isFolder(path)) {
    throw new BrowserNotFoundError(
      `${origin} is ${value}, which is a folder, not a browser program`,
      'name the program itself, e.g. /Applications/Google Chrome.app/Contents/MacOS/Google Chrome on macOS',
      value,
    );
  }
  throw new BrowserNotFoundError(`${origin} is ${value}, but there is no browser there`, hint, value);
}

/** The Chromium Playwright would download (`npx playwright-core install chromium`), if it has. */
function playwrightBrowser(): string | undefined {
  try {
    const path = chromium.executablePath();
    return isProgram(path) ? path : undefined;
  } catch {
    // No managed browser is known for this platform.
    return undefined;
  }
}

/** Searches PATH as the shell would, without starting one. */
function onPath(command: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const extensions = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  for (const dir of dirs) {
    for (const extension of extensions) {
      const candidate = join(dir, command + extension);
      if (isProgram(candidate)) return candidate;
    }
  }
  return undefined;
}

function installLocations(): string[] {
  if (process.platform === 'darwin') {
    return ['/Applications', join(homedir(), 'Applications')].flatMap((apps) => [
      join(apps, 'Google Chrome.app/Contents/MacOS/Google Chrome'),
      join(apps, 'Chromium.app/Contents/MacOS/Chromium'),
    ]);
  }
  if (process.platform === 'win32') {
    const roots = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA].filter((root): root is string => !!root);
    return roots.flatMap((root) => [join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'), join(root, 'Chromium', 'Application', 'chrome.exe')]);
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/opt/google/chrome/chrome'];
}


function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
