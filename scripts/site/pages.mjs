// The pages of demo/site/, a small multi-level site for flow's crawl example and tests: a link
// graph with cycles, a deep chain, the same pages linked with fragments and tracking queries,
// links off the site, files that are not pages, a broken link, a folder robots.txt forbids,
// pages only a sitemap lists, and sitemaps plain, indexed and gzip-compressed.
import { gzipSync } from 'node:zlib';

const DOCS = 5;
const DEPTH = 5;
const POSTS = 6;
const ITEMS = 4;

function page(title, links, body = '') {
  const items = links.map(([href, text]) => `      <li><a href="${href}">${text}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} · Lantern Docs</title></head>
<body>
  <h1>${title}</h1>
  <p>${body || `This is the page "${title}".`}</p>
  <nav>
    <ul>
${items}
    </ul>
  </nav>
</body>
</html>
`;
}

function sitemap(urls) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((url) => `  <url><loc>${url}</loc></url>`).join('\n')}
</urlset>
`;
}

function sitemapIndex(urls) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((url) => `  <sitemap><loc>${url}</loc></sitemap>`).join('\n')}
</sitemapindex>
`;
}

/** Every file of the site, by path: text, or bytes for the compressed sitemap and the picture. */
export function siteFiles(png) {
  const files = new Map();
  files.set('index.html', page('Home', [
    ['docs/index.html', 'Documentation'],
    ['blog/index.html', 'Blog'],
    ['shop/index.html', 'Shop'],
    ['private/secret.html', 'Staff only'],
    ['files/guide.pdf', 'The guide as PDF'],
    ['files/map.png', 'A map'],
    ['https://example.com/elsewhere.html', 'Another site'],
    ['#top', 'Back to the top'],
    ['index.html?utm_source=home&utm_medium=nav', 'Home again, tracked'],
    ['mailto:team@example.com', 'Write to us'],
  ]));

  files.set('docs/index.html', page('Documentation', [
    ...Array.from({ length: DOCS }, (_, i) => [`page-${i + 1}.html`, `Chapter ${i + 1}`]),
    ['../index.html', 'Home'],
  ]));
  for (let i = 1; i <= DOCS; i++) {
    const links = [
      ['index.html', 'Contents'],
      [`page-${i}.html#section-2`, 'Section 2 of this chapter'],
      ...(i > 1 ? [[`page-${i - 1}.html`, 'Previous chapter']] : []),
      ...(i < DOCS ? [[`page-${i + 1}.html`, 'Next chapter']] : [['deep/level-1.html', 'Going deeper']]),
    ];
    files.set(`docs/page-${i}.html`, page(`Chapter ${i}`, links));
  }
  for (let level = 1; level <= DEPTH; level++) {
    const links = [['../index.html', 'Contents'], ...(level < DEPTH ? [[`level-${level + 1}.html`, 'Deeper']] : [])];
    files.set(`docs/deep/level-${level}.html`, page(`Level ${level}`, links));
  }

  files.set('blog/index.html', page('Blog', [
    ...Array.from({ length: POSTS }, (_, i) => [`post-${i + 1}.html`, `Post ${i + 1}`]),
    ['../index.html', 'Home'],
  ]));
  for (let i = 1; i <= POSTS; i++) {
    const links = [
      ['index.html', 'All posts'],
      [`post-${(i % POSTS) + 1}.html`, 'Next post'],
      [`post-${(i % POSTS) + 1}.html?utm_campaign=blog`, 'Next post, tracked'],
      ['https://other.example.org/', 'A friend of ours'],
      ...(i === 1 ? [['missing.html', 'A post that was taken down']] : []),
    ];
    files.set(`blog/post-${i}.html`, page(`Post ${i}`, links));
  }

  files.set('shop/index.html', page('Shop', [
    ['list.html?sort=price&page=1', 'Cheapest first'],
    ['list.html?page=1&sort=price', 'Cheapest first (the same list)'],
    ['catalogue-export', 'Download the catalogue'],
    ...Array.from({ length: ITEMS }, (_, i) => [`item-${i + 1}.html`, `Item ${i + 1}`]),
  ]));
  files.set('shop/list.html', page('Cheapest first', Array.from({ length: ITEMS }, (_, i) => [`item-${ITEMS - i}.html`, `Item ${ITEMS - i}`])));
  for (let i = 1; i <= ITEMS; i++) files.set(`shop/item-${i}.html`, page(`Item ${i}`, [['index.html', 'Shop'], ['../index.html#top', 'Home']]));
  // No extension: only its content type tells it is not a page.
  files.set('shop/catalogue-export', 'name,price\nItem 1,10\n');

  files.set('private/secret.html', page('Staff only', [['more.html', 'More']]));
  files.set('private/more.html', page('More staff things', [['secret.html', 'Back']]));
  files.set('files/guide.pdf', '%PDF-1.4\n% not a real document, only a link target\n');
  files.set('files/map.png', png);

  files.set('orphan.html', page('Only in the sitemap', [['index.html', 'Home']]));
  files.set('archive/old-news.html', page('Old news', [['../index.html', 'Home']], 'Listed only in the compressed sitemap.'));

  // Sitemap addresses are written from the root (/blog/...), not absolute as the protocol wants:
  // the port changes with every run; flow resolves them against the sitemap's own address.
  files.set('robots.txt', 'User-agent: *\nDisallow: /private/\n');
  files.set('sitemap.xml', sitemap(['/index.html', '/orphan.html', '/docs/index.html']));
  files.set('sitemap-index.xml', sitemapIndex(['/sitemap-blog.xml', '/sitemap-archive.xml.gz']));
  files.set('sitemap-blog.xml', sitemap(Array.from({ length: POSTS }, (_, i) => `/blog/post-${i + 1}.html`)));
  files.set('sitemap-archive.xml.gz', gzipSync(sitemap(['/archive/old-news.html'])));
  return files;
}
