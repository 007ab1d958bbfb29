import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { stepsReference } from '../src/docs.js';
import { generatedSchemas } from '../src/schemas.js';
import { stepModules } from '../src/steps/registry.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const cli = `${root}bin/flow.js`;

test('the committed schemas are the ones generated from src (run `npm run schemas` after changing a step or a setting)', () => {
  for (const [name, schema] of Object.entries(generatedSchemas())) {
    const committed = JSON.parse(readFileSync(`${root}schemas/${name}`, 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(schema)), `schemas/${name} is out of date`);
  }
});

test('docs/steps.md is the one generated from the step modules', () => {
  assert.equal(readFileSync(`${root}docs/steps.md`, 'utf8'), stepsReference(), 'docs/steps.md is out of date: run `npm run schemas`');
});

test('every schema compiles in strict mode, has an $id, and describes every property with an example', () => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true });
  const schemas = { ...generatedSchemas(), 'run-record.schema.json': JSON.parse(readFileSync(`${root}schemas/run-record.schema.json`, 'utf8')) };
  for (const [name, schema] of Object.entries(schemas)) {
    assert.ok(schema.$id, `${name} has no $id`);
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    ajv.compile(schema);
  }
  const undocumented: string[] = [];
  const visit = (node: Record<string, unknown>, path: string) => {
    const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [key, child] of Object.entries(properties ?? {})) {
      if (!child.description || !(child.examples || child.$ref)) undocumented.push(`${path}.${key}`);
    }
  };
  const { 'workflow.schema.json': workflow, 'policy.schema.json': policy } = generatedSchemas();
  visit(workflow as Record<string, unknown>, 'workflow');
  visit(workflow.$defs!.step as Record<string, unknown>, 'step');
  visit(policy as Record<string, unknown>, 'policy');
  assert.deepEqual(undocumented, [], 'properties without a description or an example');
});

test('each step kind comes from one module and appears in the schema with its summary', () => {
  const step = generatedSchemas()['workflow.schema.json'].$defs!.step;
  for (const [kind, module] of stepModules) {
    assert.equal(step.properties![kind].description, module.summary);
    assert.ok(module.examples.length > 0, `${kind} has no example`);
  }
});

test('every shipped workflow and policy validates and starts with the $schema comment', () => {
  const files = [
    ...readdirSync(`${root}workflows`, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).map((f) => `workflows/${f}`),
    ...readdirSync(`${root}policies`).filter((f) => f.endsWith('.yaml')).map((f) => `policies/${f}`),
  ];
  assert.ok(files.includes('workflows/crawl.yaml') && files.includes('workflows/parts/sign-in.yaml'));
  for (const file of files) {
    const first = readFileSync(`${root}${file}`, 'utf8').split('\n')[0];
    const up = '\\.\\./'.repeat(file.split('/').length - 1);
    assert.match(first, new RegExp(`^# yaml-language-server: \\$schema=${up}schemas/(workflow|policy)\\.schema\\.json$`), `${file} lacks the $schema comment`);
  }
  const result = spawnSync(process.execPath, [cli, 'validate', ...files], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('every complete workflow in docs/workflow.md validates', () => {
  const blocks = [...readFileSync(`${root}docs/workflow.md`, 'utf8').matchAll(/```yaml\n(.*?)```/gs)].map((m) => m[1]).filter((b) => /^(#.*\n)*version: 1/m.test(b));
  assert.ok(blocks.length >= 15, `only ${blocks.length} examples`);
  // Written beside the shipped workflows, so that ../demo and parts/ resolve as the doc says.
  const files = blocks.map((block, i) => {
    const file = `workflows/.docs-example-${i}.yaml`;
    writeFileSync(`${root}${file}`, block);
    return file;
  });
  try {
    const result = spawnSync(process.execPath, [cli, 'validate', ...files], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  } finally {
    for (const file of files) rmSync(`${root}${file}`, { force: true });
  }
});
