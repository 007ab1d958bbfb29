/**
 * The pages of the benchmark's light and heavy workloads, written into a folder: 50 of each.
 * Light: a product's four fields and a paragraph, no stylesheet, script or image. Heavy: the
 * same fields, six 1024×768 images (3 MB each once decoded) and a script that builds a
 * catalogue of 250,000 objects in the page (about 30 MB of JS heap) and keeps it. bench/crawl.ts
 * visits them from a list; bench/real-site.ts crawls them from an index page of links.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

export const WORKLOAD_PAGES = 50;
const IMAGES = 24;
const IMAGES_A_PAGE = 6;

const pageName = (n: number) => `p-${String(n).padStart(3, '0')}.html`;

/** The path of a workload's i-th visit: its pages in turn, each visit with a URL of its own, so that no crawler takes two visits for one. */
export const workloadVisit = (kind: 'light' | 'heavy', i: number) => `${kind}/${pageName((i % WORKLOAD_PAGES) + 1)}?visit=${i}`;

/** KIND/index.html, linking to the first `visits` visits of the workload's pages: where a crawl of them starts. */
export function writeVisitIndex(folder: string, kind: 'light' | 'heavy', visits: number): void {
  const links = Array.from({ length: visits }, (_, i) => `<li><a href="/${workloadVisit(kind, i)}">visit ${i}</a></li>`).join('\n');
  writeFileSync(join(folder, kind, 'index.html'), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${kind} pages</title></head><body>\n<ul>\n${links}\n</ul>\n</body></html>\n`);
}

const fields = (kind: string, n: number) =>
  `<h1 class="product-title">${kind} item ${n}</h1>\n<p class="price">€${(n * 3.5).toFixed(2)}</p>\n<p class="sku">${kind.slice(0, 1).toUpperCase()}-${String(n).padStart(3, '0')}</p>\n<p class="stock">${n % 4 ? 'In stock' : 'Made to order'}</p>`;

export function writeWorkloadPages(folder: string): void {
  mkdirSync(join(folder, 'light'), { recursive: true });
  mkdirSync(join(folder, 'heavy', 'img'), { recursive: true });
  for (let i = 0; i < IMAGES; i++) writeFileSync(join(folder, 'heavy', 'img', `i-${i}.png`), png(1024, 768, i));
  for (let n = 1; n <= WORKLOAD_PAGES; n++) {
    const name = pageName(n);
    writeFileSync(join(folder, 'light', name), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Light item ${n}</title></head><body>\n${fields('light', n)}\n<p>A short description of light item ${n}.</p>\n</body></html>\n`);
    const images = Array.from({ length: IMAGES_A_PAGE }, (_, k) => `<img src="img/i-${(n * IMAGES_A_PAGE + k) % IMAGES}.png" width="1024" height="768" alt="">`).join('\n');
    const script = `<script>window.catalogue = Array.from({ length: 250000 }, (_, i) => ({ i, name: 'item ${n}-' + i, tags: [i % 7, i % 11] }));</script>`;
    writeFileSync(join(folder, 'heavy', name), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Heavy item ${n}</title></head><body>\n${fields('heavy', n)}\n${images}\n${script}\n</body></html>\n`);
  }
}

/** An RGB PNG with a pattern of its own: small on disk, width×height×4 bytes once decoded. */
function png(width: number, height: number, seed: number): Buffer {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      rows[at] = (x + seed * 29) & 255;
      rows[at + 1] = (y + seed * 53) & 255;
      rows[at + 2] = ((x >> 3) ^ (y >> 3) ^ seed) & 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
