import { orExpression } from '../runner/json-schema.js';
import { Deadline } from './support/deadline.js';
import { actOn, describeTarget, findTarget, targetFrom, targetFromString, targetStepSchema, type Target } from './support/target.js';
import { defineStep } from './types.js';

interface ClickParams extends Target {
  button?: 'left' | 'right' | 'middle';
  clickCount?: number;
  force?: boolean;
  position?: { x: number; y: number };
}

export default defineStep<ClickParams>({
  kind: 'click',
  summary: 'Click an element named by a selector or by its visible text.',
  schema: targetStepSchema({
    button: { enum: ['left', 'right', 'middle'], description: 'Which mouse button. Default left.', examples: ['right'] },
    clickCount: orExpression({ type: 'integer', minimum: 1, maximum: 3, description: 'How many clicks: 2 for a double click. Default 1.', examples: [2] }),
    force: { type: 'boolean', description: 'Click even when the element is covered or not yet ready (skips the usual checks).', examples: [true] },
    position: {
      type: 'object',
      additionalProperties: false,
      required: ['x', 'y'],
      properties: {
        x: { type: 'number', description: 'Pixels from the left edge of the element.', examples: [10] },
        y: { type: 'number', description: 'Pixels from the top edge of the element.', examples: [5] },
      },
      description: 'Where to click, relative to the top-left corner of the element. Default its centre.',
      examples: [{ x: 10, y: 5 }],
    },
  }),
  examples: ['Sign in', '#submit', { text: 'Delete', button: 'right' }, { selector: 'tr.row', nth: 2, clickCount: 2 }],
  normalize: (value) => (typeof value === 'string' ? { ...targetFromString(value) } : (value as Record<string, unknown>)),
  title: (params) => `click ${describeTarget(targetFrom(params))}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    const target = targetFrom(params as Record<string, unknown>);
    const element = await findTarget(page, target, 'element', deadline);
    await actOn(element, describeTarget(target), deadline, (timeout) =>
      element.click({ button: params.button, clickCount: params.clickCount, force: params.force, position: params.position, timeout }),
    );
  },
});
