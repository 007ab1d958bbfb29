import { Script } from 'node:vm';
import { clip, shown, variableNameSchema } from './support/names.js';
import { defineStep } from './types.js';

interface EvaluateParams {
  script: string;
  into?: string;
  args?: unknown;
}

export default defineStep<EvaluateParams>({
  kind: 'evaluate',
  summary: 'Run JavaScript inside the page and keep its result (as JSON) in a variable.',
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        additionalProperties: false,
        required: ['script'],
        properties: {
          script: {
            type: 'string',
            minLength: 1,
            description: 'JavaScript run in the page: an expression, or a function body with `return`. `args` holds the values passed in; `await` works.',
            examples: ['document.title', "const rows = document.querySelectorAll('tr');\nreturn rows.length;"],
          },
          into: variableNameSchema('The variable that keeps the result. Without it the result is logged.', 'pageTitle'),
          args: { description: 'Values passed to the script as `args`, such as variables: ${{ product.id }}.', examples: [{ id: '${{ product.id }}' }] },
        },
      },
    ],
  },
  examples: ['document.title', { script: "document.querySelectorAll('.item').length", into: 'itemCount' }, { script: 'return args.ids.map((id) => document.getElementById(id)?.textContent);', args: { ids: ['a', 'b'] }, into: 'texts' }],
  normalize: (value) => (typeof value === 'string' ? { script: value } : (value as Record<string, unknown>)),
  defines: (params) => (typeof params.into === 'string' ? [params.into] : []),
  title: (params) => `evaluate ${clip(String(params.script))}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const json = await page.evaluate(pageProgram(String(params.script), params.args)).catch((error: Error) => {
      throw new Error(`the script failed in the page: ${error.message.split('\n')[0].replace(/^page\.evaluate: /, '')}`);
    });
    const result: unknown = json === undefined ? null : JSON.parse(json as string);
    if (params.into) ctx.set(params.into, result);
    else ctx.log(`${clip(params.script, 60)} = ${clip(shown(result), 300)}`);
  },
});

/**
 * The program sent to the page: the script as an expression when it is one, else as a function
 * body; a function value is called with `args`. The result comes back as JSON text, so what a
 * variable holds is plain data. Node only checks the syntax here (compiling, never running).
 */
function pageProgram(script: string, args: unknown): string {
  const asExpression = `(async (args) => (${script}\n))`;
  const body = isValidSyntax(asExpression) ? `const value = await ${asExpression}(args); return typeof value === 'function' ? await value(args) : value;` : `return await (async (args) => {${script}\n})(args);`;
  return `(async () => { const args = ${JSON.stringify(args ?? null)}; const result = await (async () => { ${body} })(); return result === undefined ? undefined : JSON.stringify(result); })()`;
}

function isValidSyntax(source: string): boolean {
  try {
    new Script(source);
    return true;
  } catch {
    return false;
  }
}
