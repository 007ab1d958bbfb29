import { dirname, resolve } from 'node:path';
import { stepModules } from '../steps/registry.js';
import type { StepNode } from '../steps/types.js';
import { loadWorkflow, walkSteps } from './validate.js';

/**
 * The first step, in these steps or in the workflows they include, that needs what pages look
 * like (its module says `needsPixels`), or an include whose file is known only at run time
 * (it might hold one); undefined when none does. Step kinds are not named here: each module
 * says what it needs. A memory budget may then not block images.
 */
export function stepNeedingPixels(steps: StepNode[], seen = new Set<string>()): StepNode | undefined {
  let found: StepNode | undefined;
  walkSteps(steps, (step) => {
    if (found) return;
    const module = stepModules.get(step.kind);
    if (module?.needsPixels) found = step;
    if (found || !module?.readsWorkflows || !module.files) return;
    for (const file of module.files(step.params)) {
      if (file.includes('${{')) {
        found = step;
        return;
      }
      const path = resolve(dirname(resolve(step.loc.file)), file);
      if (seen.has(path)) continue;
      seen.add(path);
      let included: StepNode[];
      try {
        included = loadWorkflow(path).steps;
      } catch {
        // A file that cannot be loaded fails its step when it runs: no steps of it run.
        continue;
      }
      found = stepNeedingPixels(included, seen);
      if (found) return;
    }
  });
  return found;
}
