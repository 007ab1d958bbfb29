import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sectionLines } from '../src/cli/progress.js';
import { renderReport } from '../src/report/render.js';
import { InputError } from '../src/runner/diagnostics.js';
import { RunEvents } from '../src/runner/events.js';
import { loadWorkflow } from '../src/runner/validate.js';
import { HOSTILE } from './fixtures/run-record.js';
import { jsonLines } from './support/journal-kit.js';
import { flowRunner } from './support/run-flow.js';

/** Records (extract where/unique, the record step, files: record) and the crawl's section, in a real Chromium against demo/site/ on 127.0.0.1. */
const root = fileURLToPath(new URL('../', import.meta.url));
const site = join(root, 'demo/site');
const flow = flowRunner(site, 'records-test');
after(() => flow.cleanup());

const pathOf = (url: unknown) => {
  const parsed = new URL(String(url));
  return parsed.pathname + parsed.search + parsed.hash;
};
const sorted = (list: string[]) => [...list].sort();

/** Every page's in-site links, each link once across the crawl; and a record per page built from variables. */
const LINKS_ONCE = `
  - crawl:
      start: \${{ serve.url }}/index.html
      dropQuery: [utm_*]
      sortQuery: true
      concurrency: 2
      steps:
        - extract:
            from: nav a
            all: true
            fields: { href: { attribute: href } }
            where: \${{ startsWith(href, serve.url) }}
            unique: href
        - record: { page: "\${{ url }}", depth: "\${{ depth }}" }
        - record:
            fields: { section: "\${{ split(url, '/')[3] }}" }
            unique: section
`;

