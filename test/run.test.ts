import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** `flow` as a user types it: the real CLI in a child process, a real Chromium, pages on 127.0.0.1. */
const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'bin/flow.js');
const fixtures = join(root, 'test/fixtures/memory');
const tmp = mkdtempSync(join(tmpdir(), 'flow-run-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const env = { ...process.env, NO_COLOR: '1', CI: '1' };

function flow(args: string[], cwd = root) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  return { ...result, ms: performance.now() - started };
}

let files = 0;
/** A workflow file in a folder of its own, serving the memory fixtures. */
function workflow(steps: string, head = ''): { file: string; dir: string } {
  const dir = join(tmp, `w${++files}`);
  const file = join(dir, 'flow.yaml');
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(file, `version: 1\nname: test\nserve: ${JSON.stringify(fixtures)}\n${head}\nsteps:\n${steps}`);
  return { file, dir };
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const record = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));

describe('flow run', () => {
  test('workflows/crawl.yaml: every product once, a run folder with dataset, record and report, exit 0', () => {
    const out = join(tmp, 'crawl');
    const result = flow(['run', 'workflows/crawl.yaml', '--out', out]);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const products = lines(join(out, 'products.jsonl')).map((line) => JSON.parse(line));
    assert.equal(products.length, 50);
    assert.equal(new Set(products.map((p) => p.sku)).size, 50, 'no product twice');
    for (const p of products) assert.ok(p.name && p.price && p.url && Array.isArray(p.tags), JSON.stringify(p));
    const run = record(out);
    assert.equal(run.run.status, 'passed');
    assert.equal(run.policy.name, 'balanced');
    assert.ok(run.policy.version && run.policy.hash);
    assert.ok(run.counts.pagesVisited >= 55);
    assert.deepEqual(run.events.filter((e: { type: string }) => e.type === 'leak'), [], 'the crawl closes what it opens');
    assert.ok(existsSync(join(out, 'report.html')));
    assert.match(result.stdout, /✔ passed in [\d.]+ s — \d+ pages, 50 records, peak memory \d+ MB PSS/);
    assert.match(result.stdout, /report: +.*report\.html/);
  });

  test('the other example workflows run offline and extract what they say', () => {
    const expected: Record<string, [string, RegExp]> = {
      forms: ['messages.jsonl', /"confirmation":"Thank you, ada\. We will answer your order question message/],
      // Two at a time: rows arrive in the order their pages finish.
      'csv-loop': ['products.csv', /^name,price,stock,sku,line\r\n(.+\r\n)*Heather Wool Throw,€99\.00,In stock,LL-THR-001,2\r\n/],
      include: ['account.jsonl', /^\{"greeting":"Welcome, grace","signedInAs":"Hi, grace"\}\n$/],
      profile: ['session.jsonl', /^\{"greeting":"Welcome, linus"\}\n$/],
      // Every page of the site once (26: one only its sitemap lists), none robots.txt forbids.
      'site-crawl': ['pages.jsonl', /^(?=[\s\S]*"title":"Only in the sitemap")(?![\s\S]*\/private\/)(\{"title":"[^"]+","url":"http:\/\/127\.0\.0\.1:\d+\/[^"#]*","depth":\d,"referrer":(null|"[^"]+")\}\n){26}$/],
    };
    for (const [name, [dataset, content]] of Object.entries(expected)) {
      const out = join(tmp, `example-${name}`);
      const result = flow(['run', `workflows/${name}.yaml`, '--out', out]);
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      assert.match(readFileSync(join(out, dataset), 'utf8'), content, name);
    }
  });

  test('a failing step: one block with the step, file:line, the page URL, the cause, a hint, a screenshot, exit 1', () => {
    const { file, dir } = workflow(`
  - goto: \${{ serve.url }}/slow.html?n=7
  - extract: { fields: { item: h1 } }
  - click: "Buy now"
    timeout: 1s
  - log: never reached
`, 'output: { path: items.csv, format: csv }');
    const out = join(dir, 'run');
    const result = flow(['run', file, '--out', out]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^\nStep failed: click "Buy now"\n {2}where: +.*flow\.yaml:9:5\n {2}page: +http:\/\/127\.0\.0\.1:\d+\/slow\.html\?n=7\n {2}cause: +nothing on the page shows "Buy now" \(waited 900 ms\)\n {2}hint: +check the selector or text against the page \(see the screenshot\); if the page is only slow, give the step a longer timeout, such as timeout: 60s\n {2}screenshot: /);
    assert.doesNotMatch(result.stderr + result.stdout, /never reached/);
    assert.match(result.stdout, /^✔ goto http:\/\/127\.0\.0\.1:\d+\/slow\.html\?n=7 \(\d+ ms\)$/m, 'progress lines show the address visited, not the expression');
    assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
    const shot = /screenshot: +(\S+\.png)/.exec(result.stderr)?.[1];
    assert.ok(shot && existsSync(join(out, shot)), result.stderr);
    assert.ok(readdirSync(join(out, 'failures')).some((name) => name.endsWith('.png')));
    assert.equal(readFileSync(join(out, 'items.csv'), 'utf8'), 'item\r\nitem 7\r\n', 'what was extracted before the failure is kept');
    assert.equal(record(out).run.status, 'failed');
    assert.ok(existsSync(join(out, 'report.html')), 'a failed run still gets its report');
  });

  test('a step that fails while stylesheets are blocked says so, and where the block was set', () => {
    const { file, dir } = workflow(`
  - goto: \${{ serve.url }}/slow.html?n=1
  - click: "Buy now"
    timeout: 1s
`, 'memory: { block: { types: [image, stylesheet] } }');
    const result = flow(['run', file, '--out', join(dir, 'run')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\n {2}note: +this run blocks stylesheets \(block\.types, from .*flow\.yaml:4:\d+\); pages behave differently without them\n/);
  });

  test('a field empty in every record is named with its step line after the run; a field found once is not', () => {
    const { file, dir } = workflow(`
  - forEach:
      items: [slow.html?n=1, no-endings.html, slow.html?n=3]
      steps:
        - goto: \${{ serve.url }}/\${{ item }}
        - extract:
            fields:
              title: h1
              price: .prise
              picture: { selector: img, attribute: alt }
`);
    const out = join(dir, 'run');
    const result = flow(['run', file, '--out', out, '--quiet']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /⚠ .*flow\.yaml:11: field price was empty in every record of "extract title, price, picture"\. Check the selector;/);
    assert.equal(result.stdout.match(/⚠/g)?.length, 1, result.stdout);
    assert.deepEqual(record(out).steps.find((s: { kind: string }) => s.kind === 'extract').emptyFields, ['price']);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /empty in every record: price \(a selector that matches nothing\?\)/);
  });

  test('invalid input is exit 2 before any browser starts; so are bad flags and undeclared --var', () => {
    const { file, dir } = workflow('  - clik: Sign in\n');
    const invalid = flow(['run', file, '--out', join(dir, 'run')]);
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /flow\.yaml:6:5: unknown step "clik" — did you mean "click"\?/);
    assert.ok(!existsSync(join(dir, 'run')), 'no run folder, no browser');
    assert.ok(invalid.ms < 5000);

    const good = workflow('  - log: hi\n').file;
    for (const args of [['--var', 'nope=1'], ['--max-pages', '0'], ['--block', 'pictures'], ['--no-such-flag']]) {
      const result = flow(['run', good, ...args]);
      assert.equal(result.status, 2, `${args}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
    assert.equal(flow(['run']).status, 2, 'a missing argument is a usage error');

    const out = join(dir, 'no-browser-run');
    const noBrowser = spawnSync(process.execPath, [cli, 'run', good, '--out', out], { encoding: 'utf8', env: { ...env, FLOW_BROWSER: '/opt/nowhere/chrome' } });
    assert.equal(noBrowser.status, 2, 'no browser is exit 2');
    assert.match(noBrowser.stderr, /^flow: FLOW_BROWSER is \/opt\/nowhere\/chrome, but there is no browser there\n/);
    assert.ok(!existsSync(out), 'no run folder for a run that cannot start');
  });

  test('a page flow closed at the page limit is reopened where it was for the next step, logged and counted in the report', () => {
    const { file, dir } = workflow(`
  - goto: \${{ serve.url }}/slow.html?n=5
  - forEach:
      items: [1, 2]
      concurrency: 2
      steps:
        - goto: \${{ serve.url }}/slow.html?n=\${{ item }}
  - extract: { fields: { item: h1 } }
`, 'memory: { maxPages: 1 }');
    const out = join(dir, 'run');
    const result = flow(['run', file, '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(lines(join(out, 'dataset.jsonl')).map((line) => JSON.parse(line)), [{ item: 'item 5' }], 'the extract read the page the loop had to close');
    assert.match(result.stdout, /reopened the page at http:\/\/127\.0\.0\.1:\d+\/slow\.html\?n=5 for this step: flow had closed it \(page limit reached: closed the oldest idle page\)/);
    assert.equal(record(out).counts.pagesReopened, 1);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<dt>Pages reopened<\/dt><dd id="pages-reopened">1:/);
  });

  test('an include whose file is named by an expression and found invalid at run time says where in that file', () => {
    const { file, dir } = workflow(`
  - include: \${{ part }}
`, 'vars: { part: part.yaml }');
    writeFileSync(join(dir, 'part.yaml'), 'version: 1\nsteps:\n  - log: hi\n  - clik: x\n');
    const result = flow(['run', file, '--out', join(dir, 'run')]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /\n {2}cause: +.*part\.yaml:4:5: unknown step "clik" — did you mean "click"\?\n {2}hint: +steps: /);
  });

  test('--json prints one event per line and a summary; --var sets a declared variable', () => {
    const { file } = workflow(`
  - goto: \${{ serve.url }}/slow.html?n=\${{ n }}
  - extract: { fields: { item: h1 } }
`, 'vars: { n: 1 }');
    const result = flow(['run', file, '--json', '--var', 'n=42', '--out', join(tmp, 'json-run')]);
    assert.equal(result.status, 0, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(events.every((e) => typeof e.type === 'string'));
    assert.ok(events.some((e) => e.type === 'step-end'), events.map((e) => e.type).join());
    const record = events.find((e) => e.type === 'record');
    // Paths are shown relative to the working folder when it is near.
    assert.deepEqual(record.added.map((added: { file: string }) => ({ ...added, file: resolve(root, added.file) })), [{ step: 'extract item', kind: 'extract', file, line: 8, records: 1 }], 'each record event says which step wrote it');
    const summary = events.at(-1);
    assert.equal(summary.type, 'summary');
    assert.equal(summary.exitCode, 0);
    assert.equal(summary.records, 1);
    assert.deepEqual(lines(summary.dataset).map((l) => JSON.parse(l)), [{ item: 'item 42' }]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} stops within seconds with exit 130, keeping the dataset, the record and a report`, async () => {
      const { file, dir } = workflow(`
  - forEach:
      items: \${{ range(1, 200) }}
      concurrency: 2
      steps:
        - goto: \${{ serve.url }}/slow.html?n=\${{ item }}
        - wait: 200ms
        - extract: { fields: { item: h1 } }
`);
      const out = join(dir, 'run');
      const child = spawn(process.execPath, [cli, 'run', file, '--out', out], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const dataset = join(out, 'dataset.jsonl');
      for (let i = 0; i < 600 && !(existsSync(dataset) && lines(dataset).length >= 3); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(lines(dataset).length >= 3, 'records arrive while the run goes');
      const sent = performance.now();
      child.kill(signal);
      const [code] = await once(child, 'exit');
      assert.ok(performance.now() - sent < 5000, `took ${performance.now() - sent} ms to stop`);
      assert.equal(code, 130, stderr);
      const saved = record(out);
      assert.equal(saved.run.status, 'interrupted');
      assert.equal(saved.counts.records, lines(dataset).length, 'every record counted is in the dataset');
      assert.ok(lines(dataset).length < 199);
      assert.ok(existsSync(join(out, 'report.html')));
      assert.match(stderr, new RegExp(`${signal} received`));
    });
  }
});

describe('other commands', () => {
  test('flow init writes a commented starter that validates, and never overwrites', () => {
    const dir = mkdtempSync(join(tmp, 'init-'));
    const made = flow(['init', 'starter.yaml'], dir);
    assert.equal(made.status, 0, made.stderr);
    const text = readFileSync(join(dir, 'starter.yaml'), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=/);
    assert.ok(text.split('\n').filter((l) => l.trim().startsWith('#')).length >= 5, 'it explains itself');
    assert.equal(flow(['validate', 'starter.yaml'], dir).status, 0);
    const again = flow(['init', 'starter.yaml'], dir);
    assert.equal(again.status, 2);
    assert.equal(readFileSync(join(dir, 'starter.yaml'), 'utf8'), text);
  });

  test('flow policy show gives each setting its origin; flow schema says how to wire an editor', () => {
    const shown = flow(['policy', 'show', 'policies/low-memory.yaml', '--max-pages', '4']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /maxPages +4 +--max-pages/);
    assert.match(shown.stdout, /block\.types +image, media, font, stylesheet +policies\/low-memory\.yaml:\d+:\d+/);
    assert.match(shown.stdout, /sampling\.pageMetrics +true +default/);
    const schema = flow(['schema']);
    assert.equal(schema.status, 0);
    assert.match(schema.stdout, /workflow\.schema\.json/);
    assert.match(schema.stdout, /yaml-language-server/);
  });

  test('flow report re-renders a run, flow compare puts two side by side; a wrong folder is exit 2', () => {
    const runs = ['a', 'b'].map((name) => {
      const { file, dir } = workflow(`  - goto: \${{ serve.url }}/slow.html?n=1\n`);
      const out = join(dir, name);
      assert.equal(flow(['run', file, '--out', out]).status, 0);
      return out;
    });
    rmSync(join(runs[0], 'report.html'));
    const report = flow(['report', runs[0]]);
    assert.equal(report.status, 0, report.stderr);
    assert.ok(readFileSync(join(runs[0], 'report.html'), 'utf8').includes('<svg'));
    const compared = flow(['compare', runs[0], runs[1], '--out', join(tmp, 'compare.html')]);
    assert.equal(compared.status, 0, compared.stderr);
    assert.ok(existsSync(join(tmp, 'compare.html')));
    const missing = flow(['report', join(tmp, 'no-such-run')]);
    assert.equal(missing.status, 2);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });
});
