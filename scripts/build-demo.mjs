// Writes demo/, the "Loom & Lantern" shop that flow's example workflows and benchmark crawl
// offline: pages, stylesheet, script, pictures, fonts and data files. Deterministic: running it
// twice gives identical bytes. demo/ is committed, so nobody needs to run this to use flow;
// edit scripts/demo/ and run `node scripts/build-demo.mjs` to change the shop.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DETAILS, KINDS, PAGE_COUNT, PRODUCT_COUNT, detailPath, picturePath, product, thumbnailPath } from './demo/catalogue.mjs';
import { paint } from './demo/paint.mjs';
import { encodePng } from './demo/png.mjs';
import { accountPage, contactPage, homePage, listPage, loginPage, productPage, searchPage } from './demo/pages.mjs';
import { utilitiesCss } from './demo/utilities.mjs';

const sources = fileURLToPath(new URL('./demo/', import.meta.url));
const demo = fileURLToPath(new URL('../demo/', import.meta.url));
const SYSTEM_FONTS = '/usr/share/fonts/truetype/dejavu';
const FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSerif-Bold.ttf'];

/** A font from the system, or the copy already in demo/ when the system has none. */
function readFont(name) {
  for (const folder of [SYSTEM_FONTS, join(demo, 'assets/fonts')]) {
    try {
      return readFileSync(join(folder, name));
    } catch {
      // try the next place
    }
  }
  throw new Error(`${name} is in neither ${SYSTEM_FONTS} nor demo/assets/fonts: install the fonts-dejavu-core package`);
}

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36" width="36" height="36">
  <rect width="36" height="36" rx="8" fill="#2f3e6e"/>
  <path d="M13 9h10l2 4v14a2 2 0 0 1-2 2H13a2 2 0 0 1-2-2V13z" fill="none" stroke="#e3a23b" stroke-width="2"/>
  <path d="M18 15c2 2.2 2.6 4 2.6 5.4a2.6 2.6 0 0 1-5.2 0c0-1.4.6-3.2 2.6-5.4z" fill="#ffcf7a"/>
  <path d="M15 6h6" stroke="#e3a23b" stroke-width="2" stroke-linecap="round"/>
</svg>
`;

const HERO = {
  shape: 'candles',
  pattern: 'plain',
  colour: '#e8b84a',
  accent: '#e8b84a',
  glow: '#ffcf7a',
  backdrop: ['#2b2530', '#17131a'],
};

const SEARCHES = [
  { query: 'lantern', maxPrice: 60 },
  { query: 'wool', maxPrice: 200 },
  { query: 'linen', maxPrice: 40 },
  { query: 'indigo', maxPrice: 150 },
  { query: 'stoneware', maxPrice: 120 },
];

const files = new Map();
const add = (path, content) => files.set(path, content);

add('index.html', homePage());
add('search.html', searchPage());
for (let page = 1; page <= PAGE_COUNT; page++) add(`products/page-${page}.html`, listPage(page));
for (let index = 1; index <= PRODUCT_COUNT; index++) add(`products/p-${String(index).padStart(3, '0')}.html`, productPage(index));
add('forms/login.html', loginPage());
add('forms/account.html', accountPage());
add('forms/contact.html', contactPage());

add('assets/site.css', `${readFileSync(join(sources, 'components.css'), 'utf8')}\n${utilitiesCss()}`);
add('assets/site.js', readFileSync(join(sources, 'site.js')));
add('assets/img/logo.svg', LOGO);

const picture = (size, recipe, seed) => encodePng(size[0], size[1], paint(size[0], size[1], recipe, seed));
KINDS.forEach((kind, i) => {
  add(picturePath(kind).slice(1), picture([440, 440], kind.picture, 100 + i));
  add(thumbnailPath(kind).slice(1), picture([240, 240], kind.picture, 200 + i));
});
DETAILS.forEach((detail, i) => add(detailPath(detail).slice(1), picture([360, 360], detail.picture, 300 + i)));
add('assets/img/hero.png', picture([800, 340], HERO, 400));

const fonts = FONTS.map((name) => [name, readFont(name)]);
for (const [name, bytes] of fonts) add(`assets/fonts/${name}`, bytes);
add('assets/fonts/LICENSE.txt', readFileSync(join(sources, 'dejavu-license.txt')));

const firstTen = Array.from({ length: 10 }, (_, i) => product(i + 1));
add('data/products.csv', `sku,url\n${firstTen.map((item) => `${item.sku},${item.path}`).join('\n')}\n`);
add('data/searches.json', `${JSON.stringify(SEARCHES, null, 2)}\n`);

rmSync(demo, { recursive: true, force: true });
let bytes = 0;
for (const [path, content] of files) {
  const target = join(demo, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  bytes += Buffer.byteLength(content);
}
console.log(`demo/: ${files.size} files, ${(bytes / 1024 / 1024).toFixed(2)} MB`);
