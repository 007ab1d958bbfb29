import { ExpressionError } from './error.js';

export type TokenKind = 'number' | 'string' | 'name' | 'operator' | 'end';

export interface Token {
  kind: TokenKind;
  /** The operator or name as written, or a string literal's decoded text. */
  text: string;
  /** A number literal's value. */
  value?: number;
  /** Offsets in the whole text. */
  start: number;
  end: number;
}

// Longest first, so '===' wins over '==' and '?.' over '?'.
const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '(', ')', '[', ']', ',', '.', '!', '-', '+', '*', '/', '%', '<', '>', '?', ':'];
const ALIASES: Record<string, string> = { '===': '==', '!==': '!=' };
const MISTAKES: Record<string, string> = {
  '=': "a single '=' is not allowed; use '==' to compare",
  '&': "use '&&' for 'and'",
  '|': "use '||' for 'or'",
};
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };
const NUMBER = /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Splits an expression's source into tokens; `base` is the source's offset in the whole text. */
export function tokenize(source: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const start = i;
    if (char === '"' || char === "'") {
      const { text, end } = readString(source, i, base);
      tokens.push({ kind: 'string', text, start: base + start, end: base + end });
      i = end;
      continue;
    }
    const number = match(NUMBER, source, i);
    if (number) {
      i += number.length;
      tokens.push({ kind: 'number', text: number, value: Number(number), start: base + start, end: base + i });
      continue;
    }
    const name = match(NAME, source, i);
    if (name) {
      i += name.length;
      tokens.push({ kind: 'name', text: name, start: base + start, end: base + i });
      continue;
    }
    const operator = OPERATORS.find((op) => source.startsWith(op, i) && !(op === '?.' && /\d/.test(source[i + 2] ?? '')));
    if (operator) {
      i += operator.length;
      tokens.push({ kind: 'operator', text: ALIASES[operator] ?? operator, start: base + start, end: base + i });
      continue;
    }
    throw new ExpressionError(MISTAKES[char] ?? `unexpected character '${char}'`, base + start);
  }
  tokens.push({ kind: 'end', text: '', start: base + source.length, end: base + source.length });
  return tokens;
}

function match(pattern: RegExp, source: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(source)?.[0];
}

function readString(source: string, open: number, base: number): { text: string; end: number } {
  const quote = source[open];
  let text = '';
  let i = open + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === quote) return { text, end: i + 1 };
    if (char !== '\\') {
      text += char;
      i++;
      continue;
    }
    const next = source[i + 1] ?? '';
    if (next === 'u') {
      const escape = /^u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(source.slice(i + 1, i + 11));
      const code = escape ? parseInt(escape[1] ?? escape[2], 16) : NaN;
      if (!escape || code > 0x10ffff) throw new ExpressionError("'\\u' must be followed by 4 hex digits, like \\u00e9", base + i);
      text += String.fromCodePoint(code);
      i += 1 + escape[0].length;
      continue;
    }
    text += ESCAPES[next] ?? next;
    i += 2;
  }
  throw new ExpressionError(`this text has no closing quote (${quote})`, base + open);
}
