import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file the fuzz test starts from, and the folder (inside the work folder) its mutants go to. */
export interface Seed {
  name: string;
  folder: 'workflows' | 'policies';
  bytes: Buffer;
}

const root = new URL('../../', import.meta.url).pathname;

/**
 * A scratch copy of workflows/ and policies/ (demo/ linked, not copied), so a mutant written
 * beside the shipped files finds what they refer to (parts/sign-in.yaml, ../policies/..., ../demo).
 */
export function fuzzWorkFolder(): string {
  const work = mkdtempSync(join(tmpdir(), 'flow-fuzz-'));
  cpSync(join(root, 'workflows'), join(work, 'workflows'), { recursive: true });
  cpSync(join(root, 'policies'), join(work, 'policies'), { recursive: true });
  symlinkSync(join(root, 'demo'), join(work, 'demo'));
  return work;
}

/** The shipped workflows and policies, and every YAML example in the README and docs/. */
export function fuzzSeeds(): Seed[] {
  const yamlIn = (folder: string) => readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
  const seeds: Seed[] = [
    ...yamlIn('workflows').map((f) => ({ name: `workflows/${f}`, folder: 'workflows' as const, bytes: readFileSync(join(root, 'workflows', f)) })),
    ...yamlIn('policies').map((f) => ({ name: `policies/${f}`, folder: 'policies' as const, bytes: readFileSync(join(root, 'policies', f)) })),
  ];
  const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));
  for (const doc of docs) {
    const examples = readFileSync(join(root, doc), 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```/gm);
    let n = 0;
    for (const [, text] of examples) {
      // A policy example has no steps; it is validated as a policy, as in policies/.
      const folder = /^steps:/m.test(text) || !/^(extends|maxPages|thresholds|block):/m.test(text) ? 'workflows' : 'policies';
      seeds.push({ name: `${doc} example ${++n}`, folder, bytes: Buffer.from(text) });
    }
  }
  return seeds;
}
