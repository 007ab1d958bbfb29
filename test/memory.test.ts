import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findBrowser } from '../src/browser/find.js';
import { listDescendants, readMemory } from '../src/memory/processes.js';
import { MemorySampler } from '../src/memory/sampler.js';
import { RESOURCE_TYPES } from '../src/policy/settings.js';
import { memoryStats } from '../src/memory/stats.js';
import { reportView } from '../src/report/view.js';
import type { RunEvent } from '../src/runner/run-record.js';
import { stopGroup } from './support/process-group.js';
import { flowRunner } from './support/run-flow.js';

/** The memory policy enforced and measured in a real Chromium, against pages in fixtures/memory/ and the demo shop. */
const fixtures = fileURLToPath(new URL('./fixtures/memory/', import.meta.url));
const demo = fileURLToPath(new URL('../demo/', import.meta.url));
const onFixtures = flowRunner(fixtures, 'memory-test');
const onDemo = flowRunner(demo, 'memory-demo-test');
after(() => {
  onFixtures.cleanup();
  onDemo.cleanup();
});

type Leak = Extract<RunEvent, { type: 'leak' }>;
const leaksOf = (events: RunEvent[]) => events.filter((e): e is Leak => e.type === 'leak');
/** The line of a workflow file on which `text` starts, 1-based. */
const lineOf = (file: string, text: string) => readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text)) + 1;
/** PSS of flow and of `pids`, each read from its smaps_rollup now. */
const directPssMb = (pids: number[]) => [process.pid, ...pids].reduce((sum, pid) => sum + (readMemory(pid)?.pssMb ?? 0), 0);

