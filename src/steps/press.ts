import { Deadline } from './support/deadline.js';
import { actOn, describeTarget, nameOf, findTarget, targetValueSchema, toTarget } from './support/target.js';
import { defineStep } from './types.js';

interface PressParams {
  key: string | string[];
  on?: unknown;
}

export default defineStep<PressParams>({
  kind: 'press',
  summary: 'Press a key or a key combination, or several in turn, optionally in a given field.',
  schema: {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: {
          key: {
            description: 'A key such as Enter, Tab, ArrowDown, Escape or a, a combination such as Control+A, or a list pressed in turn.',
            examples: ['Enter', ['Tab', 'Tab', 'Enter']],
            anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
          },
          on: targetValueSchema('The field or element to focus first: a selector, its label or placeholder, or a mapping of target keys. Default: whatever has the focus.', ['Search', '#query']),
        },
      },
    ],
  },
  examples: ['Enter', ['Tab', 'Tab', 'Space'], { key: 'Enter', on: 'Search' }, { key: 'Control+A', on: '#notes' }],
  normalize: (value) => (typeof value === 'string' || Array.isArray(value) ? { key: value } : (value as Record<string, unknown>)),
  title: (params) => `press ${[params.key].flat().join(', ')}${params.on ? ` on ${nameOf(params.on)}` : ''}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    const keys = [params.key].flat().map(String);
    if (params.on === undefined) {
      for (const key of keys) await page.keyboard.press(key);
      return;
    }
    const target = toTarget(params.on);
    const element = await findTarget(page, target, 'field', deadline);
    for (const key of keys) await actOn(element, describeTarget(target), deadline, (timeout) => element.press(key, { timeout }));
  },
});
