import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stepModules } from '../src/steps/registry.js';
import { LspClient } from './support/lsp-client.js';
import { startYamlEditor } from './support/yaml-editor.js';

/**
 * What an author sees in an editor: yaml-language-server (the engine of VS Code's YAML extension
 * and of most other editors' YAML support) given schemas/workflow.schema.json by the modeline
 * flow's workflows start with.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const modeline = `# yaml-language-server: $schema=${root}schemas/workflow.schema.json\n`;
const limits = { timeout: 20_000 };

let editor: Awaited<ReturnType<typeof startYamlEditor>>;
before(async () => (editor = await startYamlEditor(10_000)), limits);
after(() => editor?.close());

function workflow(steps: string): string {
  return `${modeline}version: 1\nsteps:\n${steps}`;
}

test('a misspelt step is one problem, at its name, with the step names offered as fixes', limits, async () => {
  const cases = [
    { steps: '  - goto: https://example.com\n  - clik: "Sign in"\n', key: 'clik', line: 4, col: 4 },
    { steps: '  - forEach:\n      items: [1, 2]\n      steps:\n        - lgo: hi\n', key: 'lgo', line: 6, col: 10 },
    { steps: '  - log: a\n    if: false\n    else:\n      - clcik: b\n', key: 'clcik', line: 6, col: 8 },
  ];
  await Promise.all(
    cases.map(async ({ steps, key, line, col }) => {
      const { uri, diagnostics } = await editor.open(workflow(steps));
      assert.equal(diagnostics.length, 1, `${key}: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
      const [problem] = diagnostics;
      assert.equal(problem.message, `Property ${key} is not allowed.`);
      assert.deepEqual(problem.range, { start: { line, character: col }, end: { line, character: col + key.length } });
      const fixes = await editor.quickFixes(uri, problem);
      for (const name of ['click', 'goto', 'extract', 'forEach', 'log']) assert.ok(fixes.includes(name), `${name} is not offered: ${fixes.join(', ')}`);
    }),
  );
});

test('a misspelt option and a step that is not a mapping are one problem each', limits, async () => {
  const cases = [
    { steps: '  - click: x\n    timout: 5s\n', message: 'Property timout is not allowed.' },
    { steps: '  - log: hi\n  - 5\n', message: 'Incorrect type. Expected "step".' },
  ];
  await Promise.all(
    cases.map(async ({ steps, message }) => {
      const { diagnostics } = await editor.open(workflow(steps));
      assert.deepEqual(diagnostics.map((d) => d.message), [message]);
    }),
  );
});

test('the shipped workflows and the examples in docs/workflow.md have no problems', limits, async () => {
  const shipped = readdirSync(`${root}workflows`, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => ({ path: `${root}workflows/${file}`, text: readFileSync(`${root}workflows/${file}`, 'utf8') }));
  const examples = [...readFileSync(`${root}docs/workflow.md`, 'utf8').matchAll(/```yaml\n(.*?)```/gs)]
    .map((m) => m[1])
    .filter((block) => /^(#.*\n)*version: 1/m.test(block))
    // Placed beside the shipped workflows, as schemas.test.ts validates them, so that relative paths resolve.
    .map((block, i) => ({ path: `${root}workflows/docs-example-${i}.yaml`, text: block.startsWith('# yaml-language-server') ? block : `${modeline}${block}` }));
  assert.ok(shipped.length >= 6 && examples.length >= 15);
  const results = await Promise.all([...shipped, ...examples].map(async ({ path, text }) => ({ path, ...(await editor.open(text, path)) })));
  const problems = results.flatMap(({ path, diagnostics }) => diagnostics.map((d) => `${path}:${d.range.start.line + 1}: ${d.message}`));
  assert.deepEqual(problems, []);
});

test('completion in a list of steps offers every step name with its summary', limits, async () => {
  const { uri } = await editor.open(workflow('  - goto: https://example.com\n  - \n'));
  const items = await editor.complete(uri, { line: 4, character: 4 });
  const labels = items.map((item) => item.label);
  for (const [kind, module] of stepModules) {
    const item = items.find((candidate) => candidate.label === kind);
    assert.ok(item, `${kind} is not offered: ${labels.join(', ')}`);
    const documentation = typeof item.documentation === 'string' ? item.documentation : item.documentation?.value;
    assert.equal(documentation, module.summary);
  }
});

test('hover on a step name shows what the step does', limits, async () => {
  const { uri } = await editor.open(workflow('  - goto: https://example.com\n  - extract:\n      fields: { name: h1 }\n'));
  const goto = await editor.hover(uri, { line: 3, character: 5 });
  assert.match(goto, /^#### goto\b/);
  assert.ok(goto.includes(stepModules.get('goto')!.summary), goto);
  const extract = await editor.hover(uri, { line: 4, character: 6 });
  assert.ok(extract.includes(stepModules.get('extract')!.summary), extract);
});

test('the server shuts down when asked', limits, async () => {
  assert.deepEqual(await editor.close(), { code: 0, signal: null });
});

test('a server that does not answer fails the wait in time instead of hanging the suite', limits, async () => {
  const silent = new LspClient(process.execPath, ['-e', 'process.stdin.resume()'], 300);
  await assert.rejects(silent.request('initialize', {}), /no answer to initialize within 300 ms/);
  assert.deepEqual(await silent.close(), { code: null, signal: 'SIGKILL' });
});
