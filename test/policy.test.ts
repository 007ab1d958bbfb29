import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { policyProblems, resolvePolicy, type EffectivePolicy } from '../src/policy/resolve.js';
import { policySchema } from '../src/policy/schema.js';
import { SETTING_BY_PATH, SETTING_SPECS } from '../src/policy/setting-specs.js';
import { DEFAULT_SETTINGS } from '../src/policy/settings.js';
import { formatPolicy, formatSettingValue } from '../src/policy/show.js';
import { policyFlags } from '../src/cli/commands/flags.js';
import { InputError, type Diagnostic } from '../src/runner/diagnostics.js';
import { readYamlSource, shownPath } from '../src/runner/yaml-source.js';
import { compileSchema } from '../src/runner/schema-validator.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** Writes files (relative path → text) into a fresh folder and returns the folder. */
function files(contents: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'flow-policy-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(contents)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
  return folder;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/** 1-based line and column where `needle` first appears in `text`. */
function positionIn(text: string, needle: string): { line: number; col: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in the file`);
  return lineCol(text, offset);
}

/** 1-based line and column of the first `key:` written as a key in `text`. */
function keyIn(text: string, key: string): { line: number; col: number } {
  const match = new RegExp(`(^|[ {,])${key}:`, 'm').exec(text);
  assert.ok(match, `no key ${key} in the file`);
  return lineCol(text, match.index + match[1].length);
}

function inputError(run: () => unknown): Diagnostic[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics;
    throw error;
  }
  assert.fail('expected an InputError');
}

function inFolder<T>(folder: string, run: () => T): T {
  const previous = process.cwd();
  process.chdir(folder);
  try {
    return run();
  } finally {
    process.chdir(previous);
  }
}

const BASE = `name: base
version: 4
description: The team's base.
maxPages: 6
block:
  types: [image, font]
  urls: ["*.mp4"]
thresholds:
  warnMb: 900
  limitMb: 1400
  cooldown: 5s
sampling: { interval: 250ms }
`;

const CHILD = `name: child
version: "2.1.0"
extends: ./base.yaml
block:
  types: [media]
thresholds: { limitMb: 1200 }
gc: { everyPages: 10 }
`;

test('without a policy file, the built-in defaults apply and every origin is "default"', () => {
  const policy = resolvePolicy({});
  assert.equal(policy.name, 'defaults');
  assert.deepEqual(policy.settings, DEFAULT_SETTINGS);
  assert.deepEqual(policy.chain, []);
  assert.equal(policy.file, undefined);
  assert.equal(policy.hash, undefined);
  assert.deepEqual(new Set(Object.values(policy.origins).map((o) => o.kind)), new Set(['default']));
  assert.notEqual(policy.settings.block.types, DEFAULT_SETTINGS.block.types, 'the defaults must not be shared with the result');
});

test('every setting of the schema maps to a field of MemorySettings, and back', () => {
  // A map of the user's keys (budgets) is one setting, not a section.
  const maps = new Set(SETTING_SPECS.filter((spec) => spec.schema.additionalProperties).map((spec) => spec.path));
  const leaves = (value: Record<string, unknown>, prefix = ''): string[] =>
    Object.entries(value).flatMap(([key, child]) => (child && typeof child === 'object' && !Array.isArray(child) && !maps.has(`${prefix}${key}`) ? leaves(child as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`]));
  assert.deepEqual(SETTING_SPECS.map((spec) => spec.field.join('.')).sort(), leaves(DEFAULT_SETTINGS as unknown as Record<string, unknown>).sort());
  assert.deepEqual(
    SETTING_SPECS.filter((spec) => spec.isDuration).map((spec) => spec.path),
    ['thresholds.cooldown', 'sampling.interval'],
  );
});

