import type { JsonSchema } from '../runner/json-schema.js';
import { memorySettingsProperties } from './settings.js';

export const POLICY_SCHEMA_ID = 'https://flow.dev/schemas/policy.schema.json';

/** The schema of a policy file: its identity, what it extends, and the memory settings. */
export function policySchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: POLICY_SCHEMA_ID,
    title: 'flow memory policy',
    description: 'Named, versioned memory settings that workflows run under. Unset settings come from the policy it extends, then from the built-in defaults.',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'version'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'The name of the policy, shown with every run and in its report.', examples: ['low-memory'] },
      version: {
        description: 'The version of this policy, raised by its owners whenever they change it: a whole number, or text in quotes such as "2.1.0".',
        examples: [3, '2.1.0'],
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', minLength: 1 },
        ],
      },
      description: { type: 'string', description: 'What the policy is for, for people choosing one.', examples: ['For long crawls on small machines.'] },
      extends: { type: 'string', minLength: 1, description: 'Path of a policy whose settings this one starts from, relative to this file. Settings written here replace its settings; lists replace whole lists.', examples: ['./balanced.yaml'] },
      ...memorySettingsProperties,
    },
  };
}
