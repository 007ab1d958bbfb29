/**
 * Serves the demo shop for the benchmark in its own process, so that the harness's memory
 * readings (tens of milliseconds each, longer for larger processes) never delay a response.
 * Prints the address on the first line of stdout and serves until killed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../src/serve/static.js';

const server = await startStaticServer(join(fileURLToPath(new URL('../', import.meta.url)), 'demo'), { quiet: true });
process.stdout.write(`${server.url}\n`);
