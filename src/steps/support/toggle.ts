import { Deadline } from './deadline.js';
import { actOn, describeTarget, findTarget, targetFrom, targetFromString, targetStepSchema, type Target } from './target.js';
import { defineStep, type StepModule } from '../types.js';

interface ToggleParams extends Target {
  force?: boolean;
}

/** `check` and `uncheck`: the same step, one ticking a box and one clearing it. */
export function toggleStep(kind: 'check' | 'uncheck'): StepModule<ToggleParams> {
  const ticks = kind === 'check';
  return defineStep<ToggleParams>({
    kind,
    summary: ticks ? 'Tick a checkbox or choose a radio button, named by its label or a selector.' : 'Clear a checkbox, named by its label or a selector.',
    schema: targetStepSchema({
      force: { type: 'boolean', description: 'Act even when the box is covered or not yet ready (skips the usual checks).', examples: [true] },
    }),
    examples: ticks ? ['Remember me', '#terms', { label: 'Express delivery' }] : ['Send me offers', 'input[name=newsletter]'],
    normalize: (value) => (typeof value === 'string' ? { ...targetFromString(value) } : (value as Record<string, unknown>)),
    title: (params) => `${kind} ${describeTarget(targetFrom(params))}`,
    async run(params, ctx) {
      const page = await ctx.page();
      const deadline = new Deadline(ctx.timeoutMs);
      const target = targetFrom(params as Record<string, unknown>);
      const box = await findTarget(page, target, 'field', deadline);
      await actOn(box, describeTarget(target), deadline, (timeout) => box.setChecked(ticks, { force: params.force, timeout }));
    },
  });
}
