import type { Locator } from 'playwright-core';
import type { JsonSchema } from '../runner/json-schema.js';
import { Deadline, seconds } from './support/deadline.js';
import { clip } from './support/names.js';
import { actOn, describeTarget, nameOf, findTarget, targetProperties, toTarget } from './support/target.js';
import { defineStep } from './types.js';

interface Choice {
  field: unknown;
  option?: string | string[];
  value?: string | string[];
  label?: string | string[];
  index?: number | number[];
}

interface SelectParams {
  lists: Choice[];
}

const CHOICE_KEYS = ['option', 'value', 'label', 'index'] as const;

const textOrList = (description: string, examples: unknown[]): JsonSchema => ({
  description,
  examples,
  anyOf: [{ type: ['string', 'number'] }, { type: 'array', minItems: 1, items: { type: ['string', 'number'] } }],
});

export default defineStep<SelectParams>({
  kind: 'select',
  summary: 'Choose an option in a drop-down list (<select>), by its text or value.',
  schema: {
    anyOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: {
          field: {
            description: 'The list: a selector, its label, or a mapping of target keys.',
            examples: ['Country', 'select#size'],
            anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', additionalProperties: false, properties: targetProperties, minProperties: 1 }],
          },
          option: textOrList('The option to choose, by its text or its value; a list chooses several in a multiple list.', ['France']),
          value: textOrList('The option to choose, by its value attribute only.', ['FR']),
          label: textOrList('The option to choose, by its visible text only.', ['France']),
          index: {
            description: 'The option to choose, by position: 0 for the first.',
            examples: [0],
            anyOf: [{ type: 'integer', minimum: 0 }, { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } }, { type: 'string', pattern: '\\$\\{\\{' }],
          },
        },
      },
      {
        type: 'object',
        minProperties: 1,
        propertyNames: { type: 'string', minLength: 1, not: { enum: ['field', ...CHOICE_KEYS] } },
        additionalProperties: { type: ['string', 'number'], description: 'The option to choose, by its text or value, in the list named by the key.' },
        description: 'Lists and their options: each key names a list by its label or a selector.',
        examples: [{ Country: 'France', Size: 'M' }],
      },
    ],
  },
  examples: [{ Country: 'France' }, { field: 'select#size', value: 'm' }, { field: 'Toppings', option: ['Ham', 'Olives'] }, { field: '#sort', index: 0 }],
  normalize: (value) => {
    const map = value as Record<string, unknown>;
    if ('field' in map) return { lists: [map] };
    return { lists: Object.entries(map).map(([field, option]) => ({ field, option })) };
  },
  title: (params) => `select ${(params.lists as Choice[]).map((choice) => `${clip(String(choiceOf(choice)?.wanted.join(', ')))} in ${nameOf(choice.field)}`).join(', ')}`,
  async run(params, ctx) {
    const page = await ctx.page();
    const deadline = new Deadline(ctx.timeoutMs);
    for (const choice of params.lists) {
      const given = CHOICE_KEYS.filter((key) => choice[key] !== undefined);
      if (given.length > 1) throw new Error(`choose the option one way, not by ${given.join(' and ')}`);
      const how = choiceOf(choice);
      if (!how) throw new Error('say which option to choose: option, value, label or index');
      const target = toTarget(choice.field);
      const list = await findTarget(page, target, 'field', deadline);
      const wanted = how.key === 'option' ? how.wanted.map(String) : how.wanted.map((item) => ({ [how.key]: how.key === 'index' ? Number(item) : String(item) }) as { value?: string; label?: string; index?: number });
      try {
        await actOn(list, describeTarget(target), deadline, (timeout) => list.selectOption(wanted, { timeout }));
      } catch (error) {
        const missing = await missingOptions(list, how);
        if (!missing) throw error;
        throw new Error(`${describeTarget(target)} has no option ${how.key === 'option' ? '' : `with ${how.key} `}${missing.wanted} (waited ${seconds(deadline.total)}); its options: ${missing.options}`);
      }
    }
  },
});

function choiceOf(choice: Choice): { key: (typeof CHOICE_KEYS)[number]; wanted: (string | number)[] } | undefined {
  const given = CHOICE_KEYS.filter((key) => choice[key] !== undefined);
  return given.length ? { key: given[0], wanted: [choice[given[0]]].flat() as (string | number)[] } : undefined;
}

/**
 * When choosing failed because an option is not in the list, which ones are missing and what
 * the list offers; undefined when the options were there (the list was hidden, disabled...).
 */
async function missingOptions(list: Locator, how: NonNullable<ReturnType<typeof choiceOf>>): Promise<{ wanted: string; options: string } | undefined> {
  const options = await list
    .evaluate((element) => (element instanceof HTMLSelectElement ? [...element.options].map((option) => ({ label: option.label, value: option.value })) : undefined), undefined, { timeout: 1000 })
    .catch(() => undefined);
  if (!options) return undefined;
  const found = (item: string | number) => {
    if (how.key === 'index') return Number(item) < options.length;
    return options.some((option) => (how.key !== 'label' && option.value === String(item)) || (how.key !== 'value' && option.label === String(item)));
  };
  const missing = how.wanted.filter((item) => !found(item));
  if (!missing.length) return undefined;
  return {
    wanted: missing.map((item) => `"${item}"`).join(', '),
    options: options.length ? clip(options.map((option) => (option.value === '' || option.label === option.value ? option.label : `${option.label} (${option.value})`)).join(', '), 300) : 'none',
  };
}
