import { variableKeysSchema } from '../steps/support/names.js';
import { memorySettingsSchema } from '../policy/settings.js';
import { stepModules } from '../steps/registry.js';
import { durationSchema, type JsonSchema } from './json-schema.js';

export const WORKFLOW_SCHEMA_ID = 'https://flow.dev/schemas/workflow.schema.json';
export const SUPPORTED_VERSIONS = [1] as const;

/** Keys every step accepts beside its kind key. The runner applies them; no step module does. */
export const stepOptionProperties: Record<string, JsonSchema> = {
  if: {
    description: 'Run the step only when this is true, e.g. ${{ index < 10 }}. When false, the steps under `else` run instead.',
    examples: ['${{ product.price > 100 }}'],
    anyOf: [{ type: 'boolean' }, { type: 'string' }],
  },
  else: { $ref: '#/$defs/steps', description: 'Steps to run when `if` is false.' },
  timeout: { ...durationSchema, description: 'How long the step may take before it fails. Default 30s.', examples: ['10s'] },
  optional: { type: 'boolean', description: 'When the step fails, note it and carry on.', examples: [true] },
  retry: {
    description: 'Try the step again when it fails: how many times, or {times, delay}.',
    examples: [2, { times: 3, delay: '1s' }],
    anyOf: [
      { type: 'integer', minimum: 0, maximum: 100 },
      { type: 'object', additionalProperties: false, required: ['times'], properties: { times: { type: 'integer', minimum: 0, maximum: 100, description: 'How many more attempts.' }, delay: { ...durationSchema, description: 'Wait between attempts.' } } },
    ],
  },
  label: { type: 'string', description: 'A name for the step, shown in progress, errors and the report.', examples: ['Open the catalogue'] },
};

export const STEP_OPTION_KEYS = new Set(Object.keys(stepOptionProperties));

function stepSchema(): JsonSchema {
  const kinds = [...stepModules.values()];
  const names = kinds.map((step) => step.kind);
  const properties: Record<string, JsonSchema> = {};
  for (const step of kinds) {
    // The title heads the editor's hover text, which would otherwise show the workflow's title.
    properties[step.kind] = { ...step.schema, title: step.kind, description: step.summary, examples: step.examples };
  }
  return {
    type: 'object',
    description: 'One step: a step name such as `goto` or `click` with its value, plus options.',
    properties: { ...properties, ...stepOptionProperties },
    additionalProperties: false,
    minProperties: 1,
    oneOf: [...kinds.map((step) => ({ type: 'object' as const, required: [step.kind] })), ...kindRuleExceptions(names)],
  };
}

/**
 * The step name rule (a mapping names exactly one step) stands aside where another keyword
 * already reports the problem: editors report every failing rule, so a misspelt `- clik: x`
 * would otherwise also be told it is missing "assert", and `- 5` that it matches every step.
 */
function kindRuleExceptions(kinds: string[]): JsonSchema[] {
  return [
    {
      $comment: 'No step name, and a key that is no step and no option: additionalProperties reports that key.',
      propertyNames: { not: { enum: kinds } },
      not: { propertyNames: { enum: [...STEP_OPTION_KEYS] } },
    },
    { $comment: 'Not a mapping: type reports it.', not: { type: 'object' } },
  ];
}

