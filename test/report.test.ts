import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { layoutChart } from '../src/report/chart.js';
import { minMaxIndices } from '../src/report/downsample.js';
import { scriptJson } from '../src/report/helpers.js';
import { readRunRecord, renderComparison, renderReport, writeReport } from '../src/report/render.js';
import { InputError } from '../src/runner/diagnostics.js';
import type { RunRecord } from '../src/runner/run-record.js';
import { HOSTILE, syntheticRunRecord } from './fixtures/run-record.js';
import { findBrowser } from '../src/browser/find.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const artifacts = join(root, 'test-artifacts');
const work = mkdtempSync(join(tmpdir(), 'flow-report-'));
const MAX_REPORT_BYTES = 2 * 1024 * 1024;

let browser: Browser;
before(async () => {
  browser = await chromium.launch({ executablePath: findBrowser()?.path, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});
after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  url: string;
  /** Every request the page made, the file itself included. */
  requests: string[];
  /** Console errors and uncaught exceptions (a blocked script shows here as a CSP error). */
  errors: string[];
  dialogs: string[];
}

/** Opens an HTML file from disk the way a user does, recording what a report must never do. */
async function open(file: string, viewport = { width: 1360, height: 900 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(5000);
  const opened: Opened = { page, url: pathToFileURL(file).href, requests: [], errors: [], dialogs: [] };
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && opened.errors.push(message.text()));
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(opened.url);
  return opened;
}

function assertQuiet(opened: Opened): void {
  assert.deepEqual(opened.requests, [opened.url], 'the report made a request besides loading itself');
  assert.deepEqual(opened.errors, [], 'the report logged errors');
  assert.deepEqual(opened.dialogs, [], 'a dialog opened');
}

function write(name: string, html: string): string {
  const file = join(work, name);
  writeFileSync(file, html);
  return file;
}

const peakOf = (record: RunRecord) => Math.max(...record.samples.map((sample) => sample.totalPssMb!));

test('the report of a run loads from disk with no request and no error, and shows the run', async () => {
  const record = syntheticRunRecord();
  record.run.dir = join(work, 'run');
  const file = join(record.run.dir, 'report.html');
  writeReport(record, file);
  const opened = await open(file);
  const { page } = opened;
  try {
    assertQuiet(opened);
    assert.equal(await page.locator('#peak').textContent(), peakOf(record).toFixed(1));
    assert.equal(record.stats!.total.maxMb, peakOf(record));
    assert.equal(await page.locator('#status').textContent(), 'failed');
    // What measuring cost, the sampler's and the leak checks' apart: 0.42% and 0.31% of the run in the fixture.
    assert.match((await page.locator('p.more', { hasText: 'measuring memory' }).textContent())!, /measuring memory took 0\.42 % of the run, checking for leaks 0\.31 %$/);
    assert.match((await page.locator('#run-error').textContent())!, /no element matches "a\.next"/);

    // Every sample of a short run is drawn: the total line has one vertex per sample.
    const chart = page.locator('svg[data-chart="timeline-pss"]');
    assert.equal(await chart.getAttribute('data-points'), String(record.samples.length));
    const vertices = await chart.locator('path.line.total').evaluate((path) => path.getAttribute('d')!.split(/[ML]/).filter(Boolean).length);
    assert.equal(vertices, record.samples.length);
    const embedded = await page.evaluate(() => JSON.parse(document.getElementById('run-data')!.textContent!));
    assert.equal(embedded.charts['timeline-pss'].groups[0].x.length, record.samples.length);
    const kinds = await chart.locator('path.area').evaluateAll((paths) => paths.map((path) => path.getAttribute('class')));
    assert.deepEqual(kinds, ['area k-runner', 'area k-browser', 'area k-renderer', 'area k-gpu', 'area k-network', 'area k-storage', 'area k-utility']);
    // One marker per step start, and one per event.
    assert.equal(await chart.locator('g.m-step').count(), record.samples.filter((s) => s.reason === 'step-start').length);
    for (const type of ['gc', 'alert', 'action', 'leak'] as const) {
      // The budget's decisions are drawn as actions.
      const drawn = record.events.filter((event) => event.type === type || (type === 'action' && event.type === 'budget'));
      assert.equal(await chart.locator(`g.m-${type}`).count(), drawn.length, `${type} markers`);
    }
    const recycles = record.events.filter((event) => event.type === 'recycle');
    assert.equal(await chart.locator('g.m-recycle').count(), recycles.filter((event) => event.what === 'context').length);
    assert.equal(await chart.locator('g.m-restart').count(), recycles.filter((event) => event.what === 'browser').length);
    assert.deepEqual(await chart.locator('.threshold.limit text').allTextContents(), ['budget 800.0 MB PSS', 'limit 760.0 MB PSS']);

    // Pointing at the chart shows the figures of the nearest sample.
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    const i = 60;
    const x = embedded.charts['timeline-pss'].groups[0].x[i];
    await page.mouse.move(box.x + (x / 1000) * box.width, box.y + box.height / 2);
    const tip = page.locator('#timeline .chart-pss .tip');
    await tip.waitFor({ state: 'visible' });
    const tipText = (await tip.textContent())!;
    assert.ok(tipText.startsWith('1:00'), tipText);
    assert.ok(tipText.includes(`total${record.samples[i].totalPssMb!.toFixed(1)} MB PSS`), tipText);
    assert.ok(tipText.includes(`renderers${record.samples[i].byKind.renderer!.pssMb!.toFixed(1)} MB PSS`), tipText);
    assert.ok(tipText.includes('step: Open the product (line 10)'), tipText);

    // RSS is one click away, and says what it over-counts.
    assert.equal(await page.locator('.chart-rss').isVisible(), false);
    await page.locator('label[for="measure-rss"]').click();
    assert.equal(await page.locator('.chart-rss').isVisible(), true);
    assert.equal(await page.locator('.chart-pss').isVisible(), false);
    assert.match((await page.locator('.chart-rss').textContent())!, /RSS, counts shared memory once per process: an over-count/);
    await page.locator('label[for="measure-pss"]').click();

    // Steps are indented by depth and located in the YAML.
    const rows = page.locator('table.steps tbody tr');
    assert.equal(await rows.count(), record.steps.length);
    assert.equal(await rows.nth(4).locator('td').nth(1).textContent(), 'shop.yaml:16');
    const indent = (n: number) => rows.nth(n).locator('.step-title').evaluate((el) => parseFloat(getComputedStyle(el).paddingLeft));
    assert.equal(await indent(0), 0);
    assert.ok((await indent(2)) > 0);
    assert.equal(await rows.nth(4).locator('td').last().textContent(), '1');
    // A loop's figures include its steps': the requests blocked while its goto ran count for it too.
    assert.equal(await rows.nth(2).locator('td').nth(10).textContent(), '812');
    assert.equal(await rows.nth(1).locator('td').nth(10).textContent(), '812');

    assert.equal(await page.locator('#statistics tbody tr').count(), 1 + Object.keys(record.stats!.byKind).length);
    const alerts = record.events.filter((event) => event.type === 'alert');
    assert.deepEqual(alerts.map((alert) => alert.level), ['warn', 'limit']);
    assert.equal(await page.locator('#alerts tbody tr').count(), 2);
    assert.match((await page.locator('#leaks tbody tr').first().textContent())!, /Extract name and price.*shop\.yaml:12.*240/);
    assert.equal(await page.locator('#actions tbody tr').count(), record.events.filter((e) => e.type !== 'alert' && e.type !== 'leak').length);
    assert.equal(await page.locator('#failures a[href="failures/16-click-lx3k2.png"]').textContent(), 'failures/16-click-lx3k2.png');
    // A report written outside the run folder still finds the screenshot.
    assert.match(renderReport(record, { reportDir: join(work, 'elsewhere') }), /<a href="\.\.\/run\/failures\/16-click-lx3k2\.png">/);
    const warnRow = page.locator('#policy tr', { hasText: 'thresholds.warnMb' });
    assert.deepEqual(await warnRow.locator('td').allTextContents(), ['thresholds.warnMb', '720', 'policy /work/demo/policies/crawl-safe.yaml:6']);
    assert.deepEqual(await page.locator('#policy tr', { hasText: 'gc.everyPages' }).locator('td').allTextContents(), ['gc.everyPages', '25', 'workflow shop.yaml:3']);
    assert.deepEqual(await page.locator('#policy tr', { hasText: 'block.types' }).locator('td').allTextContents(), ['block.types', 'image, media, font', 'flag --block']);
    assert.equal(await page.locator('#pages svg[data-chart]').count(), 3);

    mkdirSync(artifacts, { recursive: true });
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.55);
    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
  } finally {
    await page.close();
  }
});