test('the defaults are written in the schema, each valid for its own setting, and DEFAULT_SETTINGS holds them (durations in ms)', () => {
  for (const spec of SETTING_SPECS) {
    assert.notEqual(spec.schema.default, undefined, `${spec.path} has no default in the schema`);
    assert.deepEqual(compileSchema(spec.schema)(spec.schema.default), [], `the default of ${spec.path}`);
  }
  assert.equal(SETTING_BY_PATH.get('thresholds.cooldown')!.schema.default, '10s');
  assert.equal(DEFAULT_SETTINGS.thresholds.cooldownMs, 10_000);
  assert.equal(DEFAULT_SETTINGS.sampling.intervalMs, 1000);
  assert.notEqual(DEFAULT_SETTINGS.thresholds.limitActions, SETTING_BY_PATH.get('thresholds.limitActions')!.schema.default, 'the defaults must not share lists with the schema');
});

test('the policy schema has name and version required and every setting of settings.ts', () => {
  const schema = policySchema();
  assert.deepEqual(schema.required, ['name', 'version']);
  assert.deepEqual(Object.keys(schema.properties!), ['name', 'version', 'description', 'extends', 'budgetMb', 'maxPages', 'block', 'gc', 'cache', 'thresholds', 'recycle', 'sampling', 'leaks', 'recover', 'budgets', 'maxPeakMb', 'maxGrowthMbPer100Items']);
});

test('a policy file sets its settings over the defaults, durations in ms', () => {
  const folder = files({ 'base.yaml': BASE });
  const policy = resolvePolicy({ policyFile: join(folder, 'base.yaml') });
  assert.equal(policy.name, 'base');
  assert.equal(policy.version, '4');
  assert.equal(policy.description, "The team's base.");
  assert.equal(policy.file, join(folder, 'base.yaml'));
  assert.deepEqual(policy.chain, [join(folder, 'base.yaml')]);
  assert.equal(policy.settings.maxPages, 6);
  assert.deepEqual(policy.settings.block, { types: ['image', 'font'], urls: ['*.mp4'] });
  assert.deepEqual(policy.settings.thresholds, { ...DEFAULT_SETTINGS.thresholds, warnMb: 900, limitMb: 1400, cooldownMs: 5000 });
  assert.equal(policy.settings.sampling.intervalMs, 250);
  assert.equal(policy.settings.gc.everyPages, DEFAULT_SETTINGS.gc.everyPages);
  assert.deepEqual(policy.origins['gc.everyPages'], { kind: 'default' });
  assert.match(policy.hash!, /^[0-9a-f]{12}$/);
});

test('extends: the base applies first, sections merge key by key, lists replace', () => {
  const folder = files({ 'base.yaml': BASE, 'child.yaml': CHILD });
  const policy = resolvePolicy({ policyFile: join(folder, 'child.yaml') });
  assert.equal(policy.name, 'child');
  assert.equal(policy.version, '2.1.0');
  assert.equal(policy.description, undefined, "a base's description is not the child's");
  assert.deepEqual(policy.chain, [join(folder, 'base.yaml'), join(folder, 'child.yaml')]);
  assert.deepEqual(policy.settings.block, { types: ['media'], urls: ['*.mp4'] });
  assert.deepEqual(policy.settings.thresholds, { ...DEFAULT_SETTINGS.thresholds, warnMb: 900, limitMb: 1200, cooldownMs: 5000 });
  assert.equal(policy.settings.maxPages, 6);
  assert.equal(policy.settings.gc.everyPages, 10);
  assert.equal(policy.origins['thresholds.warnMb'].file, join(folder, 'base.yaml'));
  assert.equal(policy.origins['thresholds.limitMb'].file, join(folder, 'child.yaml'));
  assert.equal(policy.origins['block.types'].file, join(folder, 'child.yaml'));
  assert.equal(policy.origins['block.urls'].file, join(folder, 'base.yaml'));
});

test('extends paths are relative to the file that writes them, through several levels', () => {
  const folder = files({
    'root.yaml': 'name: root\nversion: 1\nmaxPages: 3\ncache: { maxSizeMb: 64 }\n',
    'team/base/base.yaml': 'name: base\nversion: 1\nextends: ../../root.yaml\nmaxPages: 5\n',
    'team/crawl.yaml': 'name: crawl\nversion: 1\nextends: base/base.yaml\ngc: { everySteps: 7 }\n',
  });
  const policy = resolvePolicy({ policyFile: join(folder, 'team/crawl.yaml') });
  assert.deepEqual(policy.chain, ['root.yaml', 'team/base/base.yaml', 'team/crawl.yaml'].map((f) => join(folder, f)));
  assert.equal(policy.settings.maxPages, 5);
  assert.equal(policy.settings.cache.maxSizeMb, 64);
  assert.equal(policy.settings.gc.everySteps, 7);
});

