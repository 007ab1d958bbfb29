import { orExpression, stepsRef } from '../runner/json-schema.js';
import { readItemsFile } from './support/items-file.js';
import { clip, variableNameSchema } from './support/names.js';
import { defineStep, type StepContext, type StepNode } from './types.js';

interface ForEachParams {
  items?: unknown;
  file?: string;
  as?: string;
  index?: string;
  concurrency?: number;
  limit?: number;
  continueOnError?: boolean;
}

export default defineStep<ForEachParams>({
  kind: 'forEach',
  summary: 'Run steps once for each item of a list or of a CSV/JSON file, one after another or several at a time.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['steps'],
    properties: {
      items: orExpression({ type: 'array', description: 'The list to go through, usually an expression such as ${{ products }}.', examples: ['${{ products }}', ['shoes', 'hats']] }),
      file: { type: 'string', minLength: 1, description: 'A UTF-8 text file of items, relative to the workflow: .csv (each row an object keyed by the header, with as many fields as the header; values are text), .json (an array) or .jsonl.', examples: ['data/searches.csv'] },
      as: variableNameSchema('The name of the current item in the steps. Default item.', 'product'),
      index: variableNameSchema('The name of the current position (0, 1, 2...) in the steps. Default index.', 'i'),
      concurrency: orExpression({ type: 'integer', minimum: 1, description: "How many items run at once, each in a page of its own. Default 1 (in order, on the current page); capped by the policy's page limit.", examples: [3] }),
      limit: orExpression({ type: 'integer', minimum: 0, description: 'Go through at most this many items.', examples: [10] }),
      continueOnError: { type: 'boolean', description: 'When an item fails, log it and go on with the next; the run fails only for other reasons. Default false: a failed item fails the loop.', examples: [true] },
      steps: { ...stepsRef, description: 'The steps run for each item.' },
    },
  },
  examples: [
    { items: '${{ products }}', as: 'product', steps: [{ goto: '${{ product.url }}' }, { extract: { fields: { title: 'h1', price: '.price' } } }] },
    { file: 'searches.csv', as: 'search', concurrency: 3, continueOnError: true, steps: [{ goto: '${{ serve.url }}/search?q=${{ urlencode(search.query) }}' }] },
  ],
  blocks: ['steps'],
  scope: (params) => [typeof params.as === 'string' ? params.as : 'item', typeof params.index === 'string' ? params.index : 'index'],
  files: (params) => (typeof params.file === 'string' ? [params.file] : []),
  title: (params) => `for each ${typeof params.as === 'string' ? params.as : 'item'} in ${clip(String(params.file ?? params.items))}`,
  async run(params, ctx, node) {
    const items = (await itemsOf(params, ctx)).slice(0, params.limit === undefined ? undefined : Number(params.limit));
    const as = params.as ?? 'item';
    const index = params.index ?? 'index';
    const steps = node.blocks.steps ?? [];
    let done = 0;
    let failed = 0;

    const runItem = async (run: (steps: StepNode[], vars: Record<string, unknown>) => Promise<void>, i: number) => {
      try {
        await run(steps, { [as]: items[i], [index]: i });
      } catch (error) {
        if (!params.continueOnError || ctx.signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        failed++;
        ctx.log(`item ${i + 1} of ${items.length} failed, going on: ${message}`);
      }
      ctx.progress(++done, items.length);
    };

    const asked = Number(params.concurrency ?? 1);
    if (asked > ctx.maxPages) ctx.log(`running ${ctx.maxPages} items at a time, not ${asked}: the memory policy allows ${ctx.maxPages} pages`);
    if (asked <= 1) {
      for (let i = 0; i < items.length; i++) await runItem((block, vars) => ctx.runBlock(block, vars), i);
    } else {
      // Items given pages of their own keep them even one at a time: the current page stays where the steps after the loop expect it.
      await inParallel(ctx, Math.max(1, Math.min(asked, ctx.maxPages, items.length)), items.length, runItem);
    }
    if (failed) ctx.log(`${failed} of ${items.length} items failed`);
  },
});

async function itemsOf(params: ForEachParams, ctx: StepContext): Promise<unknown[]> {
  if ((params.items === undefined) === (params.file === undefined)) throw new Error('give the items either as items: (a list) or as file: (a .csv, .json or .jsonl file)');
  if (params.file !== undefined) return readItemsFile(ctx.resolvePath(String(params.file)));
  if (Array.isArray(params.items)) return params.items;
  const found = params.items === null ? 'null' : typeof params.items === 'object' ? 'a mapping (use keys(...) or values(...) to go through it)' : JSON.stringify(params.items);
  throw new Error(`items must be a list, but it is ${found}`);
}

/**
 * Runs items in `lanes` pages at once: each lane takes the next item when it finishes one, and
 * keeps its page between items. After a failure no lane starts a new item; those running finish.
 */
async function inParallel(ctx: StepContext, lanes: number, count: number, runItem: (run: (steps: StepNode[], vars: Record<string, unknown>) => Promise<void>, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      ctx.inNewLane(async (lane) => {
        while (!failed && next < count) {
          const i = next++;
          try {
            await runItem((block, vars) => lane.runBlock(block, vars), i);
          } catch (error) {
            failed = true;
            throw error;
          }
        }
      }),
    ),
  );
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejected) throw rejected.reason;
}
