/**
 * Serves the folder named by its first argument for the benchmark, in a process of its own (as
 * bench/serve-demo.ts does for the demo shop). Prints the address on the first line of stdout.
 */
import { startStaticServer } from '../src/serve/static.js';

const server = await startStaticServer(process.argv[2], { quiet: true });
process.stdout.write(`${server.url}\n`);