test('text from pages, steps and errors stays text: no script runs, no javascript: link, no request', async () => {
  const record = syntheticRunRecord({ hostile: true });
  const opened = await open(write('hostile.html', renderReport(record)));
  const { page } = opened;
  try {
    assertQuiet(opened);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 2, 'only the chart data and the report script');
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((link) => link.getAttribute('href')!));
    assert.ok(hrefs.length > 0);
    for (const href of hrefs) assert.match(href, /^(https?:\/\/|#|failures\/)/, `unexpected link ${href}`);
    // The javascript: URL is shown, as text.
    assert.equal(await page.locator('#failures td.url').first().textContent(), HOSTILE.jsUrl);
    assert.equal(await page.locator('#failures td.url a').count(), 1, 'only the http(s) URL is a link');
    // Hostile text reads back exactly as written, in the page and in the embedded JSON.
    assert.equal(await page.locator('h1').textContent(), record.workflow.name);
    assert.equal(await page.locator('table.steps .step-title').nth(1).textContent(), record.steps[1].title);
    assert.equal(await page.locator('#failures td.msg').first().textContent(), record.failures[0].message);
    const titles = await page.evaluate(() => JSON.parse(document.getElementById('run-data')!.textContent!).stepTitles);
    assert.equal(titles[1], `${record.steps[1].title} (line 8)`);
    // The tooltip shows hostile step titles as text too.
    const chart = page.locator('svg[data-chart="timeline-pss"]');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.locator('.chart-pss .tip').waitFor({ state: 'visible' });
    assert.equal(await page.locator('.tip img, .tip script').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(opened.dialogs, []);
  } finally {
    await page.close();
  }
});

test('a run that stopped before its first sample still gets a report', () => {
  const record = syntheticRunRecord();
  Object.assign(record, { samples: [], events: [], failures: [], stats: undefined });
  Object.assign(record.run, { status: 'interrupted', endedAt: undefined, durationMs: undefined, error: 'stopped by Ctrl-C' });
  const html = renderReport(record);
  assert.match(html, /No memory samples were recorded\./);
  assert.match(html, /No statistics: the run ended before they were computed\./);
  assert.match(html, /<span id="peak">—<\/span>/);
  assert.match(html, /<span class="pill interrupted" id="status">interrupted<\/span>/);
});

test('the effective policy names the policies it extends, nearest first, and no Extends line when it extends none', () => {
  const record = syntheticRunRecord();
  const extendsLine = (chain: string[]) => {
    record.policy = { ...record.policy, file: chain.at(-1)!, chain };
    const policy = /<section id="policy">[\s\S]*?<\/section>/.exec(renderReport(record))![0];
    return /<dt>Extends<\/dt><dd class="mono">([^<]*)<\/dd>/.exec(policy)?.[1];
  };
  assert.equal(extendsLine(['/work/demo/policies/crawl-safe.yaml']), undefined);
  assert.equal(extendsLine(['/work/demo/policies/base.yaml', '/work/demo/policies/crawl-safe.yaml']), '/work/demo/policies/base.yaml');
  assert.equal(extendsLine(['/work/demo/policies/base.yaml', '/work/demo/policies/lean.yaml', '/work/demo/policies/crawl-safe.yaml']), '/work/demo/policies/lean.yaml, which extends /work/demo/policies/base.yaml');
});

test('the templates hold one triple-stash: the chart JSON in its script element', () => {
  const dir = join(root, 'reports');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.(hbs|css|js)$/.test(name));
  assert.ok(files.length > 5);
  const unescaped = files.flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/\{\{\{[^}]*\}\}\}|\{\{~?\s*&[^}]*\}\}/g)].map((match) => `${name}: ${match[0]}`));
  assert.deepEqual(unescaped, ['layout.hbs: {{{scriptJson chartData}}}']);
  assert.match(readFileSync(join(dir, 'layout.hbs'), 'utf8'), /<script type="application\/json" id="run-data">\{\{\{scriptJson chartData\}\}\}<\/script>/);
  const sources = readdirSync(join(root, 'src/report')).map((name) => readFileSync(join(root, 'src/report', name), 'utf8'));
  assert.ok(!sources.some((source) => /SafeString|noEscape/.test(source)), 'a helper bypasses escaping');
});

