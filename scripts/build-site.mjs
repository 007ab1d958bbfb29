// Writes demo/site/, the small multi-level site that workflows/site-crawl.yaml and the crawl
// tests crawl offline (its pages are described in scripts/site/pages.mjs). Deterministic, and
// committed: run `node scripts/build-site.mjs` only to change the site.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from './demo/png.mjs';
import { siteFiles } from './site/pages.mjs';

const site = fileURLToPath(new URL('../demo/site/', import.meta.url));
const MAP = encodePng(8, 8, Buffer.alloc(8 * 8 * 3, 0x6e));

rmSync(site, { recursive: true, force: true });
for (const [path, content] of siteFiles(MAP)) {
  mkdirSync(dirname(join(site, path)), { recursive: true });
  writeFileSync(join(site, path), content);
}
console.log(`wrote ${site}`);
