import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readItemsFile } from '../src/steps/support/items-file.js';

/**
 * Golden tests of flow's error messages: each test/errors/NAME.yaml is validated and what flow
 * prints must equal test/errors/NAME.expected (UPDATE_GOLDEN=1 writes them, for a new test or
 * after a deliberate wording change; review the diff).
 */
const errorsDir = fileURLToPath(new URL('./errors/', import.meta.url));
const cli = fileURLToPath(new URL('../bin/flow.js', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';
/** What these catch is a hang or a blow-up: an answer takes 0.3 s here, ten times that on a busy two-core machine. */
const ANSWERED_WITHIN_MS = 10_000;

function validate(args: string[], cwd = errorsDir) {
  const started = performance.now();
  // A hang is killed, so it fails the test instead of stopping the whole suite.
  const result = spawnSync(process.execPath, [cli, 'validate', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });
  return { ...result, ms: performance.now() - started };
}

function checkGolden(name: string, output: string): void {
  // Messages may name the folder the command ran in; the golden files must not depend on the clone's location.
  output = output.replaceAll(errorsDir.replace(/\/$/, ''), '<test/errors>');
  const expectedPath = join(errorsDir, `${name}.expected`);
  if (update) writeFileSync(expectedPath, output);
  // Writing a missing file here would make a new test pass whatever flow printed.
  assert.ok(existsSync(expectedPath), `test/errors/${name}.expected does not exist: write it with UPDATE_GOLDEN=1 npm test, then read it to check the message is right`);
  assert.equal(output, readFileSync(expectedPath, 'utf8'), `the message for ${name} changed; run UPDATE_GOLDEN=1 npm test and review the diff if that is intended`);
}

for (const file of readdirSync(errorsDir).filter((f) => f.endsWith('.yaml')).sort()) {
  const name = file.replace(/\.yaml$/, '');
  test(`validate ${file}: exit 2, located message, no stack trace`, () => {
    const result = validate([file]);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'a stack trace was printed');
    // An include loop is reported in the file where it closes, which may be the other file.
    const located = name.startsWith('include-cycle-') ? /^include-cycle-[ab]\.yaml:\d+:\d+: / : new RegExp(`^${file.replace('.', '\\.')}`);
    assert.match(result.stderr, located, 'the message starts with the file name');
    assert.ok(result.ms < ANSWERED_WITHIN_MS, `took ${result.ms} ms`);
    checkGolden(name, result.stderr);
  });
}

test('a folder given as the file', () => {
  const result = validate(['.']);
  assert.equal(result.status, 2);
  checkGolden('folder-given', result.stderr);
});

test('a path that does not exist', () => {
  const result = validate(['no-such-file.yaml']);
  assert.equal(result.status, 2);
  checkGolden('missing-path', result.stderr);
});

test('a file over 10 MB is refused before it is parsed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-big-'));
  writeFileSync(join(dir, 'huge.yaml'), `version: 1\nsteps:\n${'  - log: "padding padding padding padding"\n'.repeat(260_000)}`);
  const result = validate(['huge.yaml'], dir);
  assert.equal(result.status, 2);
  assert.ok(result.ms < ANSWERED_WITHIN_MS, `took ${result.ms} ms`);
  checkGolden('file-too-large', result.stderr);
});

test('a file of 50,000 broken lines is answered in seconds, with the first problems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-broken-'));
  writeFileSync(join(dir, 'broken.yaml'), `version: 1\nsteps:\n${'  - log: "a" b\n'.repeat(50_000)}`);
  const result = validate(['broken.yaml'], dir);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(result.status, 2);
  assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
  assert.match(result.stderr, /^broken\.yaml:23:14: 49980 more lines from here on have YAML syntax errors, not shown$/m);
});

test('3,000 misspelt variables among 3,000 defined ones are answered in seconds: the first 100 with suggestions, the rest counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-names-'));
  const defined = Array.from({ length: 3000 }, (_, i) => `      name${i}: ${i}\n`).join('');
  const used = Array.from({ length: 3000 }, (_, i) => `  - log: "\${{ nmae${i} }}"\n`).join('');
  writeFileSync(join(dir, 'names.yaml'), `version: 1\nsteps:\n  - set:\n${defined}${used}`);
  const result = validate(['names.yaml'], dir);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(result.status, 2);
  assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
  assert.match(result.stderr, /^names\.yaml:3004:15: unknown name "nmae0" — did you mean "name0"\?$/m);
  assert.match(result.stderr, /names here: env, name0, .* and \d+ more$/m, 'the names in scope are not all listed');
  assert.match(result.stderr, /^names\.yaml: 2900 more unknown names after line 3103 are not listed$/m);
});

test('several files: every problem of every file, exit 2', () => {
  const result = validate(['misspelt-step.yaml', 'undefined-variable.yaml']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /misspelt-step\.yaml:5:5/);
  assert.match(result.stderr, /undefined-variable\.yaml:6:/);
  assert.match(result.stderr, /in 2 files/);
});

test('a device given as the file', () => {
  const result = validate(['/dev/zero']);
  assert.equal(result.status, 2);
  assert.ok(result.ms < ANSWERED_WITHIN_MS, `took ${result.ms} ms`);
  checkGolden('device-given', result.stderr);
});

describe('a named pipe (FIFO) is refused, not read: reading one waits for a writer forever', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-fifo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  spawnSync('mkfifo', [join(dir, 'pipe')]);
  const cases: Record<string, string> = {
    'fifo-include': 'version: 1\nsteps:\n  - include: ./pipe\n',
    'fifo-policy': 'version: 1\npolicy: ./pipe\nsteps:\n  - log: hi\n',
    'fifo-extends': 'name: piped\nversion: 1\nextends: ./pipe\n',
  };
  for (const [name, text] of Object.entries(cases)) writeFileSync(join(dir, `${name}.yaml`), text);

  for (const [name, args] of [...Object.keys(cases).map((name) => [name, [`${name}.yaml`]] as const), ['fifo-given', ['pipe']] as const]) {
    test(name, () => {
      const result = validate([...args], dir);
      assert.equal(result.status, 2, result.stderr);
      assert.ok(result.ms < ANSWERED_WITHIN_MS, `took ${result.ms} ms`);
      checkGolden(name, result.stderr);
    });
  }

  test('a forEach file made with ${{ }}, known only during the run', async () => {
    await assert.rejects(readItemsFile(join(dir, 'pipe')), /pipe is a named pipe \(FIFO\), not a file$/);
  });
});
