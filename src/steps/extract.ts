import { StepProblem } from '../runner/errors.js';
import { HINTS } from '../runner/hints.js';
import type { JsonSchema } from '../runner/json-schema.js';
import { orExpression } from '../runner/json-schema.js';
import { Deadline, seconds } from './support/deadline.js';
import type { Page } from 'playwright-core';
import { extractInPage, type FieldProblem, type FieldSpec, type PageExtraction } from './support/extract-page.js';
import { fieldNameSchema, isTrue, variableNameSchema } from './support/names.js';
import { defineStep, type DatasetRecord } from './types.js';

type FieldParam = string | { selector?: string; get?: FieldSpec['get']; attribute?: string; all?: boolean; required?: boolean };

interface ExtractParams {
  from?: string;
  all?: boolean;
  fields: Record<string, FieldParam>;
  into?: string;
  append?: boolean;
  dataset?: boolean;
  add?: Record<string, unknown>;
}

const fieldSchema: JsonSchema = {
  description: 'A CSS selector inside the match (its text is taken), or a mapping saying what to take.',
  examples: ['h2', { selector: 'a.product-link', attribute: 'href' }],
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        selector: { type: 'string', minLength: 1, description: 'CSS selector inside the match. Default: the match itself.', examples: ['.price'] },
        get: { enum: ['text', 'html', 'value', 'count'], description: 'What to take: text (default; trimmed, spaces collapsed), html (inner HTML), value (of a form field) or count (how many elements match the selector).', examples: ['count'] },
        attribute: { type: 'string', minLength: 1, description: 'Take this attribute instead of the text; href, src and action are made absolute URLs.', examples: ['href'] },
        all: { type: 'boolean', description: 'Take every element matching the selector, as a list. Default: the first.', examples: [true] },
        required: { type: 'boolean', description: 'Fail the step when this field is missing. Default: a missing field is null.', examples: [true] },
      },
    },
  ],
};

export default defineStep<ExtractParams>({
  kind: 'extract',
  summary: 'Read named fields from the page (from the first or every match of a selector) into the dataset or a variable.',
  passive: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['fields'],
    properties: {
      from: { type: 'string', minLength: 1, description: 'Selector of the element(s) to read fields from, such as one product card; the step waits for it to appear. Default: the whole page.', examples: ['article.product-card'] },
      all: orExpression({ type: 'boolean', description: 'Read every match of `from`, one record each. Default: the first match only.', examples: [true] }),
      fields: {
        type: 'object',
        minProperties: 1,
        propertyNames: fieldNameSchema,
        additionalProperties: fieldSchema,
        description: 'The fields of each record: a name, and a selector or a mapping saying what to take.',
        examples: [{ name: 'h2', url: { selector: 'a', attribute: 'href' }, price: '.price' }],
      },
      into: variableNameSchema('Also keep the result in this variable: a record, or a list of records with all: true.', 'products'),
      append: { type: 'boolean', description: 'With into: add to the list already in the variable instead of replacing it.', examples: [true] },
      dataset: { type: 'boolean', description: 'Add the records to the run\'s dataset. Default: true, or false when `into` is given.', examples: [true] },
      add: {
        type: 'object',
        propertyNames: fieldNameSchema,
        description: 'Fixed fields added to every record, such as the page number or the category being read.',
        examples: [{ category: '${{ item.name }}' }],
      },
    },
  },
  examples: [
    { from: 'article.product-card', all: true, fields: { name: 'h2', url: { selector: 'a.product-link', attribute: 'href' }, price: '.price' } },
    { fields: { title: 'h1', description: { selector: '.description', get: 'html' }, reviews: { selector: '.review', get: 'count' } }, into: 'product' },
    { from: 'li.result', all: true, fields: { title: 'a', link: { selector: 'a', attribute: 'href', required: true } }, into: 'links', append: true },
  ],
  defines: (params) => (typeof params.into === 'string' ? [params.into] : []),
  records: (params) => (params.dataset ?? !params.into ? [...Object.keys(params.fields as object), ...Object.keys((params.add as object | undefined) ?? {})] : []),
  title: (params) => {
    const names = Object.keys((params.fields as Record<string, unknown> | undefined) ?? {}).join(', ');
    return `extract ${names}${params.from ? ` from ${params.all ? 'each ' : ''}${String(params.from)}` : ''}`;
  },
  async run(params, ctx) {
    const fields = Object.entries(params.fields).map(([name, field]) => fieldSpec(name, field));
    const page = await ctx.page();
    const all = isTrue(params.all);
    const { records, problems } = (await extractNow(page, params.from, all, fields)) ?? (await extractWhenPresent(page, params.from, all, fields, ctx.timeoutMs));
    if (problems.length) throw new Error(problemMessage(problems, fields, params.from, all));
    const finished: DatasetRecord[] = records.map((record) => ({ ...record, ...params.add }));

    if (params.into) store(ctx, params.into, all ? finished : finished[0], params.append === true);
    if (params.dataset ?? !params.into) for (const record of finished) await ctx.emit(record);
  },
});

