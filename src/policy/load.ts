import { readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError, type Diagnostic } from '../runner/diagnostics.js';
import { didYouMean } from '../runner/did-you-mean.js';
import { pathKind, pathProblem } from '../runner/path-kind.js';
import { schemaDiagnostics } from '../runner/schema-errors.js';
import type { JsonSchema } from '../runner/json-schema.js';
import { compileSchema } from '../runner/schema-validator.js';
import { nodeAt, positionOf, readYamlSource, shownPath, type FileKind, type YamlSource } from '../runner/yaml-source.js';
import { policySchema } from './schema.js';

export const POLICY_FILE: FileKind = { noun: 'policy', exampleKeys: 'name, version and maxPages' };

/** A policy file's top level after validation; the settings are as written. */
export interface PolicyValue {
  name: string;
  version: number | string;
  description?: string;
  extends?: string;
  [setting: string]: unknown;
}

export interface PolicyFile {
  source: YamlSource;
  value: PolicyValue;
  /** Absolute path of the policy named by `extends`. */
  extendsFile?: string;
}

let policyValidator: { schema: JsonSchema; validate: ReturnType<typeof compileSchema> } | undefined;

interface Inspection {
  file?: PolicyFile;
  diagnostics: Diagnostic[];
}

/** Reads one policy file and lists all its problems, so an author fixes them in one pass. */
function inspectPolicyFile(path: string): Inspection {
  let source: YamlSource;
  try {
    source = readYamlSource(resolve(path), POLICY_FILE);
  } catch (error) {
    if (error instanceof InputError) return { diagnostics: error.diagnostics };
    throw error;
  }
  policyValidator ??= { schema: policySchema(), validate: compileSchema(policySchema()) };
  const diagnostics = schemaDiagnostics(source, policyValidator.schema, policyValidator.validate(source.value));
  const value = source.value as PolicyValue;
  let extendsFile: string | undefined;
  if (typeof value.extends === 'string' && value.extends !== '') {
    extendsFile = resolve(dirname(source.path), value.extends);
    const problem = extendsFileProblem(value.extends, extendsFile);
    if (problem) diagnostics.push(atExtends(source, problem.message, problem.hint));
  }
  return { file: { source, value, extendsFile }, diagnostics };
}

function extendsFileProblem(written: string, target: string): { message: string; hint?: string } | undefined {
  const problem = pathProblem(target, 'file');
  if (!problem) return undefined;
  if (problem.kind === 'folder') return { message: `extends names ${shownPath(target)}, which is a folder`, hint: 'give the path of a policy .yaml file' };
  if (problem.kind !== 'missing') return { message: `extends names ${shownPath(target)}, which ${problem.says}`, hint: problem.hint };
  const dir = dirname(target);
  const siblings = pathKind(dir) === 'folder' ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
  const stem = (file: string) => file.replace(/\.ya?ml$/, '');
  const wanted = stem(basename(target));
  const close = siblings.find((f) => stem(f) === wanted) ?? siblings.find((f) => stem(f) === didYouMean(wanted, siblings.map(stem)));
  const suggestion = close && written.slice(0, written.length - basename(written).length) + close;
  const where = 'the path is relative to this policy file';
  return {
    message: `extends names ${shownPath(target)}, which does not exist${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
    hint: siblings.length ? `${where}; policies in ${shownPath(dir)}: ${siblings.join(', ')}` : where,
  };
}

function atExtends(source: YamlSource, message: string, hint?: string): Diagnostic {
  const { line, col } = positionOf(source, nodeAt(source, ['extends']));
  return { file: source.shownPath, line, col, message, hint };
}

/**
 * Reads a policy and every policy it extends, base first. Throws an InputError holding the
 * problems of every file in the chain, and a loop of `extends` located where it closes.
 */
export function loadPolicyChain(path: string): PolicyFile[] {
  const files: PolicyFile[] = [];
  const diagnostics: Diagnostic[] = [];
  let next: string | undefined = resolve(path);
  while (next) {
    const inspection = inspectPolicyFile(next);
    diagnostics.push(...inspection.diagnostics);
    const file = inspection.file;
    if (!file) break;
    files.push(file);
    next = file.extendsFile;
    // A base that is not a readable file is already reported at the `extends` that names it.
    if (!next || pathKind(next) !== 'file') break;
    const seen = files.map((f) => f.source.path);
    if (seen.includes(next)) {
      const loop = [...seen.slice(seen.indexOf(next)), next].map(shownPath).join(' → ');
      diagnostics.push(atExtends(file.source, `extends makes a loop: ${loop}`, 'a policy cannot extend itself, directly or through other policies'));
      break;
    }
  }
  if (diagnostics.length) throw new InputError(diagnostics);
  return files.reverse();
}
