import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Request } from 'playwright-core';
import { startStaticServer, type StaticServer } from '../src/serve/static.js';
import { findBrowser } from '../src/browser/find.js';

const demoDir = fileURLToPath(new URL('../demo/', import.meta.url));
const SECRET = 'secret-outside-the-served-folder';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request: the path goes out exactly as written, `..` and all (fetch would normalise it). */
function send(server: StaticServer, path: string, options: { method?: string; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const EXPECTED_TYPES: Record<string, string> = {
  'page.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'module.mjs': 'text/javascript; charset=utf-8',
  'data.json': 'application/json; charset=utf-8',
  'list.csv': 'text/csv; charset=utf-8',
  'notes.txt': 'text/plain; charset=utf-8',
  'picture.png': 'image/png',
  'picture.jpg': 'image/jpeg',
  'picture.jpeg': 'image/jpeg',
  'anim.gif': 'image/gif',
  'icon.svg': 'image/svg+xml',
  'photo.webp': 'image/webp',
  'favicon.ico': 'image/x-icon',
  'font.woff': 'font/woff',
  'font.woff2': 'font/woff2',
  'font.ttf': 'font/ttf',
  'font.otf': 'font/otf',
  'clip.mp4': 'video/mp4',
  'clip.webm': 'video/webm',
  'blob.bin': 'application/octet-stream',
};

describe('static server', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'flow-static-'));
  const root = join(fixture, 'site');
  let server: StaticServer;

  before(async () => {
    writeFileSync(join(fixture, 'package.json'), JSON.stringify({ name: SECRET }));
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'index.html'), '<h1>home</h1>');
    writeFileSync(join(root, 'sub', 'index.html'), '<h1>sub home</h1>');
    writeFileSync(join(root, 'with space.txt'), 'spaced');
    writeFileSync(join(root, '.env'), SECRET);
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(16 * 1024 * 1024, 7));
    for (const name of Object.keys(EXPECTED_TYPES)) writeFileSync(join(root, name), `content of ${name}`);
    symlinkSync(join(fixture, 'package.json'), join(root, 'escape.json'));
    server = await startStaticServer(root, { quiet: true });
  });

  after(async () => {
    await server.close();
    rmSync(fixture, { recursive: true, force: true });
  });

  test('listens on 127.0.0.1 and gives a URL without a trailing slash', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.ok(server.port > 0);
  });

  test('serves each kind of file with its Content-Type and its bytes', async () => {
    for (const [name, type] of Object.entries(EXPECTED_TYPES)) {
      const reply = await send(server, `/${name}`);
      assert.equal(reply.status, 200, name);
      assert.equal(reply.headers['content-type'], type, name);
      assert.equal(reply.body, `content of ${name}`, name);
    }
  });

  test('decodes the path and ignores the query string', async () => {
    assert.equal((await send(server, '/with%20space.txt')).body, 'spaced');
    const withQuery = await send(server, '/page.html?visit=3#top');
    assert.equal(withQuery.status, 200);
    assert.equal(withQuery.body, 'content of page.html');
  });

  test('serves index.html for a folder, and redirects a folder without its trailing slash', async () => {
    assert.equal((await send(server, '/')).body, '<h1>home</h1>');
    assert.equal((await send(server, '/sub/')).body, '<h1>sub home</h1>');
    const redirect = await send(server, '/sub?x=1');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/sub/?x=1');
    assert.equal((await send(server, '//sub')).headers.location, '/sub/', 'a doubled slash must not become a link to another host');
  });

  test('never serves a file outside the folder, however the path is spelt', async () => {
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2f..%2fetc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd',
      '/sub/../../package.json',
      '/sub/%2e%2e/%2e%2e/package.json',
      '/..%5cpackage.json',
      '/..\\package.json',
      '/escape.json',
      '/page.html%00.txt',
      '/%00',
      '/%E0%A4%A',
    ];
    for (const path of attempts) {
      const reply = await send(server, path);
      assert.ok([400, 403, 404].includes(reply.status), `${path} answered ${reply.status}`);
      assert.ok(!reply.body.includes(SECRET), `${path} leaked the file outside the root`);
      assert.doesNotMatch(reply.body, /root:.*:0:0:/, `${path} leaked /etc/passwd`);
    }
  });

  test('does not serve hidden files or list folders', async () => {
    const hidden = await send(server, '/.env');
    assert.equal(hidden.status, 404);
    assert.ok(!hidden.body.includes(SECRET));
    assert.equal((await send(server, '/empty/')).status, 404);
  });

  test('answers a missing file with a small HTML 404 page', async () => {
    const reply = await send(server, '/no-such-page.html?<script>');
    assert.equal(reply.status, 404);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(reply.body, /<h1>Not found<\/h1>/);
    assert.match(reply.body, /no-such-page\.html/);
    assert.ok(!reply.body.includes('<script>'), 'the path is escaped in the page');
  });

  test('refuses methods other than GET and HEAD with 405 and an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const reply = await send(server, '/page.html', { method });
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD');
    }
  });

  test('HEAD gives the headers of GET and no body', async () => {
    const reply = await send(server, '/style.css', { method: 'HEAD' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(reply.headers['content-length'], String(statSync(join(root, 'style.css')).size));
    assert.equal(reply.body, '');
  });

  test('assets carry ETag, Last-Modified and max-age; a revalidation gets 304', async () => {
    const first = await send(server, '/style.css');
    assert.equal(first.headers['cache-control'], 'max-age=3600');
    const etag = first.headers.etag;
    const lastModified = first.headers['last-modified'];
    assert.ok(etag && lastModified);
    assert.equal(lastModified, statSync(join(root, 'style.css')).mtime.toUTCString());

    const byTag = await send(server, '/style.css', { headers: { 'If-None-Match': etag } });
    assert.equal(byTag.status, 304);
    assert.equal(byTag.body, '');
    const byDate = await send(server, '/style.css', { headers: { 'If-Modified-Since': lastModified } });
    assert.equal(byDate.status, 304);
    const otherTag = await send(server, '/style.css', { headers: { 'If-None-Match': 'W/"something-else"' } });
    assert.equal(otherTag.status, 200);
    assert.equal(otherTag.body, 'content of style.css');

    const html = await send(server, '/page.html');
    assert.equal(html.headers['cache-control'], 'no-cache', 'pages are revalidated on every visit');
    assert.ok(html.headers.etag);
  });

  test('keeps connections alive', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<unknown>();
      for (let i = 0; i < 3; i++) {
        const reply = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
          const outgoing = request({ host: '127.0.0.1', port: server.port, path: '/app.js', agent }, (response) => {
            sockets.add(response.socket);
            response.resume();
            response.on('end', () => resolve(response.headers));
          });
          outgoing.on('error', reject);
          outgoing.end();
        });
        assert.equal(reply.connection, 'keep-alive');
      }
      assert.equal(sockets.size, 1, 'three requests shared one connection');
    } finally {
      agent.destroy();
    }
  });

  test('close() ends promptly even with a download in progress', async () => {
    const own = await startStaticServer(root, { quiet: true });
    const stalled = new Promise<string>((resolve) => {
      const outgoing = request({ host: '127.0.0.1', port: own.port, path: '/big.bin', agent: false }, (response) => {
        // Read nothing: the server's send buffer fills and the response stays open.
        response.pause();
        response.on('close', () => resolve('closed'));
        response.on('error', () => resolve('closed'));
        setTimeout(() => resolve('started'), 0);
      });
      outgoing.on('error', () => resolve('closed'));
      outgoing.end();
    });
    assert.equal(await stalled, 'started');
    const closing = own.close().then(() => 'closed');
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 1 s'), 1000).unref());
    assert.equal(await Promise.race([closing, late]), 'closed');
    await assert.rejects(send(own, '/index.html'), /ECONNREFUSED/);
  });

  test('refuses a root that is not a folder, in plain words', async () => {
    await assert.rejects(startStaticServer(join(fixture, 'no-such-folder')), /cannot serve .*no-such-folder: there is no such folder/);
    await assert.rejects(startStaticServer(join(fixture, 'package.json')), /it is a file, not a folder/);
  });
});

