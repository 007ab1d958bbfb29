import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { pathProblem } from '../../runner/path-kind.js';

/**
 * The `vars:` of a workflow file as written, defaults not yet evaluated. The file was validated
 * when the include was loaded; it is checked again because a pipe put there since would hang the run.
 */
export function writtenVars(path: string): Record<string, unknown> {
  const problem = pathProblem(path, 'file');
  if (problem) throw new Error(`${path} ${problem.says}`);
  const doc = parse(readFileSync(path, 'utf8')) as { vars?: unknown } | null;
  const vars = doc?.vars;
  return vars && typeof vars === 'object' && !Array.isArray(vars) ? (vars as Record<string, unknown>) : {};
}
