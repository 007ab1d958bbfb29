import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { renderReport } from '../src/report/render.js';
import type { RunEvent } from '../src/runner/run-record.js';
import { flowRunner } from './support/run-flow.js';

/** Pages that leave memory behind in the ways the memory guide names, and one that leaves none. */
const site = mkdtempSync(join(tmpdir(), 'flow-leak-site-'));
mkdirSync(site, { recursive: true });
writeFileSync(
  join(site, 'listeners.html'),
  '<h1>Leaky</h1><script>for (let i = 0; i < 200; i++) window.addEventListener("resize", () => document.title); window.kept = new Array(300000).fill(0).map((_, i) => i);</script>',
);
writeFileSync(join(site, 'tidy.html'), '<h1>Tidy</h1><script>const handler = () => document.title; window.addEventListener("resize", handler);</script>');
writeFileSync(join(site, 'app.html'), '<h1>App</h1><div id="list"></div>');
const runner = flowRunner(site, 'leaks');
after(() => runner.cleanup());

const visits = (page: string, count = 40) => `
  - forEach:
      items: [${Array.from({ length: count }, (_, i) => i).join(', ')}]
      concurrency: 2
      steps:
        - goto: \${{ serve.url }}/${page}.html?visit=\${{ item }}
        - extract: { fields: { heading: h1 } }
`;

function leakRows(run: Awaited<ReturnType<typeof runner.run>>): string {
  const html = renderReport(run.record);
  return html.slice(html.indexOf('<section id="leaks"'), html.indexOf('</section>', html.indexOf('<section id="leaks"')));
}

test('listeners a page adds to window on every visit pile up in the tab: found, charged to the goto and its line, with what to do', async () => {
  // 40 pages a tab: the tab is checked every few pages, and the renderer may collect the old
  // pages by itself between checks; enough pages make one of them catch the pile-up.
  const run = await runner.run(visits('listeners', 80));
  assert.equal(run.exitCode, 0, run.error);
  const leaks = run.record.events.filter((event): event is Extract<RunEvent, { type: 'leak' }> => event.type === 'leak');
  const found = leaks.find((leak) => leak.kind === 'uncollected' && /event listeners in one tab had piled up/.test(leak.message));
  assert.ok(found, JSON.stringify(leaks));
  assert.equal(found.line, 11, 'the goto that loads the pages');
  assert.match(found.message, /gc\.everyPages|recycle\.contextEveryPages/);
  assert.match(leakRows(run), /event listeners in one tab had piled up to \d+/);
});

test('a page that leaves nothing behind raises no finding', async () => {
  const run = await runner.run(visits('tidy'));
  assert.equal(run.exitCode, 0, run.error);
  assert.deepEqual(run.record.events.filter((event) => event.type === 'leak'), []);
  assert.match(leakRows(run), /No leaks/i);
});

test('DOM nodes a step keeps detached on one document are found, charged to that step', async () => {
  const run = await runner.run(`
  - goto: \${{ serve.url }}/app.html
  - repeat:
      times: 12
      steps:
        - evaluate: "(window.detached ??= []).push(...Array.from({ length: 400 }, () => document.createElement('div'))); true"
        - extract: { fields: { heading: h1 } }
`);
  assert.equal(run.exitCode, 0, run.error);
  const found = run.record.events.find((event): event is Extract<RunEvent, { type: 'leak' }> => event.type === 'leak' && event.kind === 'dom-nodes');
  assert.ok(found, JSON.stringify(run.record.events.filter((event) => event.type === 'leak')));
  assert.equal(found.line, 11, 'the evaluate that keeps the nodes');
  assert.ok(readFileSync(run.datasetPath, 'utf8').split('\n').filter(Boolean).length >= 12);
});

writeFileSync(
  join(site, 'widgets.html'),
  `<h1>Widgets</h1><button id="add">Add</button><button id="tidy">Tidy</button><script>
class Widget { constructor() { this.readings = new Array(2000).fill(Math.random()); } }
window.widgets = [];
window.removed = [];
document.getElementById('add').onclick = () => {
  for (let i = 0; i < 100; i++) window.widgets.push(new Widget());
  for (let i = 0; i < 300; i++) { const row = document.createElement('div'); row.textContent = 'row ' + i; document.body.append(row); row.remove(); window.removed.push(row); }
};
document.getElementById('tidy').onclick = () => { const scratch = Array.from({ length: 100 }, () => new Widget()); document.title = String(scratch.length); };
</script>`,
);

const clicks = (button: string) => `
  - goto: \${{ serve.url }}/widgets.html
  - repeat:
      times: 8
      steps:
        - click: "#${button}"
          label: press ${button}
`;

test('leaks.snapshots: heap snapshots of a step name the class that grew and the detached DOM nodes, and keep the snapshots when asked', async () => {
  const run = await runner.run(clicks('add'), { head: 'memory: { leaks: { snapshots: press add, snapshotRounds: 5, keepSnapshots: true } }' });
  assert.equal(run.exitCode, 0, run.error);
  const found = run.record.events.find((event): event is Extract<RunEvent, { type: 'leak' }> => event.type === 'leak' && event.kind === 'heap-snapshot');
  assert.ok(found, JSON.stringify(run.record.events.filter((event) => event.type === 'leak')));
  assert.equal(found.line, 11, 'the click it looked into');
  assert.match(found.message, /over 5 more runs of "press add" in one tab \(heap snapshots, [\d.]+ s\), retained size grew most for: .*Widget \+[\d.]+ MB \(\+500 objects\)/);
  assert.match(found.message, /detached DOM nodes \+1500 /);
  assert.match(leakRows(run), /Widget \+[\d.]+ MB/);
  const kept = join(run.runDir, 'heap', 'after.heapsnapshot');
  assert.ok(JSON.parse(readFileSync(kept, 'utf8')).snapshot.node_count > 1000, 'a snapshot Chrome DevTools can open');
});

test('leaks.snapshots: a step that keeps nothing raises no finding, and says what it compared', async () => {
  const run = await runner.run(clicks('tidy'), { head: 'memory: { leaks: { snapshots: press tidy, snapshotRounds: 5 } }' });
  assert.equal(run.exitCode, 0, run.error);
  assert.deepEqual(run.record.events.filter((event) => event.type === 'leak'), []);
  assert.ok(run.logs.some((line) => /^over 5 more runs of "press tidy" in one tab \(heap snapshots, [\d.]+ s\): no class of object grew by 1 MB or more; detached DOM nodes [+-]\d+/.test(line)), run.logs.join('\n'));
});

test('leaks.snapshots naming no step is refused before the browser starts, where it was written', async () => {
  await assert.rejects(runner.run(clicks('add'), { head: 'memory: { leaks: { snapshots: press nothing } }' }), (error: Error & { diagnostics?: Array<{ line?: number; message: string }> }) => {
    assert.match(error.message, /leaks\.snapshots names the step "press nothing", but no step has that label, title or line/);
    assert.equal(error.diagnostics?.[0]?.line, 4, 'the line of the setting');
    return true;
  });
});
