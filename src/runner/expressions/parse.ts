import { didYouMean } from '../did-you-mean.js';
import { FORBIDDEN_PROPERTIES, type Ast, type BinaryOperator } from './ast.js';
import { ExpressionError } from './error.js';
import { FUNCTIONS } from './functions.js';
import { tokenize, type Token } from './tokenize.js';

export const MAX_SOURCE_LENGTH = 2000;
export const MAX_DEPTH = 100;

// Binding power: higher binds tighter. All binary operators are left-associative.
const PRECEDENCE: Record<string, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '==': 4,
  '!=': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};
const KEYWORDS = new Map<string, boolean | null>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

/** Parses one expression (the text between `${{` and `}}`); `baseOffset` locates it in the whole text. */
export function parseExpression(source: string, baseOffset = 0): Ast {
  if (source.length > MAX_SOURCE_LENGTH) throw new ExpressionError(`this expression is too long (over ${MAX_SOURCE_LENGTH} characters)`, baseOffset);
  const parser = new Parser(tokenize(source, baseOffset));
  return parser.parse();
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Ast {
    if (this.peek().kind === 'end') throw new ExpressionError('this expression is empty; write something between ${{ and }}', this.peek().start);
    const ast = this.expression();
    const extra = this.peek();
    if (extra.kind !== 'end') throw new ExpressionError(`unexpected ${show(extra)} here (is an operator or a comma missing?)`, extra.start);
    return ast;
  }

  private expression(): Ast {
    this.enter();
    const test = this.binary(0);
    let result = test;
    if (this.accept('?')) {
      const then = this.expression();
      this.expect(':', "expected ':' and the value to use otherwise");
      const otherwise = this.expression();
      result = { kind: 'conditional', test, then, otherwise, start: test.start };
    }
    this.depth--;
    return result;
  }

  private binary(minPrecedence: number): Ast {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      const precedence = token.kind === 'operator' ? PRECEDENCE[token.text] : undefined;
      if (!precedence || precedence <= minPrecedence) return left;
      this.next();
      const right = this.binary(precedence);
      left = { kind: 'binary', operator: token.text as BinaryOperator, left, right, start: left.start };
    }
  }

  private unary(): Ast {
    const token = this.peek();
    if (token.kind === 'operator' && (token.text === '!' || token.text === '-')) {
      this.next();
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { kind: 'unary', operator: token.text, operand, start: token.start };
    }
    return this.postfix(this.primary());
  }

  /** Reading from null gives undefined anyway, so '?.' reads exactly like '.'. */
  private postfix(object: Ast): Ast {
    for (;;) {
      const token = this.peek();
      const optionalIndex = isOperator(token, '?.') && isOperator(this.peek(1), '[');
      if (isOperator(token, '.') || (isOperator(token, '?.') && !optionalIndex)) {
        this.next();
        object = { kind: 'member', object, property: this.propertyName(token), start: object.start };
      } else if (isOperator(token, '[') || optionalIndex) {
        this.next();
        if (optionalIndex) this.next();
        const index = this.expression();
        this.expect(']', "expected a closing ']'");
        object = { kind: 'index', object, index, start: object.start };
      } else if (isOperator(token, '(')) {
        throw new ExpressionError('only functions like lower(x) can be called here, not methods or values', token.start);
      } else {
        return object;
      }
    }
  }

  private propertyName(dot: Token): string {
    const token = this.peek();
    if (token.kind !== 'name') throw new ExpressionError(`expected a property name after '${dot.text}'`, token.kind === 'end' ? dot.end : token.start);
    if (FORBIDDEN_PROPERTIES.has(token.text)) throw new ExpressionError(`'${token.text}' is not allowed in expressions`, token.start);
    this.next();
    return token.text;
  }

  private primary(): Ast {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'literal', value: token.value ?? 0, start: token.start };
      case 'string':
        return { kind: 'literal', value: token.text, start: token.start };
      case 'name':
        if (KEYWORDS.has(token.text)) return { kind: 'literal', value: KEYWORDS.get(token.text) ?? null, start: token.start };
        if (isOperator(this.peek(), '(')) return this.call(token);
        if (FORBIDDEN_PROPERTIES.has(token.text)) throw new ExpressionError(`'${token.text}' is not allowed in expressions`, token.start);
        return { kind: 'name', name: token.text, start: token.start };
      case 'operator':
        if (token.text === '(') {
          const inner = this.expression();
          this.expect(')', "expected a closing ')'");
          return inner;
        }
        if (token.text === '[') return { kind: 'array', items: this.list(']'), start: token.start };
        throw new ExpressionError(`expected a value ${this.after(this.at - 2)}but found ${show(token)}`, token.start);
      case 'end': {
        const previous = this.tokens[this.at - 1];
        throw new ExpressionError(`expected a value ${this.after(this.at - 1)}here`, previous ? previous.end : token.start);
      }
    }
  }

  private call(name: Token): Ast {
    const spec = FUNCTIONS.get(name.text);
    if (!spec) {
      const suggestion = didYouMean(name.text, FUNCTIONS.keys());
      throw new ExpressionError(`unknown function '${name.text}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, name.start);
    }
    this.next();
    const args = this.list(')');
    if (args.length < spec.min || args.length > spec.max) throw new ExpressionError(`${name.text}() takes ${arity(spec.min, spec.max)}, but got ${args.length}`, name.start);
    return { kind: 'call', name: name.text, args, start: name.start };
  }

  /** Comma-separated expressions up to `close` (the opening bracket is already read); a trailing comma is fine. */
  private list(close: ')' | ']'): Ast[] {
    const items: Ast[] = [];
    while (!this.accept(close)) {
      items.push(this.expression());
      if (this.accept(close)) break;
      this.expect(',', `expected ',' or a closing '${close}'`);
    }
    return items;
  }

  private after(index: number): string {
    const previous = this.tokens[index];
    return previous ? `after ${show(previous)} ` : '';
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError(`this expression is nested too deeply (over ${MAX_DEPTH} levels)`, this.peek().start);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.at++;
    return token;
  }

  private accept(operator: string): boolean {
    if (!isOperator(this.peek(), operator)) return false;
    this.next();
    return true;
  }

  /** A missing token is reported where it should be: right after the last token when the input ran out. */
  private expect(operator: string, message: string): void {
    if (this.accept(operator)) return;
    const found = this.peek();
    if (found.kind === 'end') throw new ExpressionError(`${message} here`, this.tokens[this.at - 1]?.end ?? found.start);
    throw new ExpressionError(`${message} before ${show(found)}`, found.start);
  }
}

function isOperator(token: Token, text: string): boolean {
  return token.kind === 'operator' && token.text === text;
}

function show(token: Token): string {
  if (token.kind === 'string') return 'a text in quotes';
  return `'${token.text}'`;
}

function arity(min: number, max: number): string {
  const count = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (min === max) return count(min);
  if (max === Infinity) return `at least ${count(min)}`;
  return `${min} to ${max} arguments`;
}
