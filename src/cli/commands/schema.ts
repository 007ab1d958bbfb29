import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { stepsReference } from '../../docs.js';
import { generatedSchemas } from '../../schemas.js';
import { EXIT } from '../exit-codes.js';

export const schemasDir = fileURLToPath(new URL('../../../schemas/', import.meta.url));
export const stepsReferencePath = fileURLToPath(new URL('../../../docs/steps.md', import.meta.url));

export function schemaCommand(options: { write?: boolean }): number {
  if (options.write) {
    mkdirSync(schemasDir, { recursive: true });
    for (const [name, schema] of Object.entries(generatedSchemas())) {
      writeFileSync(`${schemasDir}${name}`, `${JSON.stringify(schema, null, 2)}\n`);
      console.log(`wrote ${relative(process.cwd(), `${schemasDir}${name}`)}`);
    }
    writeFileSync(stepsReferencePath, stepsReference());
    console.log(`wrote ${relative(process.cwd(), stepsReferencePath)}`);
    return EXIT.ok;
  }
  console.log(`flow's JSON Schemas are in ${schemasDir}
  workflow.schema.json  workflows (the files you run)
  policy.schema.json    memory policies (policies/*.yaml)
  run-record.schema.json  run.json, what a run leaves behind

Editors with the YAML language server (VS Code's "YAML" extension by Red Hat, Neovim, Helix,
JetBrains IDEs) pick the schema from a comment on the first line of a file:
  # yaml-language-server: $schema=${schemasDir}workflow.schema.json
  # yaml-language-server: $schema=${schemasDir}policy.schema.json
(a path relative to the YAML file works too). Or map them once in VS Code's settings.json:
  "yaml.schemas": {
    "${schemasDir}workflow.schema.json": ["workflows/*.yaml", "*.flow.yaml"],
    "${schemasDir}policy.schema.json": ["policies/*.yaml"]
  }
You then get completion of step names and options, hover help and errors as you type.`);
  return EXIT.ok;
}