test("the workflow's memory section overrides the policy file, section by section", () => {
  const folder = files({
    'base.yaml': BASE,
    'crawl.yaml': 'version: 1\npolicy: ./base.yaml\nmemory:\n  maxPages: 2\n  thresholds:\n    limitMb: 1000\n  block: { types: [] }\nsteps: []\n',
  });
  const workflow = readYamlSource(join(folder, 'crawl.yaml'), { noun: 'workflow', exampleKeys: 'version and steps' });
  const policy = resolvePolicy({ policyFile: join(folder, 'base.yaml'), workflowMemory: { source: workflow, path: ['memory'] } });
  assert.equal(policy.name, 'base');
  assert.equal(policy.settings.maxPages, 2);
  assert.equal(policy.settings.thresholds.limitMb, 1000);
  assert.equal(policy.settings.thresholds.warnMb, 900);
  assert.deepEqual(policy.settings.block, { types: [], urls: ['*.mp4'] });
  assert.deepEqual(policy.origins.maxPages, { kind: 'workflow', file: join(folder, 'crawl.yaml'), line: 4, col: 3 });
  assert.deepEqual(policy.origins['thresholds.limitMb'], { kind: 'workflow', file: join(folder, 'crawl.yaml'), line: 6, col: 5 });
  assert.equal(policy.origins['thresholds.warnMb'].kind, 'policy');
});

test('command-line flags override the workflow and the policy', () => {
  const folder = files({ 'base.yaml': BASE, 'crawl.yaml': 'version: 1\nmemory: { maxPages: 2 }\nsteps: []\n' });
  const workflow = readYamlSource(join(folder, 'crawl.yaml'), { noun: 'workflow', exampleKeys: 'version and steps' });
  const policy = resolvePolicy({
    policyFile: join(folder, 'base.yaml'),
    workflowMemory: { source: workflow, path: ['memory'] },
    flags: { maxPages: { value: 9, flag: '--max-pages' }, 'block.types': { value: ['script'], flag: '--block' } },
  });
  assert.equal(policy.settings.maxPages, 9);
  assert.deepEqual(policy.settings.block, { types: ['script'], urls: ['*.mp4'] });
  assert.deepEqual(policy.origins.maxPages, { kind: 'flag', flag: '--max-pages' });
  assert.deepEqual(policy.origins['block.types'], { kind: 'flag', flag: '--block' });
});

test('a flag value the schema refuses is a plain command-line problem', () => {
  const [problem] = inputError(() => resolvePolicy({ flags: { maxPages: { value: 0, flag: '--max-pages' } } }));
  assert.equal(problem.file, 'command line');
  assert.match(problem.message, /--max-pages cannot be 0/);
  assert.match(problem.hint!, /How many pages may be open at once/);
});

test('origins give the file, line and column of each setting written', () => {
  const folder = files({ 'base.yaml': BASE, 'child.yaml': CHILD });
  const policy = resolvePolicy({ policyFile: join(folder, 'child.yaml') });
  const at = (file: string, text: string, key: string) => ({ kind: 'policy', file: join(folder, file), ...keyIn(text, key) });
  assert.deepEqual(policy.origins.maxPages, at('base.yaml', BASE, 'maxPages'));
  assert.deepEqual(policy.origins['thresholds.cooldown'], at('base.yaml', BASE, 'cooldown'));
  assert.deepEqual(policy.origins['sampling.interval'], at('base.yaml', BASE, 'interval'));
  assert.deepEqual(policy.origins['thresholds.limitMb'], at('child.yaml', CHILD, 'limitMb'));
  assert.deepEqual(policy.origins['gc.everyPages'], at('child.yaml', CHILD, 'everyPages'));
  assert.deepEqual(policy.origins['block.types'], at('child.yaml', CHILD, 'types'));
});

