import { listShare, type Pick } from '../distribute/items.js';
import { orExpression, stepsRef } from '../runner/json-schema.js';
import { readItemsFile } from './support/items-file.js';
import { clip, variableNameSchema } from './support/names.js';
import { defineStep, type StepContext } from './types.js';

/** With continueOnError, the share of items that may fail before the loop fails after all. */
const DEFAULT_MAX_FAILED = '10%';

interface ForEachParams {
  items?: unknown;
  file?: string;
  as?: string;
  index?: string;
  concurrency?: number;
  limit?: number;
  continueOnError?: boolean;
  maxFailed?: number | string;
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
      continueOnError: { type: 'boolean', description: 'When an item fails, log it and go on with the next (a failed item writes no records). Default false: a failed item fails the loop.', examples: [true] },
      maxFailed: {
        description: `With continueOnError: how many items may fail before the loop fails after all, as a count or a share of the items such as "5%". Default ${DEFAULT_MAX_FAILED}.`,
        examples: ['5%', 20],
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$' },
        ],
      },
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
    const allowed = allowedFailures(params, items.length);
    let done = 0;
    let failed = 0;
    const picks = await listShare(ctx.share(), items);

    const runItem = async (lane: StepContext, { index: i, lease }: Pick) => {
      try {
        await lane.item(i, items[i], (inside) => inside.runBlock(steps, { [as]: items[i], [index]: i }), lease);
      } catch (error) {
        if (!params.continueOnError || ctx.signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        failed++;
        ctx.log(`item ${i + 1} of ${items.length} failed, going on: ${message}`);
        if (failed > allowed) throw new Error(`${failed} of ${items.length} items failed, more than the ${describeAllowed(params.maxFailed)} that maxFailed allows; the last: ${message}`);
      }
      ctx.progress(++done, picks.total);
    };

    const asked = Number(params.concurrency ?? 1);
    if (asked > ctx.maxPages) ctx.log(`running ${ctx.maxPages} items at a time, not ${asked}: the memory policy allows ${ctx.maxPages} pages`);
    if (asked <= 1) {
      for (let pick = await picks.next(); pick; pick = await picks.next()) await runItem(ctx, pick);
    } else {
      // Items given pages of their own keep them even one at a time: the current page stays where the steps after the loop expect it.
      await inParallel(ctx, Math.max(1, Math.min(asked, ctx.maxPages, items.length)), picks.next, runItem);
    }
    if (failed) ctx.log(`${failed} of ${items.length} items failed`);
  },
});

/** How many items may fail before the loop fails, from maxFailed: a count, or a share such as "10%" of the items. */
function allowedFailures(params: ForEachParams, total: number): number {
  if (!params.continueOnError) return 0;
  const text = String(params.maxFailed ?? DEFAULT_MAX_FAILED).trim();
  const share = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (share) return Math.floor((Number(share[1]) / 100) * total);
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0) throw new Error(`maxFailed must be a whole number of items or a share such as "10%", but it is ${JSON.stringify(params.maxFailed)}`);
  return count;
}

function describeAllowed(maxFailed: unknown): string {
  return String(maxFailed ?? DEFAULT_MAX_FAILED);
}

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
async function inParallel(ctx: StepContext, lanes: number, next: () => Promise<Pick | undefined>, runItem: (lane: StepContext, pick: Pick) => Promise<void>): Promise<void> {
  let failed = false;
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      ctx.inNewLane(async (lane) => {
        while (!failed) {
          const pick = await next();
          if (!pick) return;
          try {
            await runItem(lane, pick);
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
