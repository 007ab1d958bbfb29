import { orExpression, stepsRef } from '../runner/json-schema.js';
import { isTrue, variableNameSchema } from './support/names.js';
import { defineStep } from './types.js';

interface RepeatParams {
  times?: number;
  while?: unknown;
  max?: number;
  index?: string;
}

const DEFAULT_MAX = 1000;

export default defineStep<RepeatParams>({
  kind: 'repeat',
  summary: 'Run steps a number of times, or for as long as a condition holds.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['steps'],
    properties: {
      times: orExpression({ type: 'integer', minimum: 0, description: 'Run the steps this many times.', examples: [5] }),
      while: {
        description: 'Checked before each round; the steps run while it is true. Variables it reads must be set before the loop (vars: or set:), so the steps can update them.',
        examples: ['${{ hasNext }}'],
        anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }],
      },
      max: orExpression({ type: 'integer', minimum: 1, description: `With while: stop after this many rounds even if the condition still holds (logged). Default ${DEFAULT_MAX}.`, examples: [50] }),
      index: variableNameSchema('The name of the round number (0, 1, 2...) in the steps and in while. Default index.', 'round'),
      steps: { ...stepsRef, description: 'The steps run in each round.' },
    },
  },
  examples: [
    { times: 3, steps: [{ click: 'Load more' }] },
    { while: '${{ hasNext }}', max: 50, index: 'pageNumber', steps: [{ extract: { from: '.item', all: true, fields: { name: 'h3' } } }, { evaluate: { script: "!!document.querySelector('a.next')", into: 'hasNext' } }, { click: 'a.next', if: '${{ hasNext }}' }] },
  ],
  blocks: ['steps'],
  lazy: ['while'],
  scope: (params) => [typeof params.index === 'string' ? params.index : 'index'],
  title: (params) => (params.times !== undefined ? `repeat ${String(params.times)} times` : `repeat while ${String(params.while)}`),
  async run(params, ctx, node) {
    if ((params.times === undefined) === (params.while === undefined)) throw new Error('say how often: times: (a number) or while: (a condition), one of them');
    const index = params.index ?? 'index';
    const steps = node.blocks.steps ?? [];
    if (params.times !== undefined) {
      const times = Number(params.times);
      if (!Number.isInteger(times) || times < 0) throw new Error(`times must be a whole number, but it is ${JSON.stringify(params.times)}`);
      for (let round = 0; round < times; round++) {
        await ctx.round(round, (inside) => inside.runBlock(steps, { [index]: round }));
        ctx.progress(round + 1, times);
      }
      return;
    }
    const max = Number(params.max ?? DEFAULT_MAX);
    const holds = (round: number): boolean => {
      try {
        return isTrue(ctx.evaluate(params.while, { [index]: round }));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!message.includes('unknown name')) throw error;
        throw new Error(`while: ${message}; a variable the condition reads must be set before the loop (under vars: or with set:), so the steps inside can update it`);
      }
    };
    for (let round = 0; holds(round); round++) {
      if (round >= max) {
        ctx.log(`stopped after ${max} rounds (max), though ${String(params.while)} still holds`);
        return;
      }
      await ctx.round(round, (inside) => inside.runBlock(steps, { [index]: round }));
      ctx.progress(round + 1);
    }
  },
});
