import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserInstallHelp, findBrowser, type FoundBrowser } from './find.js';
import { BrowserNotFoundError } from './find-errors.js';
import { installNpmChromium, NPM_CHROMIUM, npmChromiumUnsupported } from './npm-chromium.js';

const DOWNLOAD_TIMEOUT_MS = 120_000;

/**
 * Runs at the end of `npm install`: says which browser flow will use, or fetches Playwright's
 * Chromium, or else unpacks the Chromium of an npm package (the registry npm just installed
 * from is the one network a fresh machine is sure to reach), or says in one line how to get a
 * browser. Never fails the install.
 */
export async function installCheck(): Promise<void> {
  let found: FoundBrowser | undefined;
  try {
    found = findBrowser();
  } catch (error) {
    // FLOW_BROWSER names a browser that is not there: downloading another would hide that.
    if (error instanceof BrowserNotFoundError) return print(`flow: ${error.message}; ${error.hint}`);
    throw error;
  }
  if (!found) {
    print("flow: no Chrome or Chromium found; trying to download Playwright's Chromium (2 minutes at most)");
    if (downloadChromium()) found = findBrowser();
  }
  if (!found && npmChromiumUnsupported() === undefined) {
    print(`flow: that did not work; unpacking the Chromium of the npm package ${NPM_CHROMIUM.name}@${NPM_CHROMIUM.version} (about 70 MB)`);
    try {
      const installed = await installNpmChromium();
      print(`flow: ${installed.version} unpacked in ${seconds(installed.extractMs)}`);
      found = findBrowser();
    } catch (error) {
      print(`flow: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (found) return print(`flow: using ${/chromium/i.test(found.path) ? 'Chromium' : 'Chrome'} at ${found.path}`);
  print(`flow: that did not work; ${browserInstallHelp()}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `npx playwright-core install chromium`, run from the installed package so npx cannot reach for the registry. */
function downloadChromium(): boolean {
  const cli = join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'install', '--no-shell', 'chromium'], { stdio: 'ignore', timeout: DOWNLOAD_TIMEOUT_MS });
  return result.status === 0;
}

function runDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (runDirectly()) {
  await installCheck().catch((error: unknown) => {
    print(`flow: could not check for a browser (${error instanceof Error ? error.message : String(error)}); flow run will say if one is missing`);
  });
}
