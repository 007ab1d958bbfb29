/**
 * Serves the crawl benchmark's generated site in its own process (its memory and the harness's
 * readings stay out of the measured tree): BENCH_SITE_PAGES pages (default 1200) at /p/N.html,
 * made on the fly and interlinked as a tree (three children a page, so every page is reachable)
 * plus cross links, links back up and home, the same links again with a #fragment and a
 * utm_ query, a link off the site and one to a PDF. Each page is as heavy as a real one: four
 * photographs (noise, so they neither compress nor decode for free; a URL of their own per
 * page, so the cache does not serve them), a stylesheet, and a script that builds a list of
 * 400 elements from 20,000 objects it keeps. Prints the address on the first line of stdout.
 */
import { createServer } from 'node:http';
// @ts-expect-error: a plain ES module of the demo's build scripts, without types.
import { encodePng } from '../scripts/demo/png.mjs';

const PAGES = Number(process.env.BENCH_SITE_PAGES ?? 1200);
const IMAGES_PER_PAGE = 4;
const PHOTO_VARIANTS = 8;

/** Deterministic noise: the same bytes on every run. */
function noise(width: number, height: number, seed: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < pixels.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    pixels[i] = x & 0xff;
  }
  return pixels;
}

const photos: Buffer[] = Array.from({ length: PHOTO_VARIANTS }, (_, k) => encodePng(480, 320, noise(480, 320, k + 1)) as Buffer);

const STYLE = `body { font: 16px/1.5 sans-serif; margin: 0 auto; max-width: 960px; padding: 0 16px; }
header, footer { background: #223; color: #eef; padding: 12px; }
.gallery { display: grid; grid-template-columns: repeat(2, 1fr); gap: 8px; }
.gallery img { width: 100%; height: auto; box-shadow: 0 2px 8px rgba(0,0,0,.3); border-radius: 6px; }
#widgets li { display: inline-block; padding: 2px 6px; margin: 2px; border: 1px solid #ccd; border-radius: 4px; }
nav a { margin-right: 8px; }
`;

// What a page's own script does on many real sites: builds state and a widget from it, and keeps both.
const SCRIPT = `(() => {
  const items = [];
  for (let i = 0; i < 20000; i++) items.push({ id: i, label: 'item ' + i, tags: ['a' + (i % 7), 'b' + (i % 13)], score: Math.sin(i) });
  items.sort((a, b) => a.score - b.score);
  const list = document.getElementById('widgets');
  const fragment = document.createDocumentFragment();
  for (const item of items.slice(0, 400)) {
    const li = document.createElement('li');
    li.textContent = item.label;
    li.addEventListener('click', () => li.classList.toggle('on'));
    fragment.appendChild(li);
  }
  list.appendChild(fragment);
  window.__state = items;
})();
`;

function links(n: number): string[] {
  const out = new Set<number>();
  for (let k = 1; k <= 3; k++) if (3 * n + k < PAGES) out.add(3 * n + k);
  out.add((n * 7 + 3) % PAGES);
  out.add((n * 31 + 11) % PAGES);
  if (n > 0) out.add(Math.floor((n - 1) / 3));
  out.add(0);
  const first = [...out][0] ?? 0;
  return [
    ...[...out].map((m) => `/p/${m}.html`),
    `/p/${first}.html#top`,
    `/p/${(n * 7 + 3) % PAGES}.html?utm_source=bench&utm_medium=link`,
    'https://example.com/elsewhere.html',
    `/files/report-${n % 20}.pdf`,
  ];
}

function page(n: number): string {
  const images = Array.from({ length: IMAGES_PER_PAGE }, (_, k) => `<img src="/img/${n}-${k}.png" width="480" height="320" alt="photo ${k + 1} of page ${n}">`).join('\n');
  const nav = links(n).map((href, i) => `<a href="${href}">link ${i + 1}</a>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Page ${n}</title><link rel="stylesheet" href="/css/site.css"></head>
<body><header><h1>Page ${n}</h1></header>
<main><p class="lead">Page ${n} of the benchmark site: text to read, pictures to decode, a script to run.</p>
<div class="gallery">${images}</div>
<ul id="widgets"></ul></main>
<nav>${nav}</nav>
<footer>footer of page ${n}</footer>
<script src="/js/app.js"></script>
</body></html>
`;
}

const server = createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  const pageMatch = /^\/p\/(\d+)\.html$/.exec(path);
  if (pageMatch && Number(pageMatch[1]) < PAGES) {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(Number(pageMatch[1])));
    return;
  }
  const image = /^\/img\/(\d+)-(\d+)\.png$/.exec(path);
  if (image) {
    response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(photos[(Number(image[1]) * IMAGES_PER_PAGE + Number(image[2])) % PHOTO_VARIANTS]);
    return;
  }
  if (path === '/css/site.css') return void response.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'max-age=3600' }).end(STYLE);
  if (path === '/js/app.js') return void response.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' }).end(SCRIPT);
  if (path.startsWith('/files/')) return void response.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4\n');
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
