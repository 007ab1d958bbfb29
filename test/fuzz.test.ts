import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { fuzzSeeds, fuzzWorkFolder, type Seed } from './support/fuzz-seeds.js';
import { misbehaviour, type Outcome } from './support/fuzz-oracle.js';
import { applyMutation, mutation, type Mutation } from './support/mutations.js';
import { ValidatorThread } from './support/validator-thread.js';

/**
 * Property-based fuzzing of `flow validate`: shipped workflows, policies and documented examples,
 * damaged (truncated, bytes flipped, deep nesting, huge values, odd Unicode, tabs, doubled
 * lines), must each end quickly with 0 or 2 and a located message, never a crash or stack trace.
 * FUZZ_SEED and FUZZ_RUNS replay or widen a run; a failure prints the seed and the shrunk case.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20_261_201);
const runs = Number(process.env.FUZZ_RUNS ?? 3000);
const CLI_RUNS = 30;
/** CPU time a case may take in-process: most take a millisecond, a megabyte scalar a few hundred. */
const CPU_LIMIT_MS = 3000;
/** Time on the clock a spawned CLI may take, starting Node included, on a machine others may share. */
const CLI_LIMIT_MS = 10_000;
/** A case still running after this long is taken for a hang and ended. */
const HANG_MS = 30_000;

const cli = fileURLToPath(new URL('../bin/flow.js', import.meta.url));
const work = fuzzWorkFolder();
const seeds = fuzzSeeds();
const thread = new ValidatorThread();
after(async () => {
  await thread.close();
  rmSync(work, { recursive: true, force: true });
});

const seedByName = new Map(seeds.map((s) => [s.name, s]));
const fuzzCase = fc.record({
  from: fc.constantFrom(...seedByName.keys()),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
});

function writeMutant(seedName: string, mutations: Mutation[], name: string): { path: string; bytes: Buffer; from: Seed } {
  const from = seedByName.get(seedName)!;
  const bytes = mutations.reduce(applyMutation, from.bytes);
  const path = join(work, from.folder, name);
  writeFileSync(path, bytes);
  return { path, bytes, from };
}

function report(outcome: Outcome, wrong: string[]): string {
  return `${wrong.join('; ')}\n--- stdout ---\n${outcome.stdout.slice(0, 2000)}\n--- stderr ---\n${outcome.stderr.slice(0, 2000)}`;
}

test(`validate in-process: ${runs} mutants (seed ${seed})`, { timeout: 10 * 60_000 }, async () => {
  const details = await fc.check(
    fc.asyncProperty(fuzzCase, async ({ from, mutations }) => {
      const { path, bytes } = writeMutant(from, mutations, 'fuzz-case.yaml');
      const outcome = await thread.validate([path], HANG_MS);
      assert.ok(!('hung' in outcome), `no answer after ${HANG_MS} ms: flow validate hangs`);
      assert.ok(!('crashed' in outcome), `the validating thread died: ${'crashed' in outcome && outcome.crashed}`);
      const wrong = misbehaviour(outcome, bytes, process.cwd(), CPU_LIMIT_MS);
      assert.deepEqual(wrong, [], report(outcome, wrong));
    }),
    { seed, numRuns: runs },
  );
  // fast-check's own report gives the seed and the shrunk case; the assertion's message says what went wrong.
  if (details.failed) assert.fail(`${fc.defaultReportMessage(details)}\n${(details.errorInstance as Error | undefined)?.message ?? ''}`);
});

test(`the real CLI on ${CLI_RUNS} mutants`, { timeout: 5 * 60_000 }, async () => {
  const cases = fc.sample(fuzzCase, { seed: seed + 1, numRuns: CLI_RUNS });
  const failures: string[] = [];
  const runCase = async (index: number) => {
    const { path, bytes, from } = writeMutant(cases[index].from, cases[index].mutations, `fuzz-cli-${index}.yaml`);
    const outcome = await spawnValidate(path, join(work, from.folder));
    const wrong = misbehaviour(outcome, bytes, join(work, from.folder), CLI_LIMIT_MS);
    if (wrong.length) failures.push(`${from.name} with ${JSON.stringify(cases[index].mutations)}: ${report(outcome, wrong)}`);
  };
  // Two at a time: this machine has two cores.
  for (let i = 0; i < cases.length; i += 2) await Promise.all([runCase(i), ...(i + 1 < cases.length ? [runCase(i + 1)] : [])]);
  assert.deepEqual(failures, []);
});

function spawnValidate(path: string, cwd: string): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'validate', path], { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: HANG_MS });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk));
  // Killed at HANG_MS it has no exit code; a shell would report 143 (128 + SIGTERM).
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 143, ...out, ms: performance.now() - started })));
}
