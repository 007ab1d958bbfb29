import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BrowserNotFoundError, BrowserStartError } from '../browser/find-errors.js';
import { formatDiagnostics, InputError } from '../runner/diagnostics.js';
import { pathKind } from '../runner/path-kind.js';

/** Prints any problem in plain words on stderr: never a stack trace unless FLOW_DEBUG is set. */
export function printProblem(error: unknown): void {
  if (error instanceof InputError) {
    const sources = new Map<string, string>();
    for (const d of error.diagnostics) {
      if (sources.has(d.file) || d.line === undefined || pathKind(resolve(d.file)) !== 'file') continue;
      try {
        sources.set(d.file, readFileSync(resolve(d.file), 'utf8'));
      } catch {
        // The excerpt is a courtesy; the message stands without it.
      }
    }
    process.stderr.write(formatDiagnostics(error.diagnostics, sources));
    return;
  }
  if (error instanceof BrowserNotFoundError || error instanceof BrowserStartError) {
    process.stderr.write(`flow: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`flow: ${message}\n`);
  if (process.env.FLOW_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