/**
 * The common case in one plain evaluation: a CSS `from` (or none) already on the page. A
 * locator would first install Playwright's injected script in every new document, which costs
 * more than the extraction itself on a crawl. Undefined when `from` matches nothing yet or is
 * not CSS (text=..., >>): then the locator path waits for it.
 */
async function extractNow(page: Page, from: string | undefined, all: boolean, fields: FieldSpec[]): Promise<PageExtraction | undefined> {
  const roots = from ? `Array.from(document.querySelectorAll(${JSON.stringify(from)}))` : '[document.documentElement]';
  const expression = `(() => {
    let roots;
    try { roots = ${roots}; } catch { return null; }
    if (roots.length === 0) return null;
    return (${extractInPage.toString()})(${all ? 'roots' : 'roots.slice(0, 1)'}, ${JSON.stringify(fields)});
  })()`;
  return ((await page.evaluate(expression)) as PageExtraction | null) ?? undefined;
}

async function extractWhenPresent(page: Page, from: string | undefined, all: boolean, fields: FieldSpec[], timeoutMs: number): Promise<PageExtraction> {
  const deadline = new Deadline(timeoutMs);
  let roots = page.locator(from ?? ':root');
  if (from) {
    await roots
      .first()
      .waitFor({ state: 'attached', timeout: deadline.left() })
      .catch((error: Error) => {
        if (error.name !== 'TimeoutError') throw error;
        throw new StepProblem(`no element matches ${from} (waited ${seconds(deadline.total)}); add optional: true if some pages lack it`, HINTS.element);
      });
  }
  if (!all) roots = roots.first();
  return roots.evaluateAll(extractInPage, fields);
}

function fieldSpec(name: string, field: FieldParam): FieldSpec {
  if (typeof field === 'string') return { name, selector: field, get: 'text', all: false, required: false };
  if (field.attribute && field.get && field.get !== 'attribute') throw new Error(`field "${name}" takes either an attribute or get: ${field.get}, not both`);
  if (field.get === 'count' && !field.selector) throw new Error(`field "${name}" counts elements: give it a selector`);
  return {
    name,
    selector: field.selector,
    get: field.attribute ? 'attribute' : (field.get ?? 'text'),
    attribute: field.attribute,
    all: field.all === true,
    required: field.required === true,
  };
}

function problemMessage(problems: FieldProblem[], fields: FieldSpec[], from: string | undefined, all: boolean): string {
  const first = problems[0];
  const field = fields.find((spec) => spec.name === first.field)!;
  if (first.reason === 'invalid-selector') return `field "${field.name}": ${field.selector} is not a valid CSS selector`;
  const where = from ? (all ? `in match ${first.match + 1} of ${from}` : `in ${from}`) : 'on the page';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more missing)` : '';
  return `field "${field.name}" is required, but ${field.selector ?? 'the element'} is missing ${where}${more}`;
}

/** Keeps the result in a variable; with `append`, adds it to the list already there. */
function store(ctx: { get(name: string): unknown; set(name: string, value: unknown): void }, name: string, value: unknown, append: boolean): void {
  if (!append) return ctx.set(name, value);
  // Read and write with no await between, so parallel lanes appending to one list lose nothing.
  const current = ctx.get(name);
  if (current !== undefined && current !== null && !Array.isArray(current)) throw new Error(`cannot append to ${name}: it holds ${typeof current === 'object' ? 'a mapping' : JSON.stringify(current)}, not a list`);
  ctx.set(name, [...((current as unknown[] | null | undefined) ?? []), ...(Array.isArray(value) ? value : [value])]);
}
