/**
 * Serves a generated site of BENCH_PAGES light linked pages (test/support/generated-site.ts) in
 * a process of its own, so that no worker's memory or CPU holds it. Prints the address on the
 * first line of stdout and serves until killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../src/serve/static.js';
import { writeSite } from '../test/support/generated-site.js';

const dir = mkdtempSync(join(tmpdir(), 'flow-bench-site-'));
writeSite(dir, Number(process.env.BENCH_PAGES ?? 500));
const server = await startStaticServer(dir, { quiet: true });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
