import { clock, count, duration, fixed, mb, ratio, signedMb, timestamp } from './format.js';

/**
 * The only helpers templates get. Each checks what it is given and throws on anything else, so
 * a template mistake fails the render instead of printing "NaN" or "[object Object]". None
 * marks its result as safe HTML: everything they produce is escaped, except scriptJson's, which
 * the layout places with the single triple-stash, inside a JSON script element.
 */
export const HELPERS: Record<string, (...args: unknown[]) => unknown> = {
  mb: (value) => mb(numberOrNull('mb', value)),
  signedMb: (value) => signedMb(numberOrNull('signedMb', value)),
  duration: (value) => duration(numberOrNull('duration', value)),
  clock: (value) => {
    const ms = numberOrNull('clock', value);
    return ms === null ? '—' : clock(ms);
  },
  count: (value) => count(numberOrNull('count', value)),
  decimal: (value, digits) => fixed(numberOrNull('decimal', value), typeof digits === 'number' ? digits : 2),
  percent: (value) => {
    const n = numberOrNull('percent', value);
    return n === null ? '—' : `${n.toFixed(n < 10 ? 2 : 1)} %`;
  },
  ratio: (a, b) => ratio(numberOrNull('ratio', a), numberOrNull('ratio', b)),
  timestamp: (value) => timestamp(stringOrNull('timestamp', value) ?? undefined),
  eq: (a, b) => a === b,
  safeUrl: (value) => safeUrl(stringOrNull('safeUrl', value)),
  scriptJson: (value) => scriptJson(value),
};

/** The URL itself when it is http(s), so a template may link it; null for anything else (javascript:, data:, ...). */
export function safeUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * JSON that cannot end the script element holding it nor open a comment or CDATA in it: `<`, `>`
 * and `&` are written as \u escapes (JSON.parse reads them back unchanged), and so are U+2028
 * and U+2029, which older JavaScript parsers took for line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function numberOrNull(helper: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw new Error(`the template gives ${helper} ${shown(value)}, which is not a number`);
  return value;
}

function stringOrNull(helper: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new Error(`the template gives ${helper} ${shown(value)}, which is not text`);
  return value;
}

/** Handlebars passes its own options object last: a helper given nothing receives only that. */
function shown(value: unknown): string {
  if (value && typeof value === 'object' && 'hash' in value && 'data' in value) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
