import type { Ast } from './ast.js';
import { findExpressions } from './find.js';
import { parseExpression } from './parse.js';

/** A text cut into literal pieces and parsed expressions, ready to evaluate many times. */
export interface Template {
  parts: (string | Ast)[];
  /** Set when the text is one expression and nothing else, so its value keeps its type. */
  whole?: Ast;
}

const MAX_CACHED = 5000;
const cache = new Map<string, Template>();

/** The runner interpolates the same strings for every page and item: parse each text once. */
export function compileTemplate(text: string): Template {
  const cached = cache.get(text);
  if (cached) return cached;
  const template = compile(text);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(text, template);
  return template;
}

function compile(text: string): Template {
  const spans = findExpressions(text);
  const parts: (string | Ast)[] = [];
  let last = 0;
  for (const span of spans) {
    if (span.start > last) parts.push(text.slice(last, span.start));
    parts.push(parseExpression(span.source, span.start + '${{'.length));
    last = span.end;
  }
  if (last < text.length) parts.push(text.slice(last));
  const only = spans.length === 1 ? spans[0] : undefined;
  const whole = only && text.trim() === text.slice(only.start, only.end) ? parts.find((part): part is Ast => typeof part !== 'string') : undefined;
  return { parts, whole };
}
