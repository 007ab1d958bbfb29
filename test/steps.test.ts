import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/steps/support/csv.js';
import { readItemsFile } from '../src/steps/support/items-file.js';
import { flowRunner } from './support/run-flow.js';

/** Every step kind, run by the real runner in a real Chromium against the pages in fixtures/steps/. */
const site = fileURLToPath(new URL('./fixtures/steps/', import.meta.url));
const flow = flowRunner(site, 'steps-test');
const runFlow = flow.run;

after(flow.cleanup);

describe('page steps', () => {
  test('fill, select, check, click, press, hover and evaluate act on what a person sees', async () => {
    const run = await runFlow(
      `
  - goto: \${{ serve.url }}/index.html
  - fill:
      Email: ada@example.com
      "#password": \${{ secrets.STEPS_TEST_PASSWORD }}
  - select: { Country: France }
  - check: Remember me
  # The button, not the paragraph "Sign in to continue" above it.
  - click: Sign in
  - assert: { text: "#greeting", equals: "Welcome back, ada@example.com (FR, remember: true, password: 7 chars)" }
  - assert: { url: "#signed-in" }
  - fill: { field: { placeholder: Search products }, value: shoes }
  - press: { key: [Home, Delete, Enter], on: Search products }
  - assert: { text: "#keys", equals: "[Home][Delete][Enter]" }
  - click: { text: Count, clickCount: 2 }
  - assert: { text: "#clicks", contains: "detail 2" }
  - click: { selector: "#counter", button: right }
  - assert: { text: "#clicks", equals: right click }
  - hover: Account
  - assert: { visible: My orders }
  - uncheck: Remember me
  - select: { field: "#country", value: DE }
  - click: Sign in
  - evaluate: { script: "document.querySelector('#greeting').textContent", into: greeting }
  - evaluate: { script: "const cards = document.querySelectorAll('article'); return cards.length * args.factor;", args: { factor: 10 }, into: scaled }
  - set: { summary: "\${{ scaled + 1 }} \${{ greeting }}" }
  - extract: { fields: { search: { selector: "#search", get: value } }, add: { summary: "\${{ summary }}" } }
  - evaluate: document.title
`,
      { head: 'secrets: [STEPS_TEST_PASSWORD]', env: { STEPS_TEST_PASSWORD: 'hunter2' } },
    );
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(run.records, [{ search: 'hoes', summary: '31 Welcome back, ada@example.com (DE, remember: false, password: 7 chars)' }]);
    assert.ok(run.logs.includes('document.title = Steps shop'), run.logs.join('\n'));
  });

  test('wait for elements, text, scripts, load states, URLs and time', async () => {
    const run = await runFlow(`
  - goto: \${{ serve.url }}/index.html
  - wait: { selector: .spinner, state: hidden }
  - wait: Arrived late
  - wait: { script: "window.appReady === true" }
  - wait: networkidle
  - wait: 150ms
  - wait: { url: "**/index.html" }
  - wait: { url: "/index\\\\.html$/" }
  - evaluate: { script: "performance.now()", into: elapsed }
  - extract: { fields: { late: "#late" }, add: { afterDelay: "\${{ elapsed >= 500 }}" } }
`);
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(run.records, [{ late: 'Arrived late', afterDelay: true }]);
  });

  test('extract reads fields from the first or every match, into the dataset or variables', async () => {
    const run = await runFlow(`
  - goto: \${{ serve.url }}/index.html
  - extract:
      from: article.product-card
      all: true
      fields:
        name: h2
        url: { selector: a.product-link, attribute: href }
        price: .price
        tags: { selector: .tags li, all: true }
        tagCount: { selector: .tags li, get: count }
        sku: { attribute: data-sku }
  - extract: { fields: { heading: h1, intro: { selector: p.intro, get: html } } }
  - extract: { from: article.product-card, fields: { first: h2 }, into: firstCard }
  - extract: { from: article.product-card, all: true, fields: { name: h2 }, into: names }
  - extract: { from: article.product-card, all: true, fields: { name: h2 }, into: names, append: true }
  - log: "first=\${{ firstCard.first }} names=\${{ length(names) }} last=\${{ names[5].name }}"
  - extract:
      from: article.product-card
      all: true
      fields: { price: { selector: .price, required: true } }
    optional: true
  - extract: { from: .no-such-thing, fields: { a: h2 } }
    optional: true
    timeout: 500ms
`);
    assert.equal(run.exitCode, 0, run.error);
    const base = run.records[0].url?.toString().replace(/\/product\.html.*$/, '');
    assert.match(String(base), /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(run.records, [
      { name: 'Red shoes', url: `${base}/product.html?id=1`, price: '$10.00', tags: ['red', 'shoes'], tagCount: 2, sku: 'A1' },
      { name: 'Blue hat', url: `${base}/product.html?id=2`, price: '$20.50', tags: ['blue'], tagCount: 1, sku: 'B2' },
      { name: 'Green scarf', url: `${base}/product.html?id=3`, price: null, tags: [], tagCount: 0, sku: 'C3' },
      { heading: 'All products', intro: 'Sign in to continue' },
    ]);
    assert.ok(run.logs.includes('first=Red shoes names=6 last=Green scarf'), run.logs.join('\n'));
    assert.deepEqual(run.failures, [
      'field "price" is required, but .price is missing in match 3 of article.product-card',
      'no element matches .no-such-thing (waited 450 ms); add optional: true if some pages lack it',
    ]);
  });

  test('a failed check says what was expected and what was found, and fails the run', async () => {
    const run = await runFlow(`
  - goto: \${{ serve.url }}/index.html
  - assert: Nowhere to be seen
    optional: true
    timeout: 300ms
  - assert: { hidden: h1 }
    optional: true
    timeout: 300ms
  - assert: { text: h1, matches: "^\\\\d+$" }
    optional: true
    timeout: 300ms
  - assert: { url: /checkout }
    optional: true
    timeout: 300ms
  - assert: { title: Other shop }
    optional: true
    timeout: 300ms
  - assert: { count: article.product-card, equals: 5 }
    optional: true
    timeout: 300ms
  - click: "#disabled-button"
    optional: true
    timeout: 500ms
  - click: Nonexistent words
    optional: true
    timeout: 500ms
  - select: { Country: Narnia }
    optional: true
    timeout: 2s
  - wait: 45s
    optional: true
  - evaluate: "JSON.parse('not json')"
    optional: true
  - assert: { text: h1, equals: Some products }
    timeout: 300ms
  - log: never reached
`);
    assert.equal(run.exitCode, 1);
    assert.match(String(run.error), /expected the text of h1 to equal "Some products", but it is "All products"/);
    assert.ok(!run.logs.includes('never reached'));
    const waited = (ms: number) => `(waited ${ms} ms)`;
    const [urlFailure] = run.failures.splice(3, 1);
    assert.match(urlFailure, /^expected the URL to contain "\/checkout", but it is "http:\/\/127\.0\.0\.1:\d+\/index\.html" \(checked for 270 ms\)$/);
    assert.deepEqual(run.failures, [
      'expected "Nowhere to be seen" to be visible, but it is not on the page (checked for 270 ms)',
      'expected h1 to be hidden, but it is visible (checked for 270 ms)',
      'expected the text of h1 to match ^\\d+$, but it is "All products" (checked for 270 ms)',
      'expected the title to contain "Other shop", but it is "Steps shop" (checked for 270 ms)',
      'expected exactly 5 elements matching article.product-card, but found 3 (checked for 270 ms)',
      `#disabled-button is disabled ${waited(450)}`,
      `nothing on the page shows "Nonexistent words" ${waited(450)}`,
      `"Country" has no option "Narnia" (waited 1.8 s); its options: Choose…, France (FR), Germany (DE)`,
      "waiting 45 s does not fit in this step's 30 s timeout; give it a longer one, such as timeout: 50s",
      `the script failed in the page: SyntaxError: Unexpected token 'o', "not json" is not valid JSON`,
      'expected the text of h1 to equal "Some products", but it is "All products" (checked for 270 ms)',
    ]);
  });

  test('screenshots land in the run folder as PNG or JPEG, of the window, the full page or one element', async () => {
    const run = await runFlow(`
  - goto: \${{ serve.url }}/index.html
  - set: { shot: home }
  - screenshot: \${{ shot }}-window.png
  - screenshot: { path: shots/card, element: article.product-card }
  - screenshot: { path: full.jpg, fullPage: true }
  - screenshot: {}
`);
    assert.equal(run.exitCode, 0, run.error);
    const png = (name: string) => {
      const bytes = readFileSync(join(run.runDir, name));
      assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${name} is not a PNG`);
      return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    };
    const window = png('home-window.png');
    const card = png('shots/card.png');
    png('screenshots/1.png');
    assert.ok(card.width < window.width && card.height < window.height, 'the element shot is smaller than the window');
    assert.equal(readFileSync(join(run.runDir, 'full.jpg')).subarray(0, 3).toString('hex'), 'ffd8ff');
  });

  test('scroll loads an endless feed to its end, and scrolls to edges, by pixels and to elements', async () => {
    const run = await runFlow(`
  - goto: \${{ serve.url }}/feed.html
  - scroll: { until: end, pause: 500ms }
  - assert: { count: .item, equals: 40 }
  - scroll: top
  - evaluate: { script: window.scrollY, into: top }
  - scroll: 300
  - evaluate: { script: window.scrollY, into: down }
  - scroll: No more items
  - evaluate: { script: "window.scrollY > 3000", into: atEnd }
  - goto: \${{ serve.url }}/feed.html
  - scroll: { until: No more items, pause: 500ms }
  - extract: { fields: { items: { selector: .item, get: count } }, add: { top: "\${{ top }}", down: "\${{ down }}", atEnd: "\${{ atEnd }}" } }
`);
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(run.records, [{ items: 40, top: 0, down: 300, atEnd: true }]);
    assert.ok(run.logs.some((line) => /^scrolled \d+ times; no more content loads$/.test(line)), run.logs.join('\n'));
    assert.ok(run.logs.some((line) => /^scrolled \d+ times until "No more items" showed$/.test(line)), run.logs.join('\n'));
  });
});

describe('control steps', () => {
  test('forEach goes through lists, CSV and JSON files, in parallel pages or in order', async () => {
    const run = await runFlow(
      `
  - goto: \${{ serve.url }}/index.html
  - extract: { from: article.product-card, all: true, fields: { name: h2, url: { selector: a.product-link, attribute: href } }, into: cards }
  - forEach:
      items: \${{ cards }}
      as: card
      concurrency: 2
      steps:
        - goto: \${{ card.url }}
        - extract: { fields: { product: "#name", price: .price }, add: { listed: "\${{ card.name }}", position: "\${{ index }}" } }
  - forEach:
      file: searches.csv
      as: row
      index: n
      limit: 2
      steps:
        - extract: { fields: { heading: h1 }, add: { query: "\${{ row.query }}", note: "\${{ row.note }}", n: "\${{ n }}" } }
  - forEach:
      file: ids.json
      continueOnError: true
      maxFailed: 1
      steps:
        - goto: \${{ serve.url }}/product.html?id=\${{ item.id }}
        - assert: { text: "#name", matches: "^(Red|Blue|Green) " }
          timeout: 300ms
        - extract: { fields: { name: "#name" } }
`,
      {
        files: {
          'searches.csv': 'query,note\r\nshoes,"cheap, red"\r\n"hat ""deluxe""","line one\nline two"\r\nscarf,third\r\n',
          'ids.json': JSON.stringify([{ id: 2 }, { id: 99 }, { id: 3 }]),
        },
      },
    );
    assert.equal(run.exitCode, 0, run.error);
    const parallel = run.records.slice(0, 3).sort((a, b) => Number(a.position) - Number(b.position));
    assert.deepEqual(parallel, [
      { product: 'Red shoes', price: '$10', listed: 'Red shoes', position: 0 },
      { product: 'Blue hat', price: '$20', listed: 'Blue hat', position: 1 },
      { product: 'Green scarf', price: '$30', listed: 'Green scarf', position: 2 },
    ]);
    assert.deepEqual(run.records.slice(3), [
      { heading: 'All products', query: 'shoes', note: 'cheap, red', n: 0 },
      { heading: 'All products', query: 'hat "deluxe"', note: 'line one\nline two', n: 1 },
      { name: 'Blue hat' },
      { name: 'Green scarf' },
    ]);
    assert.ok(run.logs.some((line) => line.startsWith('item 2 of 3 failed, going on: ') && line.includes('No such product')), run.logs.join('\n'));
    assert.ok(run.logs.includes('1 of 3 items failed'));
  });

  test('repeat counts rounds or loops while a condition holds; do groups steps for retry and if/else', async () => {
    const run = await runFlow(
      `
  - repeat:
      times: 3
      index: r
      steps:
        - log: "round \${{ r }}"
  - repeat:
      while: \${{ count < 3 }}
      steps:
        - set: { count: "\${{ count + 1 }}" }
  - log: "count=\${{ count }}"
  - repeat:
      while: true
      max: 2
      steps:
        - log: "capped \${{ index }}"
  - goto: \${{ serve.url }}/index.html
  - do:
      - click: Count
      - assert: { text: "#clicks", contains: "2 (" }
        timeout: 300ms
    retry: 2
  - do: [{ log: then branch }]
    if: \${{ count > 5 }}
    else: [{ log: else branch }]
  - do:
      steps: [{ log: plain block }]
`,
      { head: 'vars:\n  count: 0' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const ours = run.logs.filter((line) => /^(round|count=|capped|then|else|plain|stopped)/.test(line));
    assert.deepEqual(ours, ['round 0', 'round 1', 'round 2', 'count=3', 'capped 0', 'capped 1', 'stopped after 2 rounds (max), though true still holds', 'else branch', 'plain block']);
  });

  test('include runs another workflow with its variables; page runs steps in a page of their own', async () => {
    const run = await runFlow(
      `
  - include: { file: product.yaml, with: { base: "\${{ serve.url }}", id: 2 } }
  - include: { file: product.yaml, with: { base: "\${{ serve.url }}" } }
  - goto: \${{ serve.url }}/index.html
  - page:
      url: \${{ serve.url }}/product.html?id=3
      steps:
        - extract: { fields: { name: "#name" }, add: { label: own page } }
  - page:
      - goto: \${{ serve.url }}/product.html?id=1
      - extract: { fields: { name: "#name" }, add: { label: terse page } }
  - assert: { title: Steps shop }
  - include: { file: product.yaml, with: { nope: 1 } }
    optional: true
`,
      {
        files: {
          'product.yaml': `version: 1
vars:
  base: ""
  id: 1
  label: product \${{ id }}
steps:
  - goto: \${{ base }}/product.html?id=\${{ id }}
  - extract: { fields: { name: "#name" }, add: { label: "\${{ label }}" } }
`,
        },
      },
    );
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(run.records, [
      { name: 'Blue hat', label: 'product 2' },
      { name: 'Red shoes', label: 'product 1' },
      { name: 'Green scarf', label: 'own page' },
      { name: 'Red shoes', label: 'terse page' },
    ]);
    assert.equal(run.failures.at(-1), 'product.yaml has no variable "nope"; its variables: base, id, label');
  });
});

describe('failures say which page and what to try', () => {
  /** A site that answers the status it is asked for (/status/500 with an error page), and never answers /hang. */
  const site = createServer((request, response) => {
    const status = /^\/status\/(\d{3})$/.exec(request.url ?? '')?.[1];
    if (status) response.writeHead(Number(status), { 'content-type': 'text/html' }).end(`<h1>Error page ${status}</h1>`);
  });
  let origin = '';
  let closedPort = 0;
  before(async () => {
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  after(() => {
    site.closeAllConnections();
    site.close();
  });
  const head = () => `vars:\n  site: ${origin}`;

  test('goto fails on an HTTP error status unless allowStatus allows it, and the error page is never read as data', async () => {
    const run = await runFlow(
      `
  - goto: { url: "\${{ site }}/status/404", allowStatus: [404] }
  - extract: { fields: { heading: h1 } }
  - goto: { url: "\${{ site }}/status/503", allowStatus: 5xx }
  - extract: { fields: { heading: h1 } }
  - goto: { url: "\${{ site }}/status/418", allowStatus: ["400-420", 500] }
  - extract: { fields: { heading: h1 } }
  - goto: { url: "\${{ site }}/status/404", allowStatus: 410 }
    optional: true
  - goto: \${{ site }}/status/500
  - extract: { fields: { heading: h1 } }
`,
      { head: head() },
    );
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.records, [{ heading: 'Error page 404' }, { heading: 'Error page 503' }, { heading: 'Error page 418' }]);
    assert.deepEqual(run.failures, [`the page answered HTTP 404 Not Found: ${origin}/status/404`, `the page answered HTTP 500 Internal Server Error: ${origin}/status/500`]);
    assert.ok(run.logs.includes(`${origin}/status/404 answered HTTP 404, which allowStatus allows`), run.logs.join('\n'));
    const block = run.failure!.describe();
    assert.match(block, new RegExp(`\\n {2}page: +${origin}/status/500\\n`));
    assert.match(block, /\n {2}hint: +check the address; if the page is meant to answer 500, add allowStatus: \[500\] to the step(\n|$)/);
  });

  test('a site that cannot be reached or a page that never loads is named in the failure, with a hint', async () => {
    const refused = `http://127.0.0.1:${closedPort}/nothing-here`;
    const run = await runFlow(
      `
  - goto: ${refused}
    optional: true
  - goto: \${{ site }}/hang
    timeout: 3s
`,
      { head: head() },
    );
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.failures, [`nothing answers at this address (ERR_CONNECTION_REFUSED): ${refused}`, `the page did not finish loading (waited 2.7 s for "load"): ${origin}/hang`]);
    assert.deepEqual(run.record.failures.map((failure) => failure.url), [refused, `${origin}/hang`]);
    const block = run.failure!.describe();
    assert.match(block, new RegExp(`\\n {2}page: +${origin}/hang\\n`), block);
    assert.match(block, /\n {2}hint: +check that the site is up; if it is only slow, give the step a longer timeout \(timeout: 60s\) or wait for less \(waitUntil: domcontentloaded\)(\n|$)/);
  });

  test("Playwright's terminal colour codes never reach a message; its reason for an element not being ready does", async () => {
    const run = await runFlow(`
  - goto: \${{ serve.url }}/index.html
  - select: { field: h1, option: Lamps }
    optional: true
    timeout: 1s
  - evaluate: "document.body.insertAdjacentHTML('beforeend', '<div id=veil style=\\"position: fixed; inset: 0\\"></div>')"
  - click: "#counter"
    timeout: 3s
`);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.failures, ['Element is not a <select> element', '#counter did not become ready (waited 2.7 s): <div id="veil"></div> intercepts pointer events']);
    assert.doesNotMatch(readFileSync(run.recordPath, 'utf8'), /\\u001b|\u001b/);
    assert.match(run.failure!.describe(), /\n {2}hint: +check the selector or text against the page \(see the screenshot\); if the page is only slow, give the step a longer timeout, such as timeout: 60s(\n|$)/);
  });
});

