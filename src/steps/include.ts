import { variableKeysSchema } from './support/names.js';
import { writtenVars } from './support/workflow-vars.js';
import { defineStep } from './types.js';

interface IncludeParams {
  file: string;
  with?: Record<string, unknown>;
}

export default defineStep<IncludeParams>({
  kind: 'include',
  summary: "Run the steps of another workflow file here, with its variables set from `with` or their defaults.",
  readsWorkflows: true,
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        additionalProperties: false,
        required: ['file'],
        properties: {
          file: { type: 'string', minLength: 1, description: 'The workflow file whose steps run, relative to this one.', examples: ['login.yaml'] },
          with: {
            type: 'object',
            propertyNames: variableKeysSchema,
            description: "Values for the included workflow's vars; the others keep their defaults.",
            examples: [{ user: '${{ env.SHOP_USER }}', category: '${{ item.name }}' }],
          },
        },
      },
    ],
  },
  examples: ['login.yaml', { file: 'scrape-category.yaml', with: { category: '${{ item.url }}', pages: 3 } }],
  normalize: (value) => (typeof value === 'string' ? { file: value } : (value as Record<string, unknown>)),
  files: (params) => (typeof params.file === 'string' ? [params.file] : []),
  records: () => undefined,
  title: (params) => `include ${String(params.file)}`,
  async run(params, ctx) {
    const file = String(params.file);
    const { steps, params: names } = await ctx.loadSteps(file);
    const given = params.with ?? {};
    const unknown = Object.keys(given).filter((name) => !names.includes(name));
    if (unknown.length) {
      throw new Error(`${file} has no variable ${unknown.map((name) => `"${name}"`).join(', ')}; its variables: ${names.length ? names.join(', ') : 'none (declare them under vars: in that file)'}`);
    }
    // Defaults are evaluated in order, so a default may use the variables written before it.
    const defaults = writtenVars(ctx.resolvePath(file));
    const vars: Record<string, unknown> = {};
    for (const name of names) vars[name] = Object.hasOwn(given, name) ? given[name] : ctx.evaluate(defaults[name], vars);
    await ctx.runBlock(steps, vars);
  },
});
