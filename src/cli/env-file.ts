import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { InputError } from '../runner/diagnostics.js';
import { pathProblem } from '../runner/path-kind.js';

/**
 * The environment a run sees with `--env-file`: the file's NAME=value lines (dotenv syntax) under
 * the process's own variables, which win, as with `node --env-file`, so a CI secret set in the
 * environment is never replaced by a developer's file.
 */
export function environmentWith(envFile: string | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (envFile === undefined) return env;
  const problem = pathProblem(envFile, 'file');
  if (problem) throw new InputError([{ file: 'command line', message: `--env-file ${envFile} ${problem.says}`, hint: problem.hint ?? 'give the path of a file of NAME=value lines' }]);
  let text: string;
  try {
    text = readFileSync(envFile, 'utf8');
  } catch (error) {
    throw new InputError([{ file: 'command line', message: `--env-file ${envFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }]);
  }
  if (text.includes('\u0000')) throw new InputError([{ file: 'command line', message: `--env-file ${envFile} is not a text file`, hint: 'give a file of NAME=value lines' }]);
  return { ...parseEnv(text), ...env };
}