test('the hash covers every file of the chain: it changes when the base changes', () => {
  const folder = files({ 'base.yaml': BASE, 'child.yaml': CHILD });
  const child = join(folder, 'child.yaml');
  const first = resolvePolicy({ policyFile: child }).hash;
  assert.match(first!, /^[0-9a-f]{12}$/);
  assert.equal(resolvePolicy({ policyFile: child }).hash, first);
  writeFileSync(join(folder, 'base.yaml'), BASE.replace('maxPages: 6', 'maxPages: 7'));
  const second = resolvePolicy({ policyFile: child });
  assert.notEqual(second.hash, first);
  assert.equal(second.settings.maxPages, 7);
});

test('an extends naming a missing file is reported at the extends value, with the likely name', () => {
  const text = 'name: child\nversion: 1\nextends: ./bsae.yaml\n';
  const folder = files({ 'base.yaml': BASE, 'child.yaml': text });
  const problems = inputError(() => resolvePolicy({ policyFile: join(folder, 'child.yaml') }));
  assert.equal(problems.length, 1);
  assert.equal(problems[0].file, shownPath(join(folder, 'child.yaml')));
  assert.deepEqual({ line: problems[0].line, col: problems[0].col }, positionIn(text, './bsae.yaml'));
  assert.match(problems[0].message, /extends names .*bsae\.yaml, which does not exist — did you mean "\.\/base\.yaml"\?/);
  assert.match(problems[0].hint!, /relative to this policy file/);
});

test('an extends loop is reported where it closes, naming the loop', () => {
  const b = 'name: b\nversion: 1\nextends: ./a.yaml\n';
  const folder = files({ 'a.yaml': 'name: a\nversion: 1\nextends: ./b.yaml\n', 'b.yaml': b });
  const problems = inFolder(folder, () => inputError(() => resolvePolicy({ policyFile: join(folder, 'a.yaml') })));
  assert.deepEqual(problems, [{ file: 'b.yaml', ...positionIn(b, './a.yaml'), message: 'extends makes a loop: a.yaml → b.yaml → a.yaml', hint: 'a policy cannot extend itself, directly or through other policies' }]);

  const self = files({ 'self.yaml': 'name: self\nversion: 1\nextends: self.yaml\n' });
  const [problem] = inFolder(self, () => inputError(() => resolvePolicy({ policyFile: join(self, 'self.yaml') })));
  assert.equal(problem.message, 'extends makes a loop: self.yaml → self.yaml');
});

test('every problem of every file in the chain is reported at once, with "did you mean"', () => {
  const child = 'name: child\nversion: 1\nextends: ./base.yaml\nmaxPage: 3\ngc: { everyPage: 2 }\n';
  const base = 'name: base\nversion: 2.5\nthresholds: { cooldown: 5s, limitMb: -1 }\n';
  const folder = files({ 'child.yaml': child, 'base.yaml': base });
  const problems = inFolder(folder, () => policyProblems({ policyFile: join(folder, 'child.yaml') }));
  const shown = (file: string, at: { line: number; col: number }, message: string) => `${file}:${at.line}:${at.col}: ${message}`;
  assert.deepEqual(problems.map((p) => shown(p.file, { line: p.line!, col: p.col! }, p.message)).sort(), [
    shown('child.yaml', keyIn(child, 'maxPage'), 'unknown key "maxPage" — did you mean "maxPages"?'),
    shown('child.yaml', keyIn(child, 'everyPage'), 'unknown key "everyPage" in "gc" — did you mean "everyPages"?'),
    shown('base.yaml', positionIn(base, '2.5'), '"version" must be a whole number or text, but it is the number 2.5'),
    shown('base.yaml', positionIn(base, '-1'), '"limitMb" must be at least 0, but it is -1'),
  ].sort());
});

test('a policy without name or version, or naming a missing file, is refused plainly', () => {
  const folder = files({ 'bare.yaml': 'maxPages: 2\n' });
  const problems = policyProblems({ policyFile: join(folder, 'bare.yaml') }).map((p) => p.message);
  assert.deepEqual(problems.sort(), ['the file is missing "name"', 'the file is missing "version"']);
  const [missing] = policyProblems({ policyFile: join(folder, 'nowhere.yaml') });
  assert.equal(missing.message, 'no such file');
});