describe('sampler', () => {
  test('measures flow and every Chromium process by kind, PSS as the total with RSS beside it, and each page', async () => {
    const run = await onDemo.run(
      `
  - forEach:
      items: [p-001, p-002, p-003]
      concurrency: 3
      steps:
        - goto: \${{ serve.url }}/products/\${{ item }}.html
        - wait: 1500ms
`,
      { head: 'memory: { sampling: { interval: 200ms } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const samples = run.record.samples;
    // Asked every 200 ms; on busy cores the sampler spaces samples so that what each one reads
    // stays within its share (docs/policy.md), 3-4 in this run at load average 5-8.
    assert.ok(samples.length >= 3, `only ${samples.length} samples`);
    const busiest = samples.reduce((a, b) => (b.pages.length > a.pages.length ? b : a));
    for (const kind of ['runner', 'browser', 'renderer', 'network', 'storage'] as const) {
      assert.ok(busiest.byKind[kind], `no ${kind} process in ${Object.keys(busiest.byKind)}`);
    }
    assert.ok(busiest.byKind.renderer!.count >= 2, 'three pages of the same site run in more than one renderer');
    for (const p of busiest.processes) assert.ok(p.pssMb! <= p.rssMb + 0.01, `${p.kind} ${p.pid}: PSS ${p.pssMb} over RSS ${p.rssMb}`);
    assert.ok(busiest.totalPssMb! < busiest.totalRssMb, 'shared pages are counted once in the PSS total, every time in the RSS sum');
    const pssSum = busiest.runner.pssMb! + busiest.processes.reduce((sum, p) => sum + p.pssMb!, 0);
    assert.ok(Math.abs(busiest.totalPssMb! - pssSum) < 0.01);
    assert.equal(busiest.pages.length, 3, 'each open page is measured');
    for (const page of busiest.pages) {
      assert.match(page.url, /\/products\/p-00\d\.html$/);
      assert.ok(page.jsHeapUsedMb > 0 && page.nodes > 50 && page.documents >= 1, JSON.stringify(page));
    }
    assert.ok(run.record.samplerCostMs > 0, 'the sampler measures its own cost');
    assert.ok(run.record.stats!.total.maxMb >= run.record.stats!.total.meanMb);
  });

  test('PSS carried between reads stays within 2% of PSS read from every process at the same moment, while a page grows', async () => {
    const browser = await chromium.launch({ executablePath: findBrowser()!.path, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    const sampler = new MemorySampler({ intervalMs: 60_000, pages: () => [] });
    try {
      const page = await browser.newPage();
      await page.setContent('<p>grows 5 MB a round</p>');
      for (let round = 0; round < 10; round++) {
        await page.evaluate(() => {
          const keep = ((globalThis as unknown as { keep?: Uint8Array[] }).keep ??= []);
          keep.push(new Uint8Array(5e6).fill(7));
        });
        // Read directly just before and just after the sample: Chromium may start or end a
        // process, and the page's renderer still commits memory, while the sampler reads.
        const before = directPssMb(listDescendants());
        const sample = await sampler.sample('interval');
        const after = directPssMb(sample.processes.map((p) => p.pid));
        const sampled = sample.totalPssMb!;
        const off = Math.min(Math.abs(sampled - before) / before, Math.abs(sampled - after) / after);
        assert.ok(off < 0.02, `round ${round}: sampled ${sampled.toFixed(1)} MB, read directly ${before.toFixed(1)} MB before and ${after.toFixed(1)} MB after`);
      }
    } finally {
      await sampler.stop();
      await browser.close();
    }
  });

  test('a process forked from the zygote is classified by the type it takes, not the zygote\'s command line it starts with', async () => {
    // Chromium's zygote forks renderers and utilities; until the child renames itself its
    // command line is the zygote's. A real process that does the same: it starts as a zygote and
    // renames itself a renderer.
    const child = spawn(process.execPath, ['-e', 'process.stdin.once("data", () => { process.title = ["chromium --type", "renderer --renderer-client-id=7"].join("="); process.stdout.write("renamed\\n"); }); process.stdout.write("started\\n"); setTimeout(() => {}, 30000)', '--', 'chromium --type=zygote --no-zygote-sandbox --padding-for-the-new-title'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(child.stdout!, 'data');
      const sampler = new MemorySampler({ intervalMs: 60_000, pages: () => [] });
      const kindOfChild = async () => (await sampler.sample('interval')).processes.find((p) => p.pid === child.pid)?.kind;
      assert.equal(await kindOfChild(), 'other');
      child.stdin!.write('rename\n');
      await once(child.stdout!, 'data');
      assert.equal(await kindOfChild(), 'renderer');
    } finally {
      child.kill();
    }
  });

  test('statistics: min, max, mean, p95, growth, slope per page after warm-up and trend', () => {
    const rising = Array.from({ length: 40 }, (_, i) => ({ t: i * 1000, mb: i < 10 ? 300 + i * 10 : 400 + (i - 10) * 2, pages: i * 5 }));
    const stats = memoryStats(rising, { warmupPages: 50 });
    assert.equal(stats.minMb, 300);
    assert.equal(stats.maxMb, 458);
    assert.equal(stats.growthMb, 158);
    assert.ok(Math.abs(stats.slopeMbPerPage! - 0.4) < 1e-9, `slope ${stats.slopeMbPerPage}`);
    assert.equal(stats.trend, 'rising');
    const flat = memoryStats(Array.from({ length: 40 }, (_, i) => ({ t: i * 1000, mb: 500 + (i % 2), pages: i * 5 })), { warmupPages: 50 });
    assert.equal(flat.trend, 'flat');
    assert.ok(flat.p95Mb === 501 && flat.meanMb > 500 && flat.meanMb < 501);
  });
});

describe('leaks', () => {
  test('a step that adds listeners and nodes on every run is named with its line; a tidy step is not', async () => {
    const run = await onFixtures.run(`
  - goto: \${{ serve.url }}/leaky.html
  - repeat:
      times: 8
      steps:
        - click: Grow
  - repeat:
      times: 6
      steps:
        - click: Tidy
`);
    assert.equal(run.exitCode, 0, run.error);
    const leaks = leaksOf(run.record.events);
    const growLine = lineOf(run.file, 'click: Grow');
    const listeners = leaks.find((l) => l.kind === 'listeners');
    assert.ok(listeners, `no listener leak in ${JSON.stringify(leaks)}`);
    assert.equal(listeners.line, growLine);
    assert.ok(listeners.amount >= 600, `listeners grew by ${listeners.amount}`);
    assert.match(listeners.message, /event listeners grew by \d+ over \d+ runs of click "Grow"/);
    assert.ok(leaks.some((l) => l.kind === 'dom-nodes' && l.line === growLine));
    assert.deepEqual(leaks.filter((l) => l.line === lineOf(run.file, 'click: Tidy')), [], 'the tidy step leaves nothing behind');
  });

  test('memory that stays after each round of a loop is charged to the loop; the heap it grows, to the step', async () => {
    const run = await onFixtures.run(
      `
  - goto: \${{ serve.url }}/leaky.html
  - repeat:
      times: 30
      steps:
        - click: Hoard
        - wait: 250ms
`,
      { head: 'memory: { sampling: { interval: 200ms } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const leaks = leaksOf(run.record.events);
    const retained = leaks.filter((l) => l.kind === 'step-retained');
    assert.equal(retained.length, 1, JSON.stringify(leaks));
    assert.equal(retained[0].line, lineOf(run.file, 'repeat:'));
    const perRound = Number(/\((\d+\.\d+) MB a round\)/.exec(retained[0].message)?.[1]);
    // Each round keeps 8 MB of array plus about 3 MB of objects, and V8 reserves heap ahead of them.
    assert.ok(perRound > 6 && perRound < 30, `${perRound} MB a round: ${retained[0].message}`);
    assert.match(retained[0].message, /^memory kept rising over the rounds of repeat 30 times: \d+ MB over \d+ rounds/);
    const heap = leaks.filter((l) => l.kind === 'page-heap');
    assert.deepEqual(heap.map((l) => l.line), [lineOf(run.file, 'click: Hoard')], JSON.stringify(leaks));
  });

  test('a page the workflow opened and never closed is reported against the step that opened it, and closed', async () => {
    const run = await onFixtures.run(`
  - goto: \${{ serve.url }}/popup.html
  - click: Open the details in a new tab
  - wait: 1s
  - assert: { title: Popup }
`);
    assert.equal(run.exitCode, 0, run.error);
    const unclosed = leaksOf(run.record.events).filter((l) => l.kind === 'unclosed-pages');
    assert.equal(unclosed.length, 1, JSON.stringify(unclosed));
    assert.equal(unclosed[0].line, lineOf(run.file, 'click: Open the details'));
    assert.match(unclosed[0].message, /opened a page \(.*garbage\.html\) that nothing closed; flow closed it/);
  });

  test('the same pages closed by the workflow raise no finding', async () => {
    const run = await onFixtures.run(`
  - page:
      steps:
        - goto: \${{ serve.url }}/garbage.html
  - page:
      steps:
        - goto: \${{ serve.url }}/popup.html
`);
    assert.equal(run.exitCode, 0, run.error);
    assert.deepEqual(leaksOf(run.record.events), []);
  });
});

describe('enforcement', () => {
  test('blocked images never load and are counted by type; without the block they load', async () => {
    const steps = `
  - goto: \${{ serve.url }}/products/p-002.html
  - evaluate:
      script: "[...document.images].map((img) => img.complete && img.naturalWidth > 0)"
      into: loaded
  - extract: { fields: { title: h1.product-title }, add: { loaded: "\${{ loaded }}" } }
`;
    const blocked = await onDemo.run(steps, { head: 'memory: { block: { types: [image, font] } }' });
    assert.equal(blocked.exitCode, 0, blocked.error);
    const loaded = blocked.records[0].loaded as boolean[];
    assert.ok(loaded.length >= 3, 'the product page has pictures');
    assert.ok(loaded.every((l) => l === false), `some images loaded: ${loaded}`);
    assert.ok(blocked.record.counts.requestsBlocked.image >= loaded.length, JSON.stringify(blocked.record.counts.requestsBlocked));
    assert.ok(blocked.record.counts.requestsBlocked.font >= 1, JSON.stringify(blocked.record.counts.requestsBlocked));
    assert.ok(blocked.record.steps.find((s) => s.kind === 'goto')!.requestsBlocked >= loaded.length, 'the step that caused them is charged');

    const open = await onDemo.run(steps);
    assert.ok((open.records[0].loaded as boolean[]).every((l) => l === true), 'without a block the same images load');
    assert.deepEqual(open.record.counts.requestsBlocked, {});
  });

  test('an image and a stylesheet at addresses without a file ending are blocked by their type, counted, and charged to the step that caused them', async () => {
    const steps = `
  - goto: \${{ serve.url }}/no-endings.html
  - evaluate:
      script: "[...document.images].map((img) => img.complete && img.naturalWidth > 0)"
      into: loaded
  - extract: { fields: { title: h1 }, add: { loaded: "\${{ loaded }}" } }
`;
    const blocked = await onFixtures.run(steps, { head: 'memory: { block: { types: [image, stylesheet] } }' });
    assert.equal(blocked.exitCode, 0, blocked.error);
    assert.deepEqual(blocked.records[0].loaded, [false]);
    const counts = blocked.record.counts.requestsBlocked;
    // The page's icon, asked for as 'other', counts as the image it is (its ending was blocked).
    assert.ok(counts.image >= 1 && counts.stylesheet === 1 && counts.other === undefined, JSON.stringify(counts));
    const charged = Object.fromEntries(blocked.record.steps.map((s) => [s.kind, s.requestsBlocked]));
    assert.equal(charged.extract, 0, 'extract asks for nothing: what the page loads meanwhile is charged to the step before it');
    assert.equal(charged.goto + charged.evaluate, counts.image + counts.stylesheet);

    const open = await onFixtures.run(steps);
    assert.deepEqual(open.records[0].loaded, [true], 'without a block the same image loads');
    assert.deepEqual(open.record.counts.requestsBlocked, {});
  });

  test('URL patterns are blocked too', async () => {
    const run = await onDemo.run(
      `
  - goto: \${{ serve.url }}/products/p-002.html
  - evaluate: { script: "getComputedStyle(document.body).fontFamily + ' ' + document.styleSheets.length", into: styles }
  - extract: { fields: { title: h1.product-title }, add: { styles: "\${{ styles }}" } }
`,
      { head: 'memory: { block: { urls: ["*/assets/site.css"] } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    assert.ok(Object.values(run.record.counts.requestsBlocked).reduce((a, b) => a + b, 0) >= 1, JSON.stringify(run.record.counts.requestsBlocked));
  });

  test('every resource type can be blocked at once; text tracks and WebSockets, which Chromium cannot intercept by type, are blocked too', async (t) => {
    // A socket server that counts who asks: a blocked socket never reaches it.
    let upgrades = 0;
    const sockets = createServer();
    sockets.on('upgrade', (_request, socket) => {
      upgrades++;
      socket.destroy();
    });
    sockets.listen(0, '127.0.0.1');
    await once(sockets, 'listening');
    t.after(() => sockets.close());
    const socketUrl = encodeURIComponent(`ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/`);
    const steps = `
  - goto: \${{ serve.url }}/every-type.html?socket=${socketUrl}
  - wait: { script: "document.body.dataset.socket === 'ended'" }
  - evaluate: { script: "document.querySelector('track').readyState", into: track }
  - extract: { fields: { title: h1 }, add: { track: "\${{ track }}" } }
`;
    const blocked = await onFixtures.run(steps, { head: `memory: { block: { types: ${JSON.stringify(RESOURCE_TYPES)} } }` });
    assert.equal(blocked.exitCode, 0, blocked.error);
    assert.deepEqual(blocked.records, [{ title: 'Every type', track: 3 }], 'the text track failed to load (readyState 3, ERROR)');
    assert.equal(upgrades, 0, 'the socket never reached its server');
    const counts = blocked.record.counts.requestsBlocked;
    assert.ok(counts.texttrack === 1 && counts.websocket === 1, JSON.stringify(counts));

    const open = await onFixtures.run(steps);
    assert.deepEqual(open.records, [{ title: 'Every type', track: 2 }], 'without a block the text track loads (readyState 2, LOADED)');
    assert.equal(upgrades, 1, 'without a block the socket reaches its server');
  });

  test('gc collects the garbage a page made: its JS heap is lower after, and the run records both figures', async () => {
    const run = await onFixtures.run(
      `
  - goto: \${{ serve.url }}/garbage.html
  - click: Make garbage
  - click: Forget it
  - wait: 1s
`,
      { head: 'memory: { gc: { everySteps: 3 } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const gcs = run.record.events.filter((e): e is Extract<RunEvent, { type: 'gc' }> => e.type === 'gc');
    assert.ok(gcs.length >= 1, 'a collection ran');
    const afterChurn = gcs.find((g) => g.pages === 1 && g.jsHeapBeforeMb !== undefined);
    assert.ok(afterChurn, JSON.stringify(gcs));
    assert.ok(afterChurn.jsHeapAfterMb! < afterChurn.jsHeapBeforeMb! - 5, `JS heap ${afterChurn.jsHeapBeforeMb} → ${afterChurn.jsHeapAfterMb} MB`);
    assert.equal(afterChurn.reason, 'every 3 steps');
    // How long the collection took, which the budget paces its collections by, and the report's Actions table shows.
    assert.ok(afterChurn.durationMs! > 0 && afterChurn.durationMs! < 5000, JSON.stringify(afterChurn));
    const { view } = reportView(run.record, { reportDir: join(run.file, '..') });
    const row = view.actions.rows.find((r) => r.what === 'garbage collection' && r.reason === 'every 3 steps');
    assert.ok(row && row.durationMs === afterChurn.durationMs, JSON.stringify(view.actions.rows));
  });

  test('crossing limitMb climbs the ladder, one rung per cooldown, each action recorded with its effect', async () => {
    const run = await onFixtures.run(
      `
  - goto: \${{ serve.url }}/leaky.html
  - page:
      steps:
        - goto: \${{ serve.url }}/slow.html?n=1
  - repeat:
      times: 12
      steps:
        - click: Tidy
        - wait: 200ms
`,
      { head: 'memory: { sampling: { interval: 200ms }, thresholds: { warnMb: 1, limitMb: 2, limitActions: [gc, close-idle-pages, recycle-context], cooldown: 300ms } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const events = run.record.events;
    const alerts = events.filter((e) => e.type === 'alert');
    assert.ok(alerts.some((a) => a.type === 'alert' && a.level === 'warn'), 'the warning level raised an alert');
    const ladder = events.flatMap((e) => (e.type === 'gc' ? ['gc'] : e.type === 'action' ? [e.action] : e.type === 'recycle' ? [`recycle-${e.what}`] : []));
    assert.deepEqual(ladder.slice(0, 3), ['gc', 'close-idle-pages', 'recycle-context'], `actions in order: ${ladder}`);
    const firstLimit = events.find((e) => e.type === 'alert' && e.level === 'limit');
    assert.match((firstLimit as { message: string }).message, /over the limit of 2 MB: gc$/);
    assert.ok(events.every((e) => e.type !== 'action' || e.effect.length > 0));
    assert.equal(run.records.length, 0);
    assert.equal(run.record.counts.stepsFailed, 0, 'steps in flight when the context was recycled were retried, not lost');
  });

  test('the ladder climbs even while periodic gc runs after every page; events are kept in time order', async () => {
    const run = await onFixtures.run(
      `
  - repeat:
      times: 25
      steps:
        - goto: \${{ serve.url }}/slow.html?n=\${{ index }}
        - wait: 100ms
`,
      { head: 'memory: { sampling: { interval: 500ms }, gc: { everyPages: 1 }, thresholds: { warnMb: 0, limitMb: 2, limitActions: [gc, close-idle-pages], cooldown: 300ms } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const events = run.record.events;
    assert.ok(events.some((e) => e.type === 'alert' && e.level === 'limit'), 'memory over the limit raised a limit alert');
    assert.ok(events.some((e) => e.type === 'action' && e.action === 'close-idle-pages'), 'the second rung was reached');
    assert.ok(events.filter((e) => e.type === 'gc').length >= 10, 'the periodic gc ran too');
    assert.deepEqual(events.map((e) => e.t), [...events.map((e) => e.t)].sort((a, b) => a - b));
  });

  test('recycle: a fresh context every N pages and a fresh browser every M, with cookies and storage carried over', async () => {
    const run = await onFixtures.run(
      `
  - goto: \${{ serve.url }}/remember.html?sign-in
  - forEach:
      items: [1, 2, 3, 4, 5, 6, 7, 8]
      steps:
        - goto: \${{ serve.url }}/remember.html?visit=\${{ item }}
        - extract: { fields: { state: "#state" }, add: { visit: "\${{ item }}" } }
`,
      { head: 'memory: { recycle: { contextEveryPages: 3, browserEveryPages: 7 } }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    const recycles = run.record.events.filter((e): e is Extract<RunEvent, { type: 'recycle' }> => e.type === 'recycle');
    // 9 page loads: contexts after the 3rd and 6th, the browser after the 7th, a context after the 9th, each
    // done as the next page is about to be replaced (or the loop's round ends), so no page is reloaded for it.
    assert.deepEqual(recycles.map((r) => r.what), ['context', 'context', 'browser', 'context'], JSON.stringify(recycles));
    assert.equal(run.record.counts.pagesVisited, 9);
    assert.ok(recycles.every((r) => r.reason.startsWith('every ') && r.durationMs > 0));
    assert.equal(run.records.length, 8, 'no item lost to a recycle');
    for (const record of run.records) assert.equal(record.state, 'session=abc123 / kept', `visit ${record.visit} lost the login`);
  });

  test('cache: a persistent profile\'s cache folder is trimmed oldest-first to maxSizeMb at start, and recorded', async () => {
    const profile = join(onDemo.tmp, 'cache-profile');
    const head = (memory: string) => `browser: { profile: ${JSON.stringify(profile)} }\n${memory}`;
    const visit = `
  - forEach:
      items: [p-001, p-002, p-003, p-004]
      steps:
        - goto: \${{ serve.url }}/products/\${{ item }}.html
`;
    // A first run without a cap fills the profile's cache, as weeks of use would.
    assert.equal((await onDemo.run(visit, { head: head('') })).exitCode, 0);
    const run = await onDemo.run(visit, { head: head('memory: { cache: { maxSizeMb: 1, everyPages: 2 } }') });
    assert.equal(run.exitCode, 0, run.error);
    const trims = run.record.events.filter((e): e is Extract<RunEvent, { type: 'action' }> => e.type === 'action' && e.action === 'trim-cache');
    assert.equal(trims[0].reason, 'at start');
    const [before, after] = /cache folder ([\d.]+) → ([\d.]+) MB/.exec(trims[0].effect)!.slice(1).map(Number);
    assert.ok(before > 1, `the first run left ${before} MB of cache`);
    assert.ok(after <= 1, `trimmed to ${after} MB`);
    assert.ok(trims.length >= 2, 'trimmed again every 2 pages');
  });

  test('stop as the last rung ends the run with exit 3 (stopped by the policy), its dataset and record kept', async () => {
    const run = await onFixtures.run(
      `
  - goto: \${{ serve.url }}/slow.html?n=1
  - repeat:
      times: 40
      steps:
        - extract: { fields: { item: h1 } }
        - wait: 100ms
`,
      { head: 'memory: { sampling: { interval: 200ms }, thresholds: { limitMb: 2, limitActions: [gc, stop], cooldown: 2s } }' },
    );
    assert.equal(run.exitCode, 3);
    assert.match(String(run.error), /memory stayed over the limit/);
    assert.ok(run.records.length >= 1 && run.records.length < 40, `${run.records.length} records`);
    const saved = JSON.parse(readFileSync(run.recordPath, 'utf8'));
    assert.equal(saved.run.status, 'failed');
    assert.equal(saved.counts.records, run.records.length, 'every record extracted before the stop is in the dataset');
  });
});

describe('maxPages under forEach concurrency', () => {
  const chromium = findBrowser()?.path;
  const profile = mkdtempSync(join(tmpdir(), 'flow-memory-chrome-'));
  after(() => rmSync(profile, { recursive: true, force: true }));

  test('a loop whose items have pages of their own leaves the current page where it was, even with one page allowed', async () => {
    const run = await onDemo.run(
      `
  - goto: \${{ serve.url }}/products/page-1.html
  - extract: { from: article.product-card, all: true, fields: { url: { selector: a.product-link, attribute: href } }, into: products }
  - forEach:
      items: \${{ products }}
      as: product
      concurrency: 2
      steps:
        - goto: \${{ product.url }}
  - extract: { fields: { next: { selector: "a[rel=next]", attribute: href } } }
`,
      { head: 'memory: { maxPages: 1 }' },
    );
    assert.equal(run.exitCode, 0, run.error);
    assert.match(String(run.records[0].next), /\/products\/page-2\.html$/, 'the list page came back for the step after the loop');
  });

  test('never more pages open than the limit, counted by the browser itself', async (t) => {
    assert.ok(chromium, 'a browser to start');
    // flow attaches to a Chromium the test started, so the test can count the pages from outside.
    // In a process group of its own, so the test can wait for every Chromium process, not only the first, before it removes the profile.
    const chrome = spawn(chromium, ['--headless=new', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: 'ignore', detached: true });
    t.after(() => stopGroup(chrome));
    // Chromium creates the file before it writes the port into it.
    const portFile = join(profile, 'DevToolsActivePort');
    const port = () => (existsSync(portFile) ? readFileSync(portFile, 'utf8').split('\n')[0] : '');
    for (let i = 0; i < 200 && !/^\d+$/.test(port()); i++) await new Promise((r) => setTimeout(r, 50));
    const devtools = `http://127.0.0.1:${port()}`;
    const countPages = async () => ((await (await fetch(`${devtools}/json/list`)).json()) as Array<{ type: string }>).filter((target) => target.type === 'page').length;
    const baseline = await countPages();

    let maxSeen = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        maxSeen = Math.max(maxSeen, (await countPages()) - baseline);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const run = await onFixtures.run(
      `
  - forEach:
      items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
      concurrency: 5
      steps:
        - goto: \${{ serve.url }}/slow.html?n=\${{ item }}
        - wait: 150ms
        - extract: { fields: { item: h1 } }
`,
      { head: `browser: { cdp: "${devtools}" }\nmemory: { maxPages: 2 }` },
    );
    polling = false;
    await poll;
    assert.equal(run.exitCode, 0, run.error);
    assert.equal(run.records.length, 10, 'every item ran');
    assert.equal(maxSeen, 2, `the browser had ${maxSeen} of flow's pages open at once`);
    assert.ok(Math.max(...run.record.steps.map((s) => s.maxPagesOpen)) <= 2);
    // Attached over CDP, the browser lists its own processes for the sampler.
    const kinds = new Set(run.record.samples.flatMap((sample) => sample.processes.map((p) => p.kind)));
    assert.ok(kinds.has('browser') && kinds.has('renderer'), [...kinds].join());
  });
});
