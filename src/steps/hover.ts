import { Deadline } from './support/deadline.js';
import { actOn, describeTarget, findTarget, targetFrom, targetFromString, targetStepSchema, type Target } from './support/target.js';
import { defineStep } from './types.js';

interface HoverParams extends Target {
  force?: boolean;
}

export default defineStep<HoverParams>({
  kind: 'hover',
  summary: 'Move the mouse over an element, to open a menu or show a tooltip.',
  schema: targetStepSchema({
    force: { type: 'boolean', description: 'Hover even when the element is covered or not yet ready (skips the usual checks).', examples: [true] },
  }),
  examples: ['Products', 'nav .menu-toggle', { text: 'Account', nth: 0 }],
  normalize: (value) => (typeof value === 'string' ? { ...targetFromString(value) } : (value as Record<string, unknown>)),
  title: (params) => `hover ${describeTarget(targetFrom(params))}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    const target = targetFrom(params as Record<string, unknown>);
    const element = await findTarget(page, target, 'element', deadline);
    await actOn(element, describeTarget(target), deadline, (timeout) => element.hover({ force: params.force, timeout }));
  },
});
