/** One field of an `extract` step, in the form the page function reads. */
export interface FieldSpec {
  name: string;
  /** CSS selector relative to the match; none means the match itself. */
  selector?: string;
  get: 'text' | 'html' | 'value' | 'count' | 'attribute';
  attribute?: string;
  /** Every match of the selector as a list, rather than the first. */
  all: boolean;
  required: boolean;
}

export interface FieldProblem {
  field: string;
  /** 0-based index of the match the problem was found in. */
  match: number;
  reason: 'missing' | 'invalid-selector';
}

export interface PageExtraction {
  records: Record<string, unknown>[];
  problems: FieldProblem[];
}

/**
 * Runs inside the page: reads every field of every match in one pass, so extracting 50 cards
 * costs one round trip, not one per field per card. Serialized by Playwright, so it uses
 * nothing from this module, and only anonymous arrows and object methods inside (a named inner
 * function would pick up a bundler helper the page does not have).
 */
export function extractInPage(roots: Element[], fields: FieldSpec[]): PageExtraction {
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'poster', 'cite', 'background'];
  const read = {
    text(element: Element): string {
      const raw = element instanceof HTMLElement ? element.innerText : (element.textContent ?? '');
      return raw
        .split('\n')
        .map((line) => line.replace(/\s+/g, ' ').trim())
        .filter((line) => line.length > 0)
        .join('\n');
    },
    one(element: Element, field: FieldSpec): unknown {
      if (field.get === 'html') return element.innerHTML;
      if (field.get === 'value') return 'value' in element ? String((element as HTMLInputElement).value) : null;
      if (field.get === 'attribute') {
        const value = element.getAttribute(field.attribute ?? '');
        if (value === null || !urlAttributes.includes((field.attribute ?? '').toLowerCase())) return value;
        try {
          return new URL(value, document.baseURI).href;
        } catch {
          return value;
        }
      }
      return read.text(element);
    },
  };
  const records: Record<string, unknown>[] = [];
  const problems: FieldProblem[] = [];
  roots.forEach((root, match) => {
    const record: Record<string, unknown> = {};
    for (const field of fields) {
      let found: Element[];
      try {
        found = field.selector ? Array.from(field.get === 'count' || field.all ? root.querySelectorAll(field.selector) : [root.querySelector(field.selector)].filter((element): element is Element => element !== null)) : [root];
      } catch {
        problems.push({ field: field.name, match, reason: 'invalid-selector' });
        record[field.name] = null;
        continue;
      }
      let value: unknown;
      if (field.get === 'count') value = found.length;
      else if (field.all) value = found.map((element) => read.one(element, field)).filter((item) => item !== null);
      else value = found.length ? read.one(found[0], field) : null;
      if (field.required && (value === null || (Array.isArray(value) && value.length === 0))) problems.push({ field: field.name, match, reason: 'missing' });
      record[field.name] = value;
    }
    records.push(record);
  });
  return { records, problems };
}