test('the chart JSON cannot end its script element', () => {
  const value = { title: '</script><!-- <![CDATA[ & \u2028\u2029' };
  const json = scriptJson(value);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), value);
});

test('a one-hour run sampled every second makes a report under 2 MB whose chart keeps the peak', async () => {
  const record = syntheticRunRecord({ samples: 3600, processes: 10 });
  assert.equal(record.samples[0].processes.length, 10);
  const html = renderReport(record);
  const bytes = Buffer.byteLength(html);
  assert.ok(bytes < MAX_REPORT_BYTES, `the report is ${bytes} bytes`);
  const opened = await open(write('hour.html', html));
  try {
    assertQuiet(opened);
    const drawn = await opened.page.evaluate(() => JSON.parse(document.getElementById('run-data')!.textContent!).charts['timeline-pss'].groups[0]);
    const expected = minMaxIndices(record.samples.map((sample) => sample.totalPssMb!)).length;
    assert.ok(expected <= 1000 && expected > 900, `${expected} points`);
    assert.equal(drawn.x.length, expected);
    assert.equal(await opened.page.locator('svg[data-chart="timeline-pss"]').getAttribute('data-points'), String(expected));
    const totals = drawn.rows.find((row: { label: string }) => row.label === 'total').values as number[];
    assert.equal(Math.max(...totals).toFixed(1), peakOf(record).toFixed(1));
    assert.equal(Math.min(...totals).toFixed(1), Math.min(...record.samples.map((s) => s.totalPssMb!)).toFixed(1));
    assert.equal(await opened.page.locator('#peak').textContent(), peakOf(record).toFixed(1));
  } finally {
    await opened.page.close();
  }
});