describe('records', () => {
  test('extract where keeps the records its expression accepts; a field without selector reads the from element itself', async () => {
    const run = await flow.run(`
  - goto: \${{ serve.url }}/index.html
  - extract:
      from: nav a
      all: true
      fields: { text: { get: text }, href: { attribute: href } }
      add: { kind: link }
      where: \${{ endsWith(href, '.html') && record.kind == 'link' && !contains(text, 'Staff') }}
`);
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(
      run.records.map((record) => [record.text, pathOf(record.href)]),
      [
        ['Documentation', '/docs/index.html'],
        ['Blog', '/blog/index.html'],
        ['Shop', '/shop/index.html'],
        ['Another site', '/elsewhere.html'],
      ],
    );
  });

  test('unique leaves out a record whose key fields were written before anywhere in the crawl; record writes records built from variables', async () => {
    const run = await flow.run(LINKS_ONCE);
    assert.equal(run.exitCode, 0, run.error);
    const links = run.records.filter((record) => 'href' in record).map((record) => String(record.href));
    assert.ok(links.length > 20, `${links.length} links`);
    assert.equal(new Set(links).size, links.length, 'each link once, though most pages link home and to their section');
    assert.ok(run.record.counts.duplicates > 20, `${run.record.counts.duplicates} left out as duplicates`);
    const pages = run.records.filter((record) => 'page' in record);
    assert.equal(pages.length, 25, 'one record per page visited');
    assert.ok(pages.every((record) => typeof record.depth === 'number'), 'an expression keeps its type');
    assert.deepEqual(sorted(run.records.filter((record) => 'section' in record).map((record) => String(record.section))), ['blog', 'docs', 'index.html', 'shop']);
  });

  test('unique holds across a resume: a crawl killed outright and resumed writes each link once, and counts as one never stopped', async () => {
    const uninterrupted = await flow.run(LINKS_ONCE);
    const expectedLinks = sorted(uninterrupted.records.filter((record) => 'href' in record).map((record) => pathOf(record.href)));
    const counts = (logs: string[]) => logs.find((line) => line.startsWith('crawled '))?.replace(/ \(\d+ of them before the resume\)/, '');

    const dir = join(flow.tmp, 'killed');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, `version: 1\nserve: ${JSON.stringify(site)}\nreport: false\nsteps:\n${LINKS_ONCE.replace('concurrency: 2', 'concurrency: 2\n      delay: 150ms')}`);
    const out = join(dir, 'run');
    const cli = join(root, 'bin/flow.js');
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const journal = join(out, 'journal.jsonl');
    const child = spawn(process.execPath, [cli, 'run', file, '--out', out, '--quiet'], { env, stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (jsonLines(journal).filter((entry) => entry.type === 'item-end').length < 8) {
      assert.ok(Date.now() < deadline, 'the crawl did not get going');
      assert.equal(child.exitCode, null, 'the crawl ended before it was killed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    const before = jsonLines(journal);
    assert.ok(before.some((entry) => (entry.keys as unknown[] | undefined)?.length), 'keys were written before the kill');

    const resumed = spawnSync(process.execPath, [cli, 'resume', out], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
    const afterResume = jsonLines(journal).slice(before.length);
    assert.ok(afterResume.some((entry) => Number(entry.duplicates) > 0), 'the resumed run left out links written before the kill');
    const records = readFileSync(join(out, 'dataset.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const links = records.filter((record) => 'href' in record).map((record) => pathOf(record.href));
    assert.deepEqual(sorted(links), expectedLinks, 'each link once, the same links as a crawl never stopped');
    assert.equal(records.filter((record) => 'section' in record).length, 4);
    const logs = afterResume.filter((entry) => entry.type === 'log').map((entry) => String(entry.message));
    assert.equal(counts(logs), counts(uninterrupted.logs), 'the counts of URLs discovered, queued and passed over are rebuilt from the journal, none counted twice');
  });

  test('files: record writes each link to a file that is not a web page once, and the browser never opens one', async () => {
    const events = new RunEvents();
    const loaded: string[] = [];
    events.on('page-loaded', ({ url }) => loaded.push(url));
    const run = await flow.run(
      `
  - crawl:
      start: \${{ serve.url }}/index.html
      dropQuery: [utm_*]
      files: record
      concurrency: 2
      steps:
        - extract: { fields: { title: h1 }, add: { url: "\${{ url }}" } }
`,
      { events },
    );
    assert.equal(run.exitCode, 0, run.error);
    const files = run.records.filter((record) => 'file' in record).map((record) => [pathOf(record.file), record.type, pathOf(record.linkedFrom), record.depth]);
    assert.deepEqual(sorted(files.map((file) => JSON.stringify(file))), sorted([
      JSON.stringify(['/files/guide.pdf', 'pdf', '/index.html', 1]),
      JSON.stringify(['/files/map.png', 'png', '/index.html', 1]),
      JSON.stringify(['/shop/catalogue-export', 'download', '/shop/index.html', 2]),
    ]));
    assert.ok(loaded.length > 20, `${loaded.length} pages loaded`);
    assert.deepEqual(loaded.filter((url) => /\.(pdf|png)$/.test(url)), [], 'no PDF or picture was opened as a page');
  });

  test("the crawl's section in the journal and the report: counts, pages by depth, pages per second, the failed page; page text escaped", async () => {
    const run = await flow.run(`
  - crawl:
      start: \${{ serve.url }}/index.html
      dropQuery: [utm_*]
      sortQuery: true
      concurrency: 2
      steps:
        - extract: { fields: { title: h1 } }
`);
    assert.equal(run.exitCode, 0, run.error);
    const [section] = run.record.sections;
    assert.ok(section, 'the reducer kept the crawl section');
    assert.deepEqual(Object.fromEntries(section.counts.map(({ label, value }) => [label, value])), {
      discovered: 32,
      queued: 27,
      visited: 25,
      failed: 1,
      waiting: 0,
      'out of scope': 2,
      excluded: 0,
      'forbidden by robots.txt': 1,
      'not web pages': 3,
    });
    assert.deepEqual(section.histogram?.bars.map(({ label, value }) => `${label}: ${value}`), ['0: 1', '1: 3', '2: 16', '3: 1', '4: 1', '5: 1', '6: 1', '7: 1']);
    assert.ok((section.rate?.value ?? 0) > 0);
    assert.deepEqual(section.list?.rows.map((row) => pathOf(row.url)), ['/blog/missing.html']);
    assert.match(section.list?.rows[0].text ?? '', /answered HTTP 404/);

    const html = renderReport(run.record);
    const crawl = html.slice(html.indexOf('id="section-1"'), html.indexOf('</section>', html.indexOf('id="section-1"')));
    assert.match(crawl, /<dt>not web pages<\/dt><dd class="num">3<\/dd>/);
    assert.match(crawl, /<td class="num">2<\/td><td class="num">16<\/td><td class="bar-cell"><span class="bar" style="width: 100%">/);
    assert.match(crawl, /href="http:\/\/127\.0\.0\.1:\d+\/blog\/missing\.html"/);
    assert.match(html, /<a href="#section-1">crawl<\/a>/, 'listed in the table of contents');

    const hostile = renderReport({
      ...run.record,
      sections: [{ ...section, counts: [{ label: HOSTILE.attribute, value: 1 }], list: { title: HOSTILE.script, rows: [{ url: HOSTILE.jsUrl, text: HOSTILE.breakout }], more: 0 } }],
    });
    for (const text of [HOSTILE.attribute, HOSTILE.script, HOSTILE.breakout]) assert.ok(!hostile.includes(text), `${text} is escaped`);
    assert.ok(!hostile.includes(`href="${HOSTILE.jsUrl}"`), 'a javascript: address is not linked');
  });

  test('the live view shows the figures that are not zero, the rate and the histogram', () => {
    assert.deepEqual(
      sectionLines({ counts: [{ label: 'visited', value: 12 }, { label: 'failed', value: 0 }, { label: 'queued', value: 30 }], rate: { label: 'pages/s', value: 3.5 }, histogram: { title: 'pages by depth', bars: [{ label: '0', value: 1 }, { label: '1', value: 11 }] } }),
      ['visited 12 · queued 30 · 3.5 pages/s', 'pages by depth: 0: 1, 1: 11'],
    );
  });

  test('bad where and unique are refused before the run, each at its line, by flow validate with exit code 2', () => {
    const dir = join(flow.tmp, 'invalid');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'flow.yaml');
    writeFileSync(
      file,
      `version: 1
steps:
  - extract:
      fields: { name: h2 }
      unique: nmae
  - extract:
      fields: { name: h2 }
      where: name != null
  - extract:
      fields: { name: h2 }
      where: \${{ price > 3 }}
  - extract:
      fields: { name: h2 }
      into: names
      unique: name
  - record: { fields: { sku: "1" }, unique: [sku, store] }
`,
    );
    let problems: string[] = [];
    try {
      loadWorkflow(file);
    } catch (error) {
      assert.ok(error instanceof InputError);
      problems = error.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    }
    assert.deepEqual(problems, [
      '5:15 unique names the field "nmae", which the records of this step do not have',
      '8:14 "where" cannot be the text "name != null"',
      '11:18 unknown name "price"',
      '15:15 unique leaves out records written to the dataset, but this step keeps its records in into only',
      '16:51 unique names the field "store", which the records of this step do not have',
    ]);
    const cli = spawnSync(process.execPath, [join(root, 'bin/flow.js'), 'validate', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(cli.status, 2, cli.stdout + cli.stderr);
    assert.doesNotMatch(cli.stdout + cli.stderr, /\n\s+at .*\(/, 'no stack trace');
  });
});
