import { resolve } from 'node:path';
import { resolvePolicy, workflowPolicyInputs } from '../../policy/resolve.js';
import { formatPolicy } from '../../policy/show.js';
import { readYamlSource } from '../../runner/yaml-source.js';
import { checkWorkflow, WORKFLOW_FILE } from '../../runner/validate.js';
import { EXIT } from '../exit-codes.js';
import { policyFlags } from './flags.js';

export function policyShowCommand(file: string, options: { maxPages?: string; block?: string; budget?: string }): number {
  const path = resolve(file);
  const flags = policyFlags(options);
  const source = readYamlSource(path, WORKFLOW_FILE);
  if ('steps' in source.value) {
    const workflow = checkWorkflow(source);
    console.log(formatPolicy(resolvePolicy({ ...workflowPolicyInputs(workflow), flags })));
  } else {
    console.log(formatPolicy(resolvePolicy({ policyFile: path, flags })));
  }
  return EXIT.ok;
}