export function workflowSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: WORKFLOW_SCHEMA_ID,
    title: 'flow workflow',
    description: 'A browser automation run by `flow run`: steps, and the memory policy they run under.',
    type: 'object',
    additionalProperties: false,
    required: ['version', 'steps'],
    properties: {
      version: { description: 'Version of the workflow format. Only 1 exists.', examples: [1], enum: [...SUPPORTED_VERSIONS] },
      name: { type: 'string', minLength: 1, description: 'A short name, used for the run folder and the report.', examples: ['Crawl the catalogue'] },
      description: { type: 'string', description: 'What the workflow does, for people reading it.', examples: ['Extracts every product of the demo shop.'] },
      vars: {
        type: 'object',
        description: 'Variables the steps can use as ${{ name }}. Values may be expressions using earlier ones; `flow run --var name=value` overrides them.',
        examples: [{ start: '${{ serve.url }}/products/page-1.html', limit: 5 }],
        propertyNames: variableKeysSchema,
      },
      env: {
        type: 'object',
        description: 'Environment variables the workflow reads, with a default used when one is not set (null: it must be set). Use them as ${{ env.NAME }}.',
        examples: [{ SHOP_URL: 'http://127.0.0.1:8080', API_TOKEN: null }],
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      },
      secrets: {
        type: 'array',
        description: 'Environment variables holding secrets, used as ${{ secrets.NAME }}. Their values are masked wherever flow prints or writes them.',
        examples: [['SHOP_PASSWORD']],
        items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        uniqueItems: true,
      },
      browser: {
        type: 'object',
        additionalProperties: false,
        description: 'Which browser runs the workflow and how.',
        examples: [{ headless: true, viewport: { width: 1280, height: 800 } }],
        properties: {
          headless: { type: 'boolean', description: 'Run without a window. Default true; `flow run --headed` shows the window.', examples: [false] },
          executablePath: { type: 'string', description: 'Path of the Chrome or Chromium to use. Default: FLOW_BROWSER, then a Playwright browser, then Chrome/Chromium found on this machine.', examples: ['/usr/bin/chromium'] },
          args: { type: 'array', items: { type: 'string' }, description: 'Extra Chromium command-line switches.', examples: [['--lang=en-GB']] },
          viewport: { type: 'object', additionalProperties: false, required: ['width', 'height'], description: 'Page size in CSS pixels.', examples: [{ width: 1280, height: 800 }], properties: { width: { type: 'integer', minimum: 100, maximum: 10000 }, height: { type: 'integer', minimum: 100, maximum: 10000 } } },
          userAgent: { type: 'string', description: 'The User-Agent the browser sends.', examples: ['Mozilla/5.0 (compatible; flow)'] },
          locale: { type: 'string', description: 'Browser language and formats, e.g. en-GB.', examples: ['en-GB'] },
          timezone: { type: 'string', description: 'Time zone, e.g. Europe/Paris.', examples: ['Europe/Paris'] },
          profile: { type: 'string', description: 'A folder that keeps cookies, storage and logins between runs (created if missing). Log in once with --headed; later runs reuse it.', examples: ['./.profiles/shop'] },
          cdp: { type: 'string', pattern: '^https?://', description: "Attach to a Chrome or browser pool already running with --remote-debugging-port; flow disconnects at the end and leaves it running. A browser on another machine or in another container is not measured process by process: the report says so (docs/browsers.md).", examples: ['http://127.0.0.1:9222'] },
          connect: { type: 'string', pattern: '^wss?://', description: "A Playwright server's ws endpoint (run-server, launchServer), for a remote browser. Its processes are not flow's to measure: the report says so (docs/browsers.md).", examples: ['ws://127.0.0.1:3000/'] },
        },
      },
      policy: { type: 'string', description: 'Path of the memory policy file to run under, relative to this file.', examples: ['../policies/low-memory.yaml'] },
      memory: { ...memorySettingsSchema, description: 'Memory settings that override the policy for this workflow.', examples: [{ maxPages: 2, block: { types: ['image', 'media'] } }] },
      serve: { type: 'string', description: 'A folder flow serves on 127.0.0.1 for the run; its address is ${{ serve.url }}.', examples: ['../demo'] },
      steps: { $ref: '#/$defs/steps', description: 'What the workflow does, in order. Each step is one action (goto, click, extract, ...) or a block (forEach, repeat, page, ...).', examples: [[{ goto: 'https://example.com' }, { click: 'Sign in' }]] },
      output: {
        description: 'Where extracted records go: a path (format from its extension) or {path, format}. Default: dataset.jsonl in the run folder.',
        examples: ['products.jsonl', { path: 'products.csv', format: 'csv' }],
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'object', additionalProperties: false, properties: { path: { type: 'string', minLength: 1, description: 'File path, relative to the run folder.' }, format: { enum: ['jsonl', 'csv', 'json'], description: 'jsonl (one JSON record per line, the default), csv or json (one array).' } } },
        ],
      },
      report: {
        description: 'Where the HTML memory report goes (relative to the run folder), or false for none.',
        examples: ['report.html'],
        anyOf: [{ type: 'string', minLength: 1 }, { const: false }],
      },
    },
    $defs: {
      steps: { type: 'array', description: 'Steps, run in order.', items: { $ref: '#/$defs/step' } },
      step: stepSchema(),
    },
  };
}
