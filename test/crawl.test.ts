import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Frontier } from '../src/steps/support/crawl/frontier.js';
import { normaliser } from '../src/steps/support/crawl/normalise.js';
import { urlFilter } from '../src/steps/support/crawl/patterns.js';
import { parseRobots } from '../src/steps/support/crawl/robots.js';
import { registrableDomain, scopeRule } from '../src/steps/support/crawl/scope.js';
import { jsonLines } from './support/journal-kit.js';
import { flowRunner } from './support/run-flow.js';

/** The crawl step in a real Chromium, against demo/site/ served on 127.0.0.1 (see scripts/site/pages.mjs). */
const root = fileURLToPath(new URL('../', import.meta.url));
const site = join(root, 'demo/site');
const flow = flowRunner(site, 'crawl-test');
const shop = flowRunner(join(root, 'demo'), 'crawl-test-shop');
after(() => (flow.cleanup(), shop.cleanup()));

/** Every HTML page of the site reachable from the home page, robots.txt obeyed (the broken link and private/ apart). */
const LINKED = [
  '/index.html',
  '/docs/index.html',
  ...[1, 2, 3, 4, 5].map((n) => `/docs/page-${n}.html`),
  ...[1, 2, 3, 4, 5].map((n) => `/docs/deep/level-${n}.html`),
  '/blog/index.html',
  ...[1, 2, 3, 4, 5, 6].map((n) => `/blog/post-${n}.html`),
  '/shop/index.html',
  '/shop/list.html?page=1&sort=price',
  ...[1, 2, 3, 4].map((n) => `/shop/item-${n}.html`),
];

const paths = (records: Array<Record<string, unknown>>) => records.map((record) => {
  const url = new URL(String(record.url));
  return url.pathname + url.search;
});
const sorted = (list: string[]) => [...list].sort();

function crawlStep(options: string, steps = '        - extract: { fields: { title: h1 }, add: { url: "${{ url }}", depth: "${{ depth }}" } }'): string {
  return `
  - crawl:
${options
  .trim()
  .split('\n')
  .map((line) => `      ${line.trim()}`)
  .join('\n')}
      steps:
${steps}
`;
}

