import { stringify } from 'yaml';
import type { JsonSchema } from './runner/json-schema.js';
import { stepOptionProperties } from './runner/workflow-schema.js';
import { stepModules } from './steps/registry.js';

/** docs/steps.md, generated from the step modules so it cannot drift from them. */
export function stepsReference(): string {
  const out = [
    '# Step reference',
    '',
    '<!-- Generated from src/steps/*.ts by `npm run schemas`; edit the step modules, not this file. -->',
    '',
    'Every step is one item of a `steps:` list: the step name, its value, and any of the options',
    'below. `docs/workflow.md` explains the format as a whole.',
    '',
    '## Options every step takes',
    '',
    '| option | meaning |',
    '| --- | --- |',
    ...Object.entries(stepOptionProperties).map(([name, schema]) => `| \`${name}\` | ${cell(schema.description)} |`),
    '',
    '## Steps',
    '',
    [...stepModules.keys()].map((kind) => `[${kind}](#${kind.toLowerCase()})`).join(' · '),
    '',
  ];
  for (const step of stepModules.values()) {
    out.push(`### ${step.kind}`, '', step.summary, '', '```yaml', ...step.examples.map((example) => stringify([{ [step.kind]: example }], { lineWidth: 100 }).trimEnd()), '```', '');
    const params = parameters(step.schema);
    if (params.length) out.push('| parameter | meaning |', '| --- | --- |', ...params.map(([name, schema]) => `| \`${name}\` | ${cell(schema.description)} |`), '');
  }
  return `${out.join('\n')}\n`;
}

function parameters(schema: JsonSchema): Array<[string, JsonSchema]> {
  const mapping = schema.properties ? schema : (schema.anyOf ?? schema.oneOf ?? []).find((branch) => branch.properties);
  return Object.entries(mapping?.properties ?? {});
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
