import { printable } from './printable.js';

/** A problem found in an input file, located where possible, worded for a non-programmer. */
export interface Diagnostic {
  file: string;
  /** 1-based; absent when the problem is the file as a whole. */
  line?: number;
  col?: number;
  message: string;
  /** How to fix it, when there is more to say than the message. */
  hint?: string;
}

/** Thrown when input cannot be used; the CLI prints the diagnostics and exits with 2. */
export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
  }
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

const MAX_SHOWN_LINE = 160;
/** Messages and hints quote the user's text, which may be a whole megabyte value. */
const MAX_MESSAGE = 300;
const MAX_HINT = 600;

/**
 * Renders diagnostics as `file:line:col: message`, then the offending line with a caret under
 * the spot, then the hint. `sources` maps a file to its text for the excerpt.
 */
export function formatDiagnostics(diagnostics: Diagnostic[], sources: ReadonlyMap<string, string>): string {
  const lines = new Map<string, string[]>();
  // Split once per file: finding each problem's line from the top again was quadratic in the number of problems.
  const linesOf = (file: string) => {
    const text = sources.get(file);
    if (text !== undefined && !lines.has(file)) lines.set(file, text.split('\n'));
    return lines.get(file);
  };
  const blocks = [...diagnostics].sort(byPosition).map((d) => {
    const file = printable(d.file);
    const where = d.line ? `${file}:${d.line}:${d.col ?? 1}` : file;
    const out = [`${where}: ${printable(d.message, MAX_MESSAGE)}`];
    const source = d.line ? linesOf(d.file)?.[d.line - 1] : undefined;
    if (d.line && source !== undefined) out.push(...excerpt(printable(source.replace(/\r$/, '')), d.line, d.col ?? 1));
    if (d.hint) out.push(`  hint: ${printable(d.hint, MAX_HINT)}`);
    return out.join('\n');
  });
  const count = diagnostics.length;
  const files = new Set(diagnostics.map((d) => d.file)).size;
  const summary = `${count} problem${count === 1 ? '' : 's'}${files > 1 ? ` in ${files} files` : ''}`;
  return `${blocks.join('\n\n')}\n\n${summary}\n`;
}

function excerpt(source: string, line: number, col: number): string[] {
  let shown = source.replace(/\t/g, ' ');
  let caretCol = col;
  if (shown.length > MAX_SHOWN_LINE) {
    const start = Math.max(0, Math.min(col - 40, shown.length - MAX_SHOWN_LINE));
    shown = (start > 0 ? '…' : '') + shown.slice(start, start + MAX_SHOWN_LINE) + '…';
    caretCol = col - start + (start > 0 ? 1 : 0);
  }
  const gutter = String(line);
  return [`  ${gutter} | ${shown}`, `  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, caretCol - 1))}^`];
}