describe('crawl', () => {
  test('every page once: fragments, tracking queries and query order normalised; robots.txt obeyed; off-site and non-HTML links passed over; a broken link listed; two at a time', async () => {
    const run = await flow.run(
      crawlStep(`
        start: \${{ serve.url }}/index.html
        dropQuery: [utm_*]
        sortQuery: true
        concurrency: 2`),
    );
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(sorted(paths(run.records)), sorted(LINKED));
    const summary = run.logs.find((line) => line.startsWith('crawled '));
    assert.match(summary ?? '', /^crawled 25 pages: \d+ URLs discovered, 27 queued, 1 failed, 0 left in the queue; passed over: 2 out of scope, 1 forbidden by robots\.txt, 3 not web pages$/, run.logs.join('\n'));
    assert.ok(run.logs.some((line) => /^failed pages: http:\/\/127\.0\.0\.1:\d+\/blog\/missing\.html$/.test(line)), run.logs.join('\n'));
    assert.ok(run.logs.some((line) => /catalogue-export is not a web page/.test(line)), 'a link without extension is recognised by its content type');
    assert.ok(run.logs.some((line) => /^pages by depth: 0: 1, 1: 3, 2: 16, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1; [\d.]+ pages\/s$/.test(line)), run.logs.join('\n'));
    const depths = Object.fromEntries(run.records.map((record) => [new URL(String(record.url)).pathname, record.depth]));
    assert.equal(depths['/docs/deep/level-5.html'], 7, 'home, contents, chapter 5, then five levels');
  });

  test('without dropQuery and sortQuery, the spellings of one page with other queries are pages of their own', async () => {
    const run = await flow.run(crawlStep(`
      start: \${{ serve.url }}/shop/index.html
      include: "**/shop/**"`));
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(sorted(paths(run.records)), sorted(['/shop/index.html', '/shop/list.html?sort=price&page=1', '/shop/list.html?page=1&sort=price', ...[1, 2, 3, 4].map((n) => `/shop/item-${n}.html`)]));
  });

  test('scope prefix, include and exclude (globs and a regular expression), maxDepth and maxPages', async () => {
    const prefix = await flow.run(crawlStep(`
      start: \${{ serve.url }}/docs/index.html
      scope: prefix
      exclude: ["/level-[3-9]/", "**/page-5.html"]`));
    assert.equal(prefix.exitCode, 0, prefix.error);
    // page-5 is the only way into deep/, so deep/ is out too.
    assert.deepEqual(sorted(paths(prefix.records)), sorted(['/docs/index.html', ...[1, 2, 3, 4].map((n) => `/docs/page-${n}.html`)]));

    const shallow = await flow.run(crawlStep(`
      start: \${{ serve.url }}/index.html
      include: ["**/index.html", "**/blog/**"]
      maxDepth: 1`));
    assert.deepEqual(sorted(paths(shallow.records)), sorted(['/index.html', '/docs/index.html', '/blog/index.html', '/shop/index.html']));

    const few = await flow.run(crawlStep(`
      start: \${{ serve.url }}/index.html
      maxPages: 5`));
    assert.equal(few.records.length, 5);
    assert.ok(few.logs.some((line) => /^crawled 5 pages: .* \d+ left in the queue/.test(line)), few.logs.join('\n'));
  });

  test('robots: ignore visits the folder robots.txt forbids', async () => {
    const run = await flow.run(crawlStep(`
      start: \${{ serve.url }}/index.html
      include: ["**/index.html", "**/private/**"]
      robots: ignore`));
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(sorted(paths(run.records)), sorted(['/index.html', '/docs/index.html', '/blog/index.html', '/shop/index.html', '/private/secret.html', '/private/more.html']));
  });

  test('sitemaps seed the frontier: a plain one, and an index of a plain and a gzip-compressed one', async () => {
    const run = await flow.run(
      crawlStep(`
        sitemap: ["\${{ serve.url }}/sitemap.xml", "\${{ serve.url }}/sitemap-index.xml"]
        maxDepth: 0`),
    );
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(sorted(paths(run.records)), sorted(['/index.html', '/orphan.html', '/docs/index.html', ...[1, 2, 3, 4, 5, 6].map((n) => `/blog/post-${n}.html`), '/archive/old-news.html']));
  });

  test('a page that answers a server error is tried again with back-off, then listed as failed; the crawl goes on', async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      if (request.url === '/flaky.html') requests++;
      response.writeHead(request.url === '/flaky.html' ? 503 : 404).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const flaky = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flaky.html`;
    try {
      const run = await flow.run(crawlStep(`
        start: ["${flaky}", "\${{ serve.url }}/orphan.html"]
        maxFailed: 1
        maxDepth: 0`));
      assert.equal(run.exitCode, 0, run.error);
      assert.equal(requests, 3, 'the first attempt and two retries');
      assert.equal(run.logs.filter((line) => line.includes('trying again in')).length, 2, run.logs.join('\n'));
      assert.ok(run.logs.includes(`failed pages: ${flaky}`), run.logs.join('\n'));
      assert.deepEqual(paths(run.records), ['/orphan.html']);
      assert.ok(run.logs.some((line) => /flaky\.html could not be loaded \(3 attempts\): answered HTTP 503$/.test(line)), run.logs.join('\n'));
      assert.equal(run.record.counts.itemsFailed, 1, 'a failed item, as in a loop');
      const listed = run.record.sections[0]?.list;
      assert.deepEqual(listed?.rows.map((row) => row.url), [flaky], "listed in the report's crawl section");
      assert.match(listed?.rows[0].text ?? '', /\(3 attempts\): answered HTTP 503$/);
    } finally {
      server.close();
    }
  });

  test('a crawl killed outright (SIGKILL) and resumed ends with the same pages as one not interrupted, none visited twice', async () => {
    const dir = join(flow.tmp, 'killed');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, `version: 1\nserve: ${JSON.stringify(site)}\nreport: false\nsteps:\n${crawlStep(`
      start: \${{ serve.url }}/index.html
      dropQuery: [utm_*]
      sortQuery: true
      delay: 150ms`)}\noutput: pages.jsonl\n`);
    const out = join(dir, 'run');
    const cli = join(root, 'bin/flow.js');
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const journal = join(out, 'journal.jsonl');
    const entries = () => jsonLines(journal);

    const child = spawn(process.execPath, [cli, 'run', file, '--out', out, '--quiet'], { env, stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (entries().filter((entry) => entry.type === 'item-end').length < 8) {
      assert.ok(Date.now() < deadline, 'the crawl did not get going');
      assert.equal(child.exitCode, null, 'the crawl ended before it was killed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    const before = entries();
    const doneBefore = new Set(before.filter((entry) => entry.type === 'item-end' && entry.status === 'done').map((entry) => entry.item));
    assert.ok(doneBefore.size >= 8 && doneBefore.size < LINKED.length, `killed after ${doneBefore.size} pages`);

    const resumed = spawnSync(process.execPath, [cli, 'resume', out], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
    const all = entries();
    const startsAfter = all.slice(before.length).filter((entry) => entry.type === 'item-start').map((entry) => entry.item);
    assert.deepEqual(startsAfter.filter((item) => doneBefore.has(item)), [], 'no page finished before the kill is visited again');
    const records = readFileSync(join(out, 'pages.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    assert.deepEqual(sorted(paths(records)), sorted(LINKED), 'the same pages as an uninterrupted crawl, each once');
  });

  test('paginate follows the next link to the last page, or stops at max', async () => {
    const run = await shop.run(`
  - goto: \${{ serve.url }}/products/page-1.html
  - paginate:
      next: "a[rel=next]"
      max: 2
      steps:
        - extract: { fields: { heading: h1 }, add: { part: first, page: "\${{ index }}" } }
  - goto: \${{ serve.url }}/products/page-1.html
  - paginate:
      next: "a[rel=next]"
      steps:
        - extract: { from: article.product-card, all: true, fields: { name: h2 } }
`);
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(run.records.filter((record) => record.part).map((record) => record.page), [0, 1]);
    assert.ok(run.logs.includes('stopped after 2 pages (max), though there is a next page'), run.logs.join('\n'));
    assert.equal(run.records.filter((record) => !record.part).length, 50, 'every product card of every list page');
  });
});

describe('crawl rules', () => {
  test('scope: same-origin, same-host, same-domain (with two-part suffixes) and prefix', () => {
    const starts = ['https://www.example.co.uk/docs/intro.html'];
    const judge = (kind: Parameters<typeof scopeRule>[0], url: string) => scopeRule(kind, starts)(new URL(url));
    assert.equal(judge('same-origin', 'https://www.example.co.uk/blog/'), true);
    assert.equal(judge('same-origin', 'http://www.example.co.uk/'), false);
    assert.equal(judge('same-host', 'http://www.example.co.uk:8080/'), true);
    assert.equal(judge('same-host', 'https://shop.example.co.uk/'), false);
    assert.equal(judge('same-domain', 'https://shop.example.co.uk/'), true);
    assert.equal(judge('same-domain', 'https://other.co.uk/'), false);
    assert.equal(judge('prefix', 'https://www.example.co.uk/docs/deep/a.html'), true);
    assert.equal(judge('prefix', 'https://www.example.co.uk/blog/'), false);
    assert.equal(registrableDomain('a.b.example.com'), 'example.com');
    assert.equal(registrableDomain('127.0.0.1'), '127.0.0.1');
  });

  test('normalisation, patterns and robots.txt rules', () => {
    const normalise = normaliser({ dropQuery: ['utm_*', 'ref'], sortQuery: true });
    assert.equal(normalise('HTTPS://Example.COM:443/a/b.html?utm_source=x&b=2&ref=3&a=1#top'), 'https://example.com/a/b.html?a=1&b=2');
    assert.equal(normalise('http://example.com:80/?utm_medium=y'), 'http://example.com/');
    assert.equal(normalise('mailto:a@example.com'), undefined);
    const passes = urlFilter(['**/docs/**', '/item-\\d+\\.html$/'], ['**/*.php']);
    assert.equal(passes('https://x.org/docs/a/b.html'), true);
    assert.equal(passes('https://x.org/shop/item-12.html'), true);
    assert.equal(passes('https://x.org/docs/index.php'), false);
    assert.equal(passes('https://x.org/blog/'), false);
    const allows = parseRobots('User-agent: other\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nAllow: /private/open*\nDisallow: /*.pdf$\n');
    assert.equal(allows(new URL('https://x.org/private/a.html')), false);
    assert.equal(allows(new URL('https://x.org/private/open-day.html')), true);
    assert.equal(allows(new URL('https://x.org/files/a.pdf')), false);
    assert.equal(allows(new URL('https://x.org/files/a.pdf?x=1')), true);
    assert.equal(allows(new URL('https://x.org/index.html')), true);
  });

  test('a frontier of 1,000,000 URLs costs the runner under 150 MB, and knows each URL once', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const normalise = normaliser({ dropQuery: ['utm_*'] });
    const used = () => {
      gc();
      const memory = process.memoryUsage();
      return memory.heapUsed + memory.external;
    };
    const before = used();
    const frontier = new Frontier();
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      // As the normaliser gives them (it is measured apart: its strings are garbage at once).
      const url = `https://shop.example.com/section-${i % 997}/product-${i}.html?colour=${i % 7}`;
      if (frontier.firstSight(url)) frontier.enqueue(url, i % 12, i - 1);
    }
    const costMb = (used() - before) / 1024 / 1024;
    const seconds = (performance.now() - started) / 1000;
    console.log(`frontier of 1,000,000 URLs: ${costMb.toFixed(1)} MB in ${seconds.toFixed(1)} s`);
    assert.equal(frontier.counts.queued, 1_000_000);
    for (let i = 0; i < 1000; i++) assert.equal(frontier.firstSight(normalise(`https://shop.example.com/section-${i % 997}/product-${i}.html?colour=${i % 7}`)!), false);
    assert.equal(frontier.next()?.url, 'https://shop.example.com/section-0/product-0.html?colour=0');
    const second = frontier.next()!;
    assert.equal(second.referrer, 'https://shop.example.com/section-0/product-0.html?colour=0');
    assert.ok(costMb < 150, `${costMb.toFixed(1)} MB`);
  });
});
