import { stepModule } from '../steps/registry.js';
import type { Workflow } from './workflow.js';
import { walkSteps } from './validate.js';

/**
 * The fields every record of a run can have, in the order the steps name them, or undefined
 * when a step's fields show only at run time. A CSV streamed to disk writes its header first.
 */
export function datasetColumns(workflow: Workflow): string[] | undefined {
  const columns = new Set<string>();
  let known = true;
  walkSteps(workflow.steps, (step) => {
    const module = stepModule(step.kind);
    if (!module?.records) return;
    const fields = module.records(step.params);
    if (fields === undefined) known = false;
    else for (const field of fields) columns.add(field);
  });
  return known ? [...columns] : undefined;
}