describe('the demo shop in Chromium', () => {
  let browser: Browser;
  let demo: StaticServer;

  before(async () => {
    demo = await startStaticServer(demoDir, { quiet: true });
    browser = await chromium.launch({
      executablePath: findBrowser()?.path,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  test('page 1 shows ten products with styles, script, fonts and pictures; rel=next leads to page 2', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const byType = new Map<string, number>();
    const problems: string[] = [];
    page.on('requestfinished', (finished) => byType.set(finished.resourceType(), (byType.get(finished.resourceType()) ?? 0) + 1));
    page.on('requestfailed', (failed) => problems.push(`${failed.url()} failed`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.url()} answered ${response.status()}`);
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${demo.url}/products/page-1.html`, { waitUntil: 'networkidle' });
    const cards = page.locator('article.product-card');
    assert.equal(await cards.count(), 10);
    for (const card of await cards.all()) assert.ok(await card.isVisible());
    assert.equal(await cards.first().locator('a.product-link').getAttribute('href'), '/products/p-001.html');
    assert.equal(await page.locator('.product-grid').evaluate((grid) => getComputedStyle(grid).display), 'grid', 'site.css applies');
    const faces = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((face) => face.status === 'loaded').map((face) => `${face.family} ${face.weight}`);
    });
    assert.ok(faces.includes('Loom Sans 400') && faces.includes('Loom Serif 700'), `loaded font faces: ${faces.join(', ')}`);
    const unloaded = await page.locator('article.product-card img').evaluateAll((images: HTMLImageElement[]) => images.filter((image) => !(image.complete && image.naturalWidth > 0)).length);
    assert.equal(unloaded, 0, 'every thumbnail decoded');
    assert.equal(byType.get('document'), 1);
    assert.ok((byType.get('stylesheet') ?? 0) >= 1, 'stylesheet loaded');
    assert.ok((byType.get('script') ?? 0) >= 1, 'script loaded');
    assert.ok((byType.get('font') ?? 0) >= 2, `fonts loaded: ${byType.get('font') ?? 0}`);
    assert.ok((byType.get('image') ?? 0) >= 10, `images loaded: ${byType.get('image') ?? 0}`);

    await page.click('a[rel=next]');
    await page.waitForURL('**/products/page-2.html');
    assert.equal(await page.locator('article.product-card').count(), 10);
    assert.equal(await page.locator('article.product-card a.product-link').first().getAttribute('href'), '/products/p-011.html');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a product page: stable markup, and what it weighs with all its resources', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sizes: Promise<{ type: string; bytes: number }>[] = [];
    page.on('requestfinished', (finished: Request) =>
      sizes.push(finished.sizes().then((size) => ({ type: finished.resourceType(), bytes: size.responseBodySize + size.responseHeadersSize }))),
    );
    await page.goto(`${demo.url}/products/p-002.html`, { waitUntil: 'networkidle' });
    assert.equal(await page.textContent('h1.product-title'), 'Saffron Linen Cushion Cover');
    assert.equal(await page.textContent('.price'), '€54.00');
    assert.equal(await page.getAttribute('.price', 'data-currency'), 'EUR');
    assert.equal(await page.textContent('.sku'), 'LL-CUS-002');
    assert.equal(await page.textContent('.stock'), 'In stock');
    assert.equal(await page.locator('ul.tags li').count(), 4);
    assert.equal(await page.locator('.related-item a').count(), 3);
    assert.equal(await page.getAttribute('.breadcrumb a[href^="/products/page-"]', 'href'), '/products/page-1.html');

    const loaded = await Promise.all(sizes);
    const total = loaded.reduce((sum, entry) => sum + entry.bytes, 0);
    const byType = new Map<string, number>();
    for (const entry of loaded) byType.set(entry.type, (byType.get(entry.type) ?? 0) + entry.bytes);
    const parts = [...byType].map(([type, bytes]) => `${type} ${(bytes / 1024).toFixed(0)} KB`).join(', ');
    t.diagnostic(`p-002.html with all its resources, empty cache: ${loaded.length} requests, ${(total / 1024).toFixed(0)} KB (${parts})`);
    await context.close();
  });

  test('the demo forms: sign in leads to "Welcome, <name>"; the contact form confirms in the page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.url}/forms/account.html`);
    assert.ok(await page.getByText('You are not signed in').isVisible());
    await page.goto(`${demo.url}/forms/login.html`);
    await page.fill('#username', 'ada');
    await page.fill('#password', 'lovelace');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/forms/account.html');
    assert.equal(await page.textContent('h1.welcome'), 'Welcome, ada');
    assert.ok((await context.cookies()).some((cookie) => cookie.name === 'll_session' && cookie.value === 'ada'));

    await page.goto(`${demo.url}/forms/contact.html`);
    await page.fill('#name', 'Ada');
    await page.fill('#email', 'ada@example.com');
    await page.selectOption('#topic', 'returns');
    await page.check('#newsletter');
    await page.fill('#message', 'The throw arrived with a pulled thread.');
    await page.getByRole('button', { name: 'Send message' }).click();
    const confirmation = page.locator('[data-contact-confirmation]');
    assert.ok(await confirmation.isVisible());
    assert.match((await confirmation.textContent()) ?? '', /Thank you, Ada\. .*returns message at ada@example\.com/);
    await context.close();
  });

  test('every URL in demo/data/products.csv is served', async () => {
    const [header, ...rows] = readFileSync(join(demoDir, 'data/products.csv'), 'utf8').trim().split('\n');
    assert.equal(header, 'sku,url');
    assert.equal(rows.length, 10);
    for (const row of rows) {
      const [sku, url] = row.split(',');
      const reply = await send(demo, url);
      assert.equal(reply.status, 200, url);
      assert.ok(reply.body.includes(`<span class="sku">${sku}</span>`), `${url} shows ${sku}`);
    }
  });
});
