import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StepModule } from './types.js';

const stepsDir = dirname(fileURLToPath(import.meta.url));
const NOT_STEPS = new Set(['types', 'registry']);

/**
 * Every module in this folder (not in its subfolders) is a step kind: adding a kind is adding a
 * file. Loaded once, in name order, so generated schemas and docs are stable.
 */
async function discoverSteps(): Promise<ReadonlyMap<string, StepModule>> {
  const files = readdirSync(stepsDir)
    .filter((file) => /\.(js|ts)$/.test(file) && !file.endsWith('.d.ts') && !NOT_STEPS.has(file.replace(/\.(js|ts)$/, '')))
    .sort();
  const modules = new Map<string, StepModule>();
  for (const file of files) {
    const loaded = (await import(pathToFileURL(join(stepsDir, file)).href)) as { default?: StepModule };
    const step = loaded.default;
    if (!step?.kind || typeof step.run !== 'function') throw new Error(`src/steps/${file} does not export a step module as default`);
    if (modules.has(step.kind)) throw new Error(`two step modules define the step "${step.kind}"`);
    modules.set(step.kind, step);
  }
  return modules;
}

export const stepModules: ReadonlyMap<string, StepModule> = await discoverSteps();

export function stepModule(kind: string): StepModule | undefined {
  return stepModules.get(kind);
}
