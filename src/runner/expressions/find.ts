import { ExpressionError } from './error.js';

/** Where an expression stands in a text: `start` at '$', `end` after '}}', `source` the text between. */
export interface ExpressionSpan {
  start: number;
  end: number;
  source: string;
}

const OPEN = '${{';
const CLOSE = '}}';

/** Every `${{ ... }}` in a text. A '}}' inside a quoted string does not close the expression. */
export function findExpressions(text: string): ExpressionSpan[] {
  const { spans, unclosed } = scanExpressions(text);
  if (unclosed) throw unclosed;
  return spans;
}

/** The expressions found before an unclosed '${{', and the error for it if there is one. */
export function scanExpressions(text: string): { spans: ExpressionSpan[]; unclosed?: ExpressionError } {
  const spans: ExpressionSpan[] = [];
  let from = 0;
  for (let start = text.indexOf(OPEN); start !== -1; start = text.indexOf(OPEN, from)) {
    const inner = start + OPEN.length;
    const close = findClose(text, inner);
    if (close === -1) return { spans, unclosed: new ExpressionError("this '${{' is never closed with '}}'", start) };
    spans.push({ start, end: close + CLOSE.length, source: text.slice(inner, close) });
    from = close + CLOSE.length;
  }
  return { spans };
}

export function hasExpression(text: string): boolean {
  return text.includes(OPEN);
}

function findClose(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (text.startsWith(CLOSE, i)) {
      return i;
    }
  }
  // An unclosed quote: close at the first '}}' so the parser can point at the quote itself.
  return quote ? text.indexOf(CLOSE, from) : -1;
}