describe('CSV files for forEach', () => {
  test('quoted fields hold commas, doubled quotes and line breaks; blank lines are skipped', () => {
    const rows = parseCsv('\uFEFFname,note\r\n"Smith, Ada","said ""hi""\r\nthen left"\r\n\r\nBob,\n"",x\n', 'people.csv');
    assert.deepEqual(rows, [
      { name: 'Smith, Ada', note: 'said "hi"\r\nthen left' },
      { name: 'Bob', note: '' },
      { name: '', note: 'x' },
    ]);
  });

  test('a row with fewer or more fields than the header, and malformed files, are refused at their line', () => {
    assert.deepEqual(parseCsv('a,b,c\n1,,\n'), [{ a: '1', b: '', c: '' }]);
    assert.throws(() => parseCsv('a,b,c\n1,2,3\n1\n', 'x.csv'), { message: 'x.csv, line 3: 1 field, but the header has 3 (a, b, c); write an empty field as nothing between two commas (a,,c)' });
    assert.throws(() => parseCsv('a,b\n1,2,3\n', 'x.csv'), { message: 'x.csv, line 2: 3 fields, but the header has 2 (a, b); put a field holding a comma in double quotes' });
    assert.throws(() => parseCsv('a,b\n"1,2\n3,4\n', 'x.csv'), { message: 'x.csv, line 2: a quoted field is never closed' });
    assert.throws(() => parseCsv('a,b\n1"x",2\n', 'x.csv'), /x\.csv, line 2: a quote inside an unquoted field/);
    assert.throws(() => parseCsv('a,a\n1,2\n', 'x.csv'), { message: 'x.csv: the header names the column "a" twice' });
  });
});

describe('item files that are not text', () => {
  const dir = flow.tmp;
  const file = (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  test('a picture renamed .csv, a Latin-1 file and a UTF-16 file are named as what they are', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await assert.rejects(readItemsFile(file('photo.csv', png)), { message: 'photo.csv holds binary data, not text: is it a picture or a spreadsheet file renamed? Export the data as CSV or JSON' });
    await assert.rejects(readItemsFile(file('latin1.csv', Buffer.from('name,city\nAda,London\nZoë,Zürich\n', 'latin1'))), { message: 'latin1.csv, line 3: this is not UTF-8 text; save the file as UTF-8 (in a spreadsheet: "CSV UTF-8")' });
    await assert.rejects(readItemsFile(file('wide.json', Buffer.from('\ufeff[1, 2]', 'utf16le'))), { message: 'wide.json is saved as UTF-16 text; save it as UTF-8 (in a spreadsheet: "CSV UTF-8")' });
    assert.deepEqual(await readItemsFile(file('bom.json', Buffer.from('\ufeff[1, 2]', 'utf8'))), [1, 2]);
  });
});
