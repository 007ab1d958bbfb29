import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The real CLI: every byte it prints and every file it writes is searched for the secret in every form it travels in. */
const cli = fileURLToPath(new URL('../bin/flow.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'flow-secrets-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SECRET = 'p@ss w0rd!"x\\y';
const FORMS: Record<string, string> = {
  raw: SECRET,
  'URL-encoded': encodeURIComponent(SECRET),
  'form-encoded': encodeURIComponent(SECRET).replace(/%20/g, '+'),
  'encodeURI': encodeURI(SECRET),
  'JSON-escaped': JSON.stringify(SECRET).slice(1, -1),
  'JSON-escaped twice': JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1),
  base64: Buffer.from(SECRET).toString('base64'),
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function leaks(where: string, text: string): string[] {
  return Object.entries(FORMS).flatMap(([form, value]) => (text.includes(value) ? [`${where} holds the secret ${form}`] : []));
}

test('a secret never shows: not on the console (plain, --json), not in the journal, run.json, report, dataset or error messages, in any encoding', () => {
  const site = join(tmp, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'login.html'), '<title>Login</title><form><input id="user"><input id="password" type="password"><button type="button" onclick="document.title=location.search">Sign in</button></form><p id="echo"></p><script>document.getElementById("echo").textContent = decodeURIComponent(location.search)</script>');
  const workflow = join(tmp, 'flow.yaml');
  writeFileSync(
    workflow,
    `version: 1
name: secrets
serve: ${JSON.stringify(site)}
secrets: [SHOP_PASSWORD]
steps:
  - goto: \${{ serve.url }}/login.html?token=\${{ urlencode(secrets.SHOP_PASSWORD) }}
  - fill:
      "#password": \${{ secrets.SHOP_PASSWORD }}
  - log: "signing in with \${{ secrets.SHOP_PASSWORD }}"
  - extract:
      fields:
        echo: "#echo"
      add:
        sent: \${{ secrets.SHOP_PASSWORD }}
  - click: "text=Sign out \${{ secrets.SHOP_PASSWORD }}"
    timeout: 2s
`,
  );
  const problems: string[] = [];
  for (const [mode, flags] of [['plain', []], ['json', ['--json']]] as const) {
    const out = join(tmp, `run-${mode}`);
    const result = spawnSync(process.execPath, [cli, 'run', workflow, '--out', out, ...flags], { encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1', SHOP_PASSWORD: SECRET }, timeout: 120_000 });
    assert.equal(result.status, 1, `the click on the secret's text fails the run: ${result.stderr}`);
    assert.match(result.stdout + result.stderr, /Sign out \*\*\*/, 'the failed click names its target, the secret shown as ***');
    problems.push(...leaks(`${mode} stdout`, result.stdout), ...leaks(`${mode} stderr`, result.stderr));
    const files = filesUnder(out);
    assert.ok(files.some((file) => file.endsWith('journal.jsonl')) && files.some((file) => file.endsWith('report.html')), files.join(', '));
    for (const file of files) problems.push(...leaks(file.slice(out.length + 1), readFileSync(file, 'latin1')));
    const report = spawnSync(process.execPath, [cli, 'report', out], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(report.status, 0, report.stderr);
    problems.push(...leaks('flow report output', report.stdout + report.stderr), ...leaks('report.html again', readFileSync(join(out, 'report.html'), 'latin1')));
  }
  assert.deepEqual(problems, []);
});

test('a secret too short to mask is refused before anything runs', () => {
  const workflow = join(tmp, 'short.yaml');
  writeFileSync(workflow, 'version: 1\nsecrets: [PIN]\nsteps:\n  - log: hi\n');
  const result = spawnSync(process.execPath, [cli, 'run', workflow, '--out', join(tmp, 'short-run')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', PIN: '123' } });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /short\.yaml:2:\d+: the secret PIN is only 3 character\(s\) long/);
  assert.doesNotMatch(result.stderr, /123/);
});

test('--env-file supplies env: and secrets: (the real environment wins), its secrets masked; a missing file or a device is refused', () => {
  const workflow = join(tmp, 'env-file.yaml');
  writeFileSync(workflow, 'version: 1\nenv: { GREETING: null, PLACE: null }\nsecrets: [SHOP_PASSWORD]\nsteps:\n  - log: "${{ env.GREETING }} ${{ env.PLACE }}, signing in with ${{ secrets.SHOP_PASSWORD }}"\n');
  const envFile = join(tmp, 'run.env');
  writeFileSync(envFile, `# a developer's file\nGREETING=hello from the file\nPLACE="the shop"\nSHOP_PASSWORD=${SECRET}\n`);
  const { SHOP_PASSWORD: _unset, ...environment } = process.env;
  // The executable itself, as npx runs it: its first line decides who reads --env-file.
  const run = (file: string) => spawnSync(cli, ['run', workflow, '--env-file', file, '--out', join(tmp, `env-run-${Math.random()}`)], { encoding: 'utf8', env: { ...environment, CI: '1', NO_COLOR: '1', GREETING: 'hello from the environment' } });
  const result = run(envFile);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /hello from the environment the shop, signing in with \*\*\*/);
  assert.deepEqual(leaks('stdout', result.stdout + result.stderr), []);
  for (const [file, says] of [[join(tmp, 'nowhere.env'), /--env-file .*nowhere\.env does not exist/], ['/dev/zero', /--env-file \/dev\/zero is a device, not a file/]] as const) {
    const refused = run(file);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, says);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  }
});