test('chart axes: counts get whole-number ticks, small megabytes get a decimal', () => {
  const axis = (values: number[]) =>
    layoutChart({ id: 'c', xAxis: 'pages', yLabel: 'y', description: 'd', groups: [{ keys: values.map((_, i) => i + 1), stacked: [], lines: [{ cls: 'l', label: 'l', unit: 'u', values }] }] }).view.yTicks.map((t) => t.label);
  assert.deepEqual(axis([0, 0, 0]), ['0', '1'], 'no listeners: one tick at 0, one at 1');
  assert.deepEqual(axis([3, 7, 12]), ['0', '3', '6', '9', '12']);
  assert.deepEqual(axis([0.1, 0.4, 0.8]), ['0', '0.2', '0.4', '0.6', '0.8']);
});

test('downsampling keeps every extreme, the ends and the order', () => {
  const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i / 40) * 100 + (i === 3333 ? 500 : 0) - (i === 1234 ? 400 : 0));
  const kept = minMaxIndices(values, 1000);
  assert.ok(kept.length <= 1000);
  assert.equal(kept[0], 0);
  assert.equal(kept[kept.length - 1], 4999);
  assert.ok(kept.includes(3333) && kept.includes(1234));
  assert.deepEqual(kept, [...kept].sort((a, b) => a - b));
  assert.deepEqual(minMaxIndices([3, 1, 2]), [0, 1, 2]);
});

test('a comparison shows both runs side by side with ratios and loads without errors', async () => {
  const a = syntheticRunRecord();
  const b = syntheticRunRecord({ samples: 90, growthMbPerPage: 1 });
  b.policy = { ...b.policy, name: 'lean', version: '3', hash: '0badc0ffee00', settings: { ...b.policy.settings, maxPages: 2 }, origins: { ...b.policy.origins, maxPages: { kind: 'flag', flag: '--max-pages' } } };
  const opened = await open(write('compare.html', renderComparison(a, b)));
  const { page } = opened;
  try {
    assertQuiet(opened);
    const peak = page.locator('#figures tbody tr').first();
    assert.deepEqual((await peak.locator('td').allTextContents()).slice(1), [peakOf(a).toFixed(1), peakOf(b).toFixed(1), `×${(peakOf(b) / peakOf(a)).toFixed(2)}`]);
    assert.equal(await page.locator('#figures tbody tr', { hasText: 'Duration' }).locator('td.ratio').textContent(), `×${(b.run.durationMs! / a.run.durationMs!).toFixed(2)}`);
    const data = await page.evaluate(() => JSON.parse(document.getElementById('run-data')!.textContent!).charts);
    assert.deepEqual(data['compare-time'].groups.map((g: { x: unknown[] }) => g.x.length), [a.samples.length, b.samples.length]);
    assert.equal(data['compare-pages'].xAxis, 'pages');
    assert.deepEqual(await page.locator('#runs .policy-id').allTextContents(), [`${a.policy.name} · version 2 · hash 3f9a1c0be21d`, 'lean · version 3 · hash 0badc0ffee00']);
    assert.deepEqual(await page.locator('#policies tbody tr').first().locator('td').allTextContents(), ['A', a.policy.name, '2', '3f9a1c0be21d', '/work/demo/policies/crawl-safe.yaml']);
    assert.deepEqual(await page.locator('#policies tr', { hasText: 'maxPages' }).locator('td').allTextContents(), ['maxPages', '8', 'default', '2', 'flag --max-pages']);
    const chart = page.locator('svg[data-chart="compare-time"]');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.locator('#timeline .tip').waitFor({ state: 'visible' });
    const tip = (await page.locator('#timeline .tip').textContent())!;
    assert.match(tip, /^A: Shop crawl · 0:\d\d.*B: Shop crawl · 0:\d\d/);
  } finally {
    await page.close();
  }
});

