import { expressionString, orExpression, type JsonSchema } from '../runner/json-schema.js';
import { fieldNameSchema, shown } from './support/names.js';
import { uniqueFields, uniqueSchema } from './support/unique.js';
import { defineStep, type DatasetRecord } from './types.js';

interface RecordParams {
  fields: unknown;
  unique?: string | string[];
}

const fieldsSchema: JsonSchema = {
  type: 'object',
  minProperties: 1,
  propertyNames: fieldNameSchema,
  description: 'The fields of the record: names, and values that are text, numbers, lists or expressions such as ${{ url }}.',
  examples: [{ title: '${{ page.title }}', url: '${{ url }}' }],
};

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export default defineStep<RecordParams>({
  kind: 'record',
  summary: 'Write one record to the dataset, built from variables: inside a loop item it is written when the item finishes, once.',
  passive: true,
  schema: {
    anyOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['fields'],
        properties: {
          fields: orExpression({ ...fieldsSchema }),
          unique: uniqueSchema('Leave the record out when this step already wrote one with the same values of these fields, anywhere in the run (a resumed run too).'),
        },
      },
      { ...fieldsSchema, description: 'The fields of the record (the short form of fields:).' },
      { ...expressionString, description: 'An expression giving a mapping, such as ${{ product }}: its keys are the fields.' },
    ],
  },
  examples: [{ title: '${{ heading.title }}', url: '${{ url }}', depth: '${{ depth }}' }, { fields: { sku: '${{ item.sku }}', price: '${{ number(item.price) }}' }, unique: 'sku' }, '${{ product }}'],
  // The full form has fields: and at most unique: besides; anything else is the short form, whose keys are the fields.
  normalize: (value) => (isMapping(value) && 'fields' in value && Object.keys(value).every((key) => key === 'fields' || key === 'unique') ? value : { fields: value }) as Record<string, unknown>,
  // An expression giving the whole mapping has fields known only when it runs.
  records: (params) => (isMapping(params.fields) ? Object.keys(params.fields) : undefined),
  problems: (params) => (isMapping(params.fields) ? uniqueFields(params.unique, Object.keys(params.fields)) : []),
  title: (params) => `record ${isMapping(params.fields) ? Object.keys(params.fields).join(', ') : shown(params.fields)}`,
  async run(params, ctx) {
    if (!isMapping(params.fields)) throw new Error(`a record is a mapping of fields, but this gave ${shown(params.fields)}`);
    const record: DatasetRecord = { ...params.fields };
    await ctx.emit(record, { unique: params.unique === undefined ? undefined : [params.unique].flat() });
  },
});
