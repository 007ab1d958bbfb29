import { resolve } from 'node:path';
import { policyProblems, workflowPolicyInputs } from '../../policy/resolve.js';
import { InputError, type Diagnostic } from '../../runner/diagnostics.js';
import { loadWorkflow, WORKFLOW_FILE } from '../../runner/validate.js';
import { readYamlSource, shownPath } from '../../runner/yaml-source.js';
import { EXIT } from '../exit-codes.js';
import { printProblem } from '../output.js';

/** A file with `steps` is a workflow; one without, naming policy settings, is a policy. */
function isPolicyFile(path: string): boolean {
  try {
    const { value } = readYamlSource(path, WORKFLOW_FILE);
    return !('steps' in value) && ('extends' in value || 'maxPages' in value || 'thresholds' in value || 'block' in value || /(^|\/)policies\//.test(path));
  } catch {
    return false;
  }
}

export function validateCommand(files: string[]): number {
  const problems: Diagnostic[] = [];
  for (const file of files) {
    const path = resolve(file);
    if (isPolicyFile(path)) {
      problems.push(...policyProblems({ policyFile: path }));
      continue;
    }
    try {
      const workflow = loadWorkflow(path);
      // Settings valid alone may clash once the workflow's memory: applies over its policy.
      problems.push(...policyProblems(workflowPolicyInputs(workflow)));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.diagnostics);
    }
  }
  if (problems.length) {
    printProblem(new InputError(problems));
    return EXIT.invalidInput;
  }
  for (const file of files) console.log(`✔ ${shownPath(resolve(file))} is valid`);
  return EXIT.ok;
}
