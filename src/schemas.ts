import { journalSchema } from './journal/entries.js';
import { policySchema } from './policy/schema.js';
import type { JsonSchema } from './runner/json-schema.js';
import { workflowSchema } from './runner/workflow-schema.js';

/** The published schemas generated from the step modules, the policy settings and the journal's entries. */
export function generatedSchemas(): Record<string, JsonSchema> {
  return {
    'workflow.schema.json': workflowSchema(),
    'policy.schema.json': policySchema(),
    'journal.schema.json': journalSchema(),
  };
}