test('both shipped policies validate, start with the $schema comment and resolve to their stated figures', () => {
  const balancedFile = join(root, 'policies/balanced.yaml');
  const lowFile = join(root, 'policies/low-memory.yaml');
  for (const file of [balancedFile, lowFile]) {
    assert.deepEqual(policyProblems({ policyFile: file }), []);
    assert.equal(readFileSync(file, 'utf8').split('\n')[0], '# yaml-language-server: $schema=../schemas/policy.schema.json');
  }
  const balanced = resolvePolicy({ policyFile: balancedFile }).settings;
  assert.equal(balanced.maxPages, 4);
  assert.deepEqual(balanced.block.types, ['media']);
  assert.equal(balanced.gc.everyPages, 50);
  assert.equal(balanced.cache.maxSizeMb, 128);
  assert.deepEqual([balanced.thresholds.warnMb, balanced.thresholds.limitMb], [1500, 2500]);
  assert.equal(balanced.recycle.contextEveryPages, 200);

  const low = resolvePolicy({ policyFile: lowFile });
  assert.equal(low.name, 'low-memory');
  assert.deepEqual(low.chain, [balancedFile, lowFile]);
  assert.equal(low.settings.maxPages, 2);
  assert.deepEqual(low.settings.block.types, ['image', 'media', 'font', 'stylesheet']);
  assert.equal(low.settings.gc.everyPages, 20);
  assert.equal(low.settings.cache.maxSizeMb, 32);
  assert.deepEqual([low.settings.thresholds.warnMb, low.settings.thresholds.limitMb, low.settings.thresholds.cooldownMs], [700, 1000, 10_000]);
  assert.equal(low.settings.recycle.contextEveryPages, 200);
  assert.equal(low.settings.sampling.intervalMs, 1000);
});

test('flow policy show lists every setting with its value and where it came from, in aligned columns', () => {
  const policy: EffectivePolicy = inFolder(root, () => resolvePolicy({ policyFile: join(root, 'policies/low-memory.yaml'), flags: { maxPages: { value: 3, flag: '--max-pages' } } }));
  const text = inFolder(root, () => formatPolicy(policy));
  const lines = text.split('\n');
  const low = readFileSync(join(root, 'policies/low-memory.yaml'), 'utf8');
  const balanced = readFileSync(join(root, 'policies/balanced.yaml'), 'utf8');
  const where = (file: string, source: string, key: string) => {
    const { line, col } = keyIn(source, key);
    return `${file}:${line}:${col}`;
  };

  assert.match(text, /^name {9}low-memory$/m);
  assert.match(text, /^version {6}5$/m);
  assert.match(text, /^file {9}policies\/low-memory\.yaml$/m);
  assert.match(text, new RegExp(`^hash {9}${policy.hash}$`, 'm'));
  assert.match(text, /^chain {8}policies\/balanced\.yaml → policies\/low-memory\.yaml$/m);

  const row = (setting: string) => {
    const found = lines.find((line) => line.startsWith(`${setting} `));
    assert.ok(found, `no line for ${setting}`);
    return found.split(/ {2,}/);
  };
  assert.deepEqual(row('maxPages'), ['maxPages', '3', '--max-pages']);
  assert.deepEqual(row('block.types'), ['block.types', 'image, media, font, stylesheet', where('policies/low-memory.yaml', low, 'types')]);
  assert.deepEqual(row('thresholds.limitMb'), ['thresholds.limitMb', '1000', where('policies/low-memory.yaml', low, 'limitMb')]);
  assert.deepEqual(row('thresholds.cooldown'), ['thresholds.cooldown', '10s', where('policies/low-memory.yaml', low, 'cooldown')]);
  assert.deepEqual(row('gc.everySteps'), ['gc.everySteps', 'off', 'default']);
  assert.deepEqual(row('block.urls'), ['block.urls', 'none', 'default']);
  assert.deepEqual(row('cache.everyPages'), ['cache.everyPages', '0 (only at start)', 'default']);
  assert.equal(lines.filter((line) => line.startsWith('leaks.')).length, 8);
  assert.ok(!text.includes(where('policies/balanced.yaml', balanced, 'maxPages')), 'a value overridden by the child must not show the base as origin');

  const settingLines = lines.slice(lines.indexOf('') + 1);
  assert.equal(settingLines.length, SETTING_SPECS.length + 1);
  const originColumn = settingLines[0].indexOf('from');
  for (const line of settingLines.filter((l) => !l.startsWith('thresholds.limitActions'))) {
    assert.match(line.slice(originColumn - 2), /^ {2}\S/, `"${line}" is not aligned`);
  }
});