test('readRunRecord reads a run folder or its run.json, and says in plain words what is wrong', () => {
  const record = syntheticRunRecord();
  const dir = join(work, 'runs', 'one');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(record));
  assert.equal(readRunRecord(dir).run.id, record.run.id);
  assert.equal(readRunRecord(join(dir, 'run.json')).samples.length, record.samples.length);

  const problem = (path: string) => {
    try {
      readRunRecord(path);
    } catch (error) {
      assert.ok(error instanceof InputError, String(error));
      return error.message;
    }
    assert.fail(`${path} was read`);
  };
  assert.match(problem(join(work, 'runs', 'missing')), /there is no run record here/);
  writeFileSync(join(work, 'broken.json'), '{"format": "flow-run-rec');
  assert.match(problem(join(work, 'broken.json')), /not a run record: it is not valid JSON/);
  writeFileSync(join(work, 'other.json'), '{"name": "some package"}');
  assert.match(problem(join(work, 'other.json')), /not a run record/);
  const damaged = JSON.parse(JSON.stringify(record));
  delete damaged.samples[3].totalRssMb;
  damaged.run.status = 'exploded';
  writeFileSync(join(work, 'damaged.json'), JSON.stringify(damaged));
  const message = problem(join(work, 'damaged.json'));
  assert.match(message, /damaged/);
  assert.match(message, /samples\[3\] must have required property 'totalRssMb'/);
  assert.match(message, /run\.status must be equal to one of the allowed values/);
});

test('the run record schema validates real records, rejects broken ones, and declares every field', () => {
  const schema = JSON.parse(readFileSync(join(root, 'schemas/run-record.schema.json'), 'utf8'));
  assert.equal(schema.$id, 'https://flow.dev/schemas/run-record.schema.json');
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  const validate = ajv.compile(schema);
  for (const record of [syntheticRunRecord(), syntheticRunRecord({ hostile: true })]) {
    assert.ok(validate(JSON.parse(JSON.stringify(record))), ajv.errorsText(validate.errors));
  }
  const broken = JSON.parse(JSON.stringify(syntheticRunRecord()));
  broken.events[0].type = 'explosion';
  assert.equal(validate(broken), false);

  // A field the fixture (typed as RunRecord) has but the schema does not declare means the schema is behind.
  const undeclared: string[] = [];
  const resolveRef = (node: Record<string, unknown>) => (node.$ref ? schema.$defs[(node.$ref as string).split('/').pop()!] : node);
  const visit = (value: unknown, node: Record<string, unknown>, path: string) => {
    node = resolveRef(node);
    if (Array.isArray(value)) return value.slice(0, 3).forEach((item, i) => visit(item, node.items as Record<string, unknown>, `${path}[${i}]`));
    if (!value || typeof value !== 'object') return;
    const branches = (node.oneOf as Record<string, unknown>[] | undefined)?.map(resolveRef);
    if (branches) node = branches.find((branch) => (branch.properties as Record<string, { const?: unknown }>).type.const === (value as { type: unknown }).type)!;
    for (const [key, child] of Object.entries(value)) {
      const declared = (node.properties as Record<string, Record<string, unknown>> | undefined)?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      if (!declared) undeclared.push(`${path}.${key}`);
      else visit(child, declared as Record<string, unknown>, `${path}.${key}`);
    }
  };
  visit(syntheticRunRecord(), schema, 'record');
  assert.deepEqual(undeclared, []);
});

test('a template folder replaces the shipped templates of the same name; a template mistake fails in plain words', () => {
  const record = syntheticRunRecord();
  const custom = join(work, 'templates');
  mkdirSync(custom, { recursive: true });
  writeFileSync(join(custom, 'summary.hbs'), '<section id="summary"><p id="mine">Peak {{mb summary.peakMb}} {{unit}}</p></section>');
  const html = renderReport(record, { templateDir: custom });
  assert.ok(html.includes(`<p id="mine">Peak ${peakOf(record).toFixed(1)} MB PSS</p>`));
  assert.ok(html.includes('id="timeline"'), 'the other templates still come from flow');

  writeFileSync(join(custom, 'summary.hbs'), '<p>{{summary.peakMegabytes}}</p>');
  assert.throws(() => renderReport(record, { templateDir: custom }), (error: Error) => error instanceof InputError && /"peakMegabytes" not defined/.test(error.message));
  writeFileSync(join(custom, 'summary.hbs'), '<p>{{mb summary.workflow}}</p>');
  assert.throws(() => renderReport(record, { templateDir: custom }), /the template gives mb .* which is not a number/);
});
