import type { Ast, Name } from './expressions/ast.js';
import { ExpressionError } from './expressions/error.js';
import { evaluate } from './expressions/evaluate.js';
import { scanExpressions, hasExpression } from './expressions/find.js';
import { FUNCTIONS } from './expressions/functions.js';
import { parseExpression } from './expressions/parse.js';
import { compileTemplate } from './expressions/template.js';
import { isPlainObject, toText, ValueProblem } from './expressions/values.js';

export type { Ast } from './expressions/ast.js';
export { ExpressionError } from './expressions/error.js';
export { evaluate } from './expressions/evaluate.js';
export { findExpressions, hasExpression, type ExpressionSpan } from './expressions/find.js';
export { parseExpression } from './expressions/parse.js';

/** The functions expressions may call; nothing else is callable. */
export const FUNCTION_NAMES: readonly string[] = Object.freeze([...FUNCTIONS.keys()]);

/**
 * A text that is exactly one expression (surrounding whitespace aside) gives that expression's
 * value with its type; any other text gives a string with each expression's value written in.
 */
export function interpolate(text: string, scope: Record<string, unknown>): unknown {
  if (!hasExpression(text)) return text;
  const template = compileTemplate(text);
  if (template.whole) return evaluate(template.whole, scope);
  return template.parts.map((part) => (typeof part === 'string' ? part : written(part, scope))).join('');
}

/** A copy of a value with every string inside nested lists and plain objects interpolated. */
export function resolveDeep(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === 'string') return interpolate(value, scope);
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, scope));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDeep(item, scope)]));
  return value;
}

/** The root names an expression reads (not function names), each once, in order of appearance. */
export function freeNames(ast: Ast): string[] {
  return [...new Set(nameNodes(ast).map((node) => node.name))];
}

/**
 * Parses every expression in a text without evaluating: the root names used, with the offset
 * in the text of each use, and the syntax errors.
 */
export function checkExpressions(text: string): { names: { name: string; offset: number }[]; errors: ExpressionError[] } {
  const names: { name: string; offset: number }[] = [];
  const errors: ExpressionError[] = [];
  const { spans, unclosed } = scanExpressions(text);
  for (const span of spans) {
    try {
      const ast = parseExpression(span.source, span.start + '${{'.length);
      for (const node of nameNodes(ast)) names.push({ name: node.name, offset: node.start });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      errors.push(error);
    }
  }
  if (unclosed) errors.push(unclosed);
  return { names, errors };
}

function written(ast: Ast, scope: Record<string, unknown>): string {
  const value = evaluate(ast, scope);
  try {
    return toText(value);
  } catch (error) {
    if (error instanceof ValueProblem) throw new ExpressionError(error.message, ast.start);
    throw error;
  }
}

function nameNodes(ast: Ast, out: Name[] = []): Name[] {
  switch (ast.kind) {
    case 'name':
      out.push(ast);
      break;
    case 'array':
      for (const item of ast.items) nameNodes(item, out);
      break;
    case 'call':
      for (const arg of ast.args) nameNodes(arg, out);
      break;
    case 'member':
      nameNodes(ast.object, out);
      break;
    case 'index':
      nameNodes(ast.object, out);
      nameNodes(ast.index, out);
      break;
    case 'unary':
      nameNodes(ast.operand, out);
      break;
    case 'binary':
      nameNodes(ast.left, out);
      nameNodes(ast.right, out);
      break;
    case 'conditional':
      nameNodes(ast.test, out);
      nameNodes(ast.then, out);
      nameNodes(ast.otherwise, out);
      break;
  }
  return out;
}