test('docs/policy.md gives every setting with the default settings.ts holds', () => {
  const doc = readFileSync(join(root, 'docs/policy.md'), 'utf8');
  for (const spec of SETTING_SPECS) {
    const row = new RegExp(`^\\| \`${spec.path.replace('.', '\\.')}\` \\| ([^|]+) \\|`, 'm').exec(doc);
    assert.ok(row, `docs/policy.md has no row for ${spec.path}`);
    assert.equal(row[1].trim(), formatSettingValue(spec, DEFAULT_SETTINGS), `default of ${spec.path} in docs/policy.md`);
  }
});

test('budgets entries are located one by one; --budget takes sizes; flow policy show lists the map', () => {
  const text = 'name: p\nversion: 1\nbudgetMb: 900\nbudgets:\n  "extract details": { maxMb: 50 }\n  "12": { maxMb: 5 }\n';
  const folder = files({ 'p.yaml': text });
  const policy = resolvePolicy({ policyFile: join(folder, 'p.yaml') });
  assert.deepEqual(policy.settings.budgets, { 'extract details': { maxMb: 50 }, '12': { maxMb: 5 } });
  assert.deepEqual([policy.origins['budgets.12'].line, policy.origins['budgets.12'].col], [6, 3]);
  assert.equal(formatSettingValue(SETTING_SPECS.find((spec) => spec.path === 'budgets')!, policy.settings), '"12" ≤ 5 MB, "extract details" ≤ 50 MB', 'keys that are numbers come first, as JavaScript orders them');
  assert.equal(policy.settings.budgetMb, 900);
  assert.equal(resolvePolicy({ policyFile: join(folder, 'p.yaml'), flags: policyFlags({ budget: '1.5GB' }) }).settings.budgetMb, 1536);
  assert.deepEqual(['700MB', '700', '1g', 'auto', 'off'].map((size) => policyFlags({ budget: size })!.budgetMb.value), [700, 700, 1024, 'auto', 0]);
  const problems = inputError(() => policyFlags({ budget: 'lots' }));
  assert.equal(problems[0].message, '--budget must be a size such as 700MB or 1GB (or auto, or off), not "lots"');
  assert.equal(resolvePolicy({}).settings.budgetMb, 'auto');
});

test('--block none blocks nothing, set by the flag: a budget then blocks nothing on its own', () => {
  const policy = resolvePolicy({ policyFile: join(root, 'policies/balanced.yaml'), flags: policyFlags({ block: 'none' }) });
  assert.deepEqual(policy.settings.block.types, []);
  assert.deepEqual(policy.origins['block.types'], { kind: 'flag', flag: '--block' });
  assert.deepEqual(policyFlags({ block: 'image, font' })!['block.types'].value, ['image', 'font']);
});

test('a warning level at or above the limit is refused where the limit is written', () => {
  const text = 'name: p\nversion: 1\nthresholds:\n  warnMb: 900\n  limitMb: 800\n';
  const folder = files({ 'p.yaml': text });
  const problems = inputError(() => resolvePolicy({ policyFile: join(folder, 'p.yaml') }));
  assert.equal(problems.length, 1);
  assert.deepEqual({ line: problems[0].line, col: problems[0].col }, { line: 5, col: 3 });
  assert.equal(problems[0].message, 'thresholds.limitMb (800 MB) must be above thresholds.warnMb (900 MB), or the warning would never come first');
  assert.doesNotThrow(() => resolvePolicy({ policyFile: join(folder, 'p.yaml'), flags: { 'thresholds.warnMb': { value: 0, flag: '--warn' } } }));
});
