import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The `vars:` of a workflow file as written, defaults not yet evaluated. The file has already
 * been validated by the time an include runs, so a problem here is only a vanished file.
 */
export function writtenVars(path: string): Record<string, unknown> {
  const doc = parse(readFileSync(path, 'utf8')) as { vars?: unknown } | null;
  const vars = doc?.vars;
  return vars && typeof vars === 'object' && !Array.isArray(vars) ? (vars as Record<string, unknown>) : {};
}
