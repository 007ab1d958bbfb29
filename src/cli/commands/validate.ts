import { resolve } from 'node:path';
import { policyProblems, workflowPolicyInputs } from '../../policy/resolve.js';
import { InputError, type Diagnostic } from '../../runner/diagnostics.js';
import { checkWorkflow, WORKFLOW_FILE } from '../../runner/validate.js';
import { readYamlSource, shownPath, type YamlSource } from '../../runner/yaml-source.js';
import { EXIT } from '../exit-codes.js';
import { printProblem } from '../output.js';

/** A file with `steps` is a workflow; one without, naming policy settings, is a policy. */
function isPolicy({ path, value }: YamlSource): boolean {
  return !('steps' in value) && ('extends' in value || 'maxPages' in value || 'thresholds' in value || 'block' in value || /(^|\/)policies\//.test(path));
}

/** The problems of one file; it is read once, as a big file takes long to parse. */
function fileProblems(path: string): Diagnostic[] {
  try {
    const source = readYamlSource(path, WORKFLOW_FILE);
    if (isPolicy(source)) return policyProblems({ policyFile: path });
    // Settings valid alone may clash once the workflow's memory: applies over its policy.
    return policyProblems(workflowPolicyInputs(checkWorkflow(source)));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.diagnostics;
  }
}

export function validateCommand(files: string[]): number {
  const problems = files.flatMap((file) => fileProblems(resolve(file)));
  if (problems.length) {
    printProblem(new InputError(problems));
    return EXIT.invalidInput;
  }
  for (const file of files) console.log(`✔ ${shownPath(resolve(file))} is valid`);
  return EXIT.ok;
}
