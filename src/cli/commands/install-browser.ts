import { browserInstallHelp, findBrowser } from '../../browser/find.js';
import { BrowserNotFoundError } from '../../browser/find-errors.js';
import { installedNpmChromium, installNpmChromium, NPM_CHROMIUM, npmChromiumCache, npmChromiumUnsupported } from '../../browser/npm-chromium.js';
import { EXIT } from '../exit-codes.js';
import { printProblem } from '../output.js';

/**
 * `flow install-browser`: unpacks the Chromium of the npm package into flow's cache folder
 * (once; again with --force), then says which browser flow will use, since a FLOW_BROWSER or a
 * system Chrome still comes first.
 */
export async function installBrowserCommand(options: { force?: boolean }): Promise<number> {
  const unsupported = npmChromiumUnsupported();
  if (unsupported) {
    printProblem(new BrowserNotFoundError(unsupported, browserInstallHelp()));
    return EXIT.invalidInput;
  }
  const present = installedNpmChromium();
  if (present && !options.force) {
    console.log(`flow: the Chromium of ${NPM_CHROMIUM.name}@${NPM_CHROMIUM.version} is already unpacked: ${present.path}`);
  } else {
    console.log(`flow: getting ${NPM_CHROMIUM.name}@${NPM_CHROMIUM.version} with npm (about 70 MB) and unpacking it into ${npmChromiumCache()}`);
    try {
      const installed = await installNpmChromium();
      console.log(`flow: ${installed.version} at ${installed.browser.path} (npm ${seconds(installed.downloadMs)}, unpacked in ${seconds(installed.extractMs)})`);
    } catch (error) {
      printProblem(new Error(`${error instanceof Error ? error.message : String(error)}; check that npm reaches its registry (\`npm ping\`), or ${browserInstallHelp(false)}`));
      return EXIT.failed;
    }
  }
  const shipped = installedNpmChromium()!;
  try {
    const used = findBrowser();
    if (used && used.path !== shipped.path) console.log(`flow: flow runs ${used.path} all the same (found first, as ${used.source}); FLOW_BROWSER=${shipped.path} picks the npm one`);
  } catch (error) {
    if (!(error instanceof BrowserNotFoundError)) throw error;
    console.log(`flow: note: ${error.message}; ${error.hint}`);
  }
  return EXIT.ok;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
