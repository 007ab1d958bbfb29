import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { judgeAssertions, stepsForKey, type AssertedStep } from '../src/memory/assertions.js';
import { escapeXml, junitXml } from '../src/report/junit.js';
import { InputError } from '../src/runner/diagnostics.js';
import type { RunRecord } from '../src/runner/run-record.js';
import { runWorkflowFile } from '../src/runner/run.js';
import { EXIT } from '../src/cli/exit-codes.js';

/** Memory assertions for CI: judged on the run's figures, a distinct exit code, a located message, JUnit XML. */
const root = fileURLToPath(new URL('../', import.meta.url));
const fixtures = join(root, 'test/fixtures/memory');
const tmp = mkdtempSync(join(tmpdir(), 'flow-assertions-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const step = (fields: Partial<AssertedStep>): AssertedStep => ({ id: 'f#/steps/0', title: 'a step', file: '/w/flow.yaml', line: 5, container: false, runs: 1, ...fields });
const origin = (line: number) => ({ kind: 'policy' as const, file: '/w/policy.yaml', line, col: 3 });

describe('judging', () => {
  test('a budgets key names steps by label, by line of the workflow, or by file and line', () => {
    const steps = [step({ title: 'extract details', line: 9 }), step({ title: 'open', line: 7, file: '/w/parts/detail.yaml' }), step({ title: 'extract details', line: 12 })];
    assert.deepEqual(stepsForKey('extract details', steps, '/w/flow.yaml').map((s) => s.line), [9, 12]);
    assert.deepEqual(stepsForKey('12', steps, '/w/flow.yaml').map((s) => s.line), [12]);
    assert.deepEqual(stepsForKey('7', steps, '/w/flow.yaml'), [], 'a bare line is a line of the workflow file');
    assert.deepEqual(stepsForKey('parts/detail.yaml:7', steps, '/w/flow.yaml').map((s) => s.title), ['open']);
    assert.deepEqual(stepsForKey('nothing', steps, '/w/flow.yaml'), []);
  });

  test('each assertion says what it measured against what limit, and where step and setting are', () => {
    const results = judgeAssertions({
      settings: { budgets: { 'extract details': { maxMb: 50 }, '20': { maxMb: 5 } }, maxPeakMb: 600, maxGrowthMbPer100Items: 10 },
      origins: { maxPeakMb: origin(2), 'budgets.extract details': origin(4), 'budgets.20': origin(5), budgets: origin(3), maxGrowthMbPer100Items: { kind: 'flag', flag: '--x' } },
      steps: [
        step({ id: 'e', title: 'extract details', line: 9, runs: 4, deltaMb: 240 }),
        step({ id: 'never', title: 'never', line: 20, runs: 0 }),
        step({ id: 'loop', title: 'for each item', line: 6, container: true, runs: 1, growthMbPer100Items: 4.2 }),
      ],
      workflowFile: '/w/flow.yaml',
      peakMb: 655.4,
      measure: 'PSS',
    });
    const by = (setting: string) => results.find((r) => r.setting === setting)!;
    assert.equal(by('maxPeakMb').status, 'failed');
    assert.equal(by('maxPeakMb').message, "the run's peak memory was 655 MB PSS, over maxPeakMb 600 MB");
    assert.equal(by('maxPeakMb').settingAt, '/w/policy.yaml:2:3');
    const detail = by('budgets.extract details');
    assert.deepEqual([detail.status, detail.measuredMb, detail.line, detail.settingAt], ['failed', 60, 9, '/w/policy.yaml:4:3']);
    assert.match(detail.message, /^"extract details" added 60\.0 MB PSS a run on average over 4 runs, over its budget of 50\.0 MB$/);
    assert.equal(by('budgets.20').status, 'not-measured');
    assert.deepEqual([by('maxGrowthMbPer100Items').status, by('maxGrowthMbPer100Items').settingAt], ['passed', '--x']);
  });

  test('JUnit XML escapes markup and drops what XML cannot hold, after masking secrets', () => {
    assert.equal(escapeXml(`a<b>&"c"'d'\u0001e`), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;e');
    const record = {
      workflow: { name: 'shop <test>', file: '/w/flow.yaml' },
      run: { status: 'failed', error: 'a step failed', activeMs: 1500, startedAt: '2026-12-01T00:00:00.000Z' },
      assertions: [{ setting: 'maxPeakMb', settingAt: 'p.yaml:2:3', subject: 'the run', limitMb: 1, measuredMb: 400, status: 'failed', message: "the run's peak memory was 400 MB PSS, over maxPeakMb 1.0 MB" }],
      failures: [
        { stepId: 's', title: 'sign in', file: '/w/flow.yaml', line: 8, message: 'password hunter2-secret & <b> refused', url: 'http://x/?t=hunter2-secret', at: '', optional: false },
        { stepId: 'o', title: 'optional', file: '/w/flow.yaml', line: 9, message: 'ignored', at: '', optional: true },
      ],
    } as unknown as RunRecord;
    const xml = junitXml(record, (text) => text.replaceAll('hunter2-secret', '***'));
    assert.ok(!xml.includes('hunter2'), 'the secret is masked');
    assert.match(xml, /<testsuites name="flow" tests="3" failures="3" errors="0" skipped="0" time="1\.500">/);
    assert.match(xml, /<testsuite name="shop &lt;test&gt;"/);
    assert.match(xml, /<testcase classname="flow\.memory" name="maxPeakMb: the run" time="0">\n {6}<failure type="memory-assertion" message="the run&apos;s peak memory was 400 MB PSS/);
    assert.match(xml, /<testcase classname="flow\.steps" name="sign in \(\/w\/flow\.yaml:8\)" file="\/w\/flow\.yaml" line="8"/);
    assert.match(xml, /password \*\*\* &amp; &lt;b&gt; refused\npage: http:\/\/x\/\?t=\*\*\*/);
    assert.ok(!xml.includes('optional'), 'an optional step that failed is no failed testcase');
  });
});

describe('a run under assertions', () => {
  const site = join(tmp, 'w1');
  mkdirSync(site);
  const policy = join(site, 'ci.yaml');
  writeFileSync(policy, 'name: ci\nversion: 1\nmaxPeakMb: 1\nbudgets:\n  "read title": { maxMb: 4000 }\nmaxGrowthMbPer100Items: 5000\n');

  test('breaks maxPeakMb: exit 5, the message names where it was set, the record and JUnit say the same', async () => {
    const file = join(site, 'flow.yaml');
    writeFileSync(
      file,
      `version: 1\nname: assertions\nserve: ${JSON.stringify(fixtures)}\npolicy: ci.yaml\nreport: false\nsteps:\n  - forEach:\n      items: \${{ range(0, 22) }}\n      steps:\n        - goto: \${{ serve.url }}/slow.html?i=\${{ item }}\n        - extract:\n            fields: { title: title }\n          label: read title\n`,
    );
    const result = await runWorkflowFile(file, { outDir: join(site, 'run') });
    assert.equal(result.exitCode, EXIT.memoryAssertionFailed);
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /^1 memory assertion failed:\n {2}\S*ci\.yaml:3:1: the run's peak memory was \d+ MB PSS, over maxPeakMb 1\.0 MB \(maxPeakMb, set at \S*ci\.yaml:3:1\)$/);
    const assertions = result.record.assertions!;
    assert.deepEqual(assertions.map((a) => [a.setting, a.status]), [['maxPeakMb', 'failed'], ['budgets.read title', 'passed'], ['maxGrowthMbPer100Items', 'passed']]);
    assert.equal(assertions[1].line, 11, 'the step budget is located at the step');
    assert.equal(typeof assertions[2].measuredMb, 'number', 'a loop of 22 items has its growth measured');
    const summary = JSON.parse(readFileSync(join(site, 'run', 'run.json'), 'utf8'));
    assert.equal(summary.run.exitCode, EXIT.memoryAssertionFailed, 'the journal ends with the exit code the run gave');
    const xml = junitXml(result.record, (text) => text);
    assert.match(xml, /tests="4" failures="2"/, 'the run and the broken assertion fail; two assertions pass');
  });

  test('a budgets key that names no step is refused before the run, where it is written, with the likely step', async () => {
    const file = join(site, 'typo.yaml');
    writeFileSync(policy.replace('ci.yaml', 'typo-policy.yaml'), 'name: typo\nversion: 1\nbudgets:\n  "read titel": { maxMb: 5 }\n');
    writeFileSync(file, `version: 1\nname: typo\npolicy: typo-policy.yaml\nsteps:\n  - log: hello\n    label: read title\n`);
    await assert.rejects(runWorkflowFile(file, { outDir: join(site, 'typo-run') }), (error: unknown) => {
      assert.ok(error instanceof InputError);
      const [problem] = error.diagnostics;
      assert.deepEqual([problem.line, problem.col], [4, 3]);
      assert.equal(problem.message, 'budgets: "read titel" names no step of the workflow — did you mean "read title"?');
      return true;
    });
    assert.ok(!existsSync(join(site, 'typo-run', 'journal.jsonl')), 'nothing ran');
  });

  test('flow run --reporter junit writes junit.xml in the run folder, flow resume too; --reporter-out without --reporter is a usage error', () => {
    const file = join(site, 'cli.yaml');
    writeFileSync(file, `version: 1\nname: cli\npolicy: ci.yaml\nreport: false\nsteps:\n  - log: hello\n    label: read title\n`);
    const env = { ...process.env, CI: '1', NO_COLOR: '1' };
    const out = join(site, 'cli-run');
    const ran = spawnSync(process.execPath, [join(root, 'bin/flow.js'), 'run', file, '--out', out, '--reporter', 'junit'], { encoding: 'utf8', env, timeout: 120_000 });
    assert.equal(ran.status, EXIT.memoryAssertionFailed, ran.stderr);
    assert.match(ran.stderr, /ci\.yaml:3:1: the run's peak memory was \d+ MB PSS, over maxPeakMb 1\.0 MB/);
    assert.match(ran.stdout + ran.stderr, /junit: {6}.*junit\.xml/);
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    assert.match(xml, /<testcase classname="flow\.memory" name="maxPeakMb: the run"/);
    assert.match(xml, /<skipped message=/, 'a step budget whose step never had memory measured around it is skipped');
    const resumedXml = join(site, 'resumed.xml');
    const resumed = spawnSync(process.execPath, [join(root, 'bin/flow.js'), 'resume', out, '--reporter', 'junit', '--reporter-out', resumedXml], { encoding: 'utf8', env, timeout: 120_000 });
    assert.equal(resumed.status, EXIT.memoryAssertionFailed, resumed.stderr);
    assert.match(readFileSync(resumedXml, 'utf8'), /<testcase classname="flow\.memory" name="maxPeakMb: the run"/, 'flow resume writes the report too');
    const usage = spawnSync(process.execPath, [join(root, 'bin/flow.js'), 'run', file, '--reporter-out', join(site, 'x.xml')], { encoding: 'utf8', env });
    assert.equal(usage.status, EXIT.invalidInput);
    assert.match(usage.stderr, /--reporter-out says where a reporter writes, but no --reporter was given/);
  });
});
