import { didYouMean } from '../did-you-mean.js';
import type { Ast, Binary } from './ast.js';
import { ExpressionError } from './error.js';
import { FUNCTIONS } from './functions.js';
import { describe, readProperty, toText, ValueProblem, valuesEqual } from './values.js';

/** Computes an expression's value. Names come from the scope's own properties only. */
export function evaluate(ast: Ast, scope: Record<string, unknown>): unknown {
  switch (ast.kind) {
    case 'literal':
      return ast.value;
    case 'array':
      return ast.items.map((item) => evaluate(item, scope));
    case 'name':
      if (Object.hasOwn(scope, ast.name)) return scope[ast.name];
      throw new ExpressionError(unknownName(ast.name, Object.keys(scope)), ast.start);
    case 'member':
      return at(ast, () => readProperty(evaluate(ast.object, scope), ast.property));
    case 'index': {
      const object = evaluate(ast.object, scope);
      const key = evaluate(ast.index, scope);
      return at(ast.index, () => readProperty(object, key));
    }
    case 'call': {
      const spec = FUNCTIONS.get(ast.name);
      if (!spec) throw new ExpressionError(`unknown function '${ast.name}'`, ast.start);
      const args = ast.args.map((arg) => evaluate(arg, scope));
      return at(ast, () => spec.call(args));
    }
    case 'unary': {
      const operand = evaluate(ast.operand, scope);
      if (ast.operator === '!') return !operand;
      if (typeof operand !== 'number') throw new ExpressionError(`'-' needs a number, but got ${describe(operand)}${numberHint(operand)}`, ast.start);
      return -operand;
    }
    case 'conditional':
      return evaluate(ast.test, scope) ? evaluate(ast.then, scope) : evaluate(ast.otherwise, scope);
    case 'binary':
      return binary(ast, scope);
  }
}

function binary(ast: Binary, scope: Record<string, unknown>): unknown {
  const left = evaluate(ast.left, scope);
  switch (ast.operator) {
    case '&&':
      return left ? evaluate(ast.right, scope) : left;
    case '||':
      return left ? left : evaluate(ast.right, scope);
    case '??':
      return left ?? evaluate(ast.right, scope);
  }
  const right = evaluate(ast.right, scope);
  switch (ast.operator) {
    case '==':
      return at(ast, () => valuesEqual(left, right));
    case '!=':
      return at(ast, () => !valuesEqual(left, right));
    case '+':
      if (typeof left === 'string' || typeof right === 'string') return at(ast, () => toText(left) + toText(right));
      if (typeof left === 'number' && typeof right === 'number') return left + right;
      throw new ExpressionError(`cannot add ${describe(left)} and ${describe(right)}`, ast.right.start);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(ast, left, right);
  }
  if (typeof left !== 'number' || typeof right !== 'number') {
    const culprit = typeof left !== 'number' ? left : right;
    throw new ExpressionError(`'${ast.operator}' needs numbers, but got ${describe(culprit)}${numberHint(culprit)}`, typeof left !== 'number' ? ast.left.start : ast.right.start);
  }
  if ((ast.operator === '/' || ast.operator === '%') && right === 0) throw new ExpressionError('division by zero', ast.right.start);
  if (ast.operator === '-') return left - right;
  if (ast.operator === '*') return left * right;
  if (ast.operator === '/') return left / right;
  return left % right;
}

/** Numbers with numbers, text with text: nothing is converted behind the reader's back. */
function compare(ast: Binary, left: unknown, right: unknown): boolean {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) {
    const hint = numberHint(typeof left === 'string' ? left : right);
    throw new ExpressionError(`cannot compare ${describe(left)} with ${describe(right)}${hint}`, ast.start);
  }
  const [a, b] = [left, right] as [number | string, number | string];
  if (ast.operator === '<') return a < b;
  if (ast.operator === '<=') return a <= b;
  if (ast.operator === '>') return a > b;
  return a >= b;
}

function at<T>(node: Ast, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof ValueProblem) throw new ExpressionError(error.message, node.start);
    throw error;
  }
}

function unknownName(name: string, known: string[]): string {
  const suggestion = didYouMean(name, known);
  return `unknown name '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
}

function numberHint(value: unknown): string {
  return typeof value === 'string' ? ' (use number(...) to turn text into a number)' : '';
}
