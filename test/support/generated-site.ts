import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a site of `pages` light pages into `dir`: page i links to pages 2i+1 and 2i+2 (a tree,
 * so the crawl goes deep) and to page (7i+3) mod pages (so pages are found from far away, and a
 * shard discovers pages that belong to another). Every page is reachable from index.html (page 0).
 */
export function writeSite(dir: string, pages: number): string[] {
  mkdirSync(dir, { recursive: true });
  const name = (i: number) => (i === 0 ? 'index.html' : `page-${i}.html`);
  for (let i = 0; i < pages; i++) {
    const links = [2 * i + 1, 2 * i + 2, (7 * i + 3) % pages].filter((n) => n < pages && n !== i);
    const body = links.map((n) => `<li><a href="${name(n)}">page ${n}</a></li>`).join('');
    writeFileSync(join(dir, name(i)), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page ${i}</title></head><body><h1>Page ${i}</h1><p class="n">${i}</p><ul>${body}</ul></body></html>\n`);
  }
  return Array.from({ length: pages }, (_, i) => `/${name(i)}`);
}
