import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';

/** How `flow validate` ended on one file. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** What the case cost: CPU time in-process, time on the clock for a spawned CLI. */
  ms: number;
}

const root = new URL('../../', import.meta.url).pathname;
const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
const schemaOf = (name: string) => ajv.compile(JSON.parse(readFileSync(resolve(root, 'schemas', name), 'utf8')) as object);
const schemas = { workflow: schemaOf('workflow.schema.json'), policy: schemaOf('policy.schema.json') };

const STACK_LINE = /^\s+at .*:\d+:\d+\)?$/m;
/** Characters a terminal acts on or hides: control characters, and marks that reorder text. */
const HIDDEN_OR_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** A message quotes what it is about; the whole of a megabyte value is not a message. */
const MAX_HEADER = 400;
const SUMMARY = /^\d+ problems?( in \d+ files)?\n$/;
const HEADER = /^(?<file>.+?)(?::(?<line>\d+):(?<col>\d+))?: \S/;

/**
 * Everything wrong with how flow treated a file, [] when nothing: it must end with 0 or 2,
 * print no stack trace, start every problem with `file:line:col:` (or `file:`) naming a real
 * file and a line in it, and say 0 only for a file that is valid as far as an independent
 * check (UTF-8, one YAML document, the published JSON Schema) can tell.
 */
export function misbehaviour(outcome: Outcome, mutant: Buffer, cwd: string, timeLimitMs: number): string[] {
  const wrong: string[] = [];
  if (outcome.code !== 0 && outcome.code !== 2) wrong.push(`exit code ${outcome.code}`);
  if (STACK_LINE.test(outcome.stdout) || STACK_LINE.test(outcome.stderr)) wrong.push('a stack trace was printed');
  const hidden = HIDDEN_OR_CONTROL.exec(outcome.stdout + outcome.stderr);
  if (hidden) wrong.push(`the output holds the invisible or control character U+${hidden[0].codePointAt(0)!.toString(16).padStart(4, '0')}`);
  if (outcome.ms > timeLimitMs) wrong.push(`took ${Math.round(outcome.ms)} ms`);
  if (outcome.code === 0 && !independentlyValid(mutant)) wrong.push('exit 0 for a file that is not valid');
  if (outcome.code === 2) wrong.push(...unlocated(outcome.stderr, cwd));
  return wrong;
}

function unlocated(stderr: string, cwd: string): string[] {
  const blocks = stderr.split('\n\n');
  const summary = blocks.pop() ?? '';
  const wrong = SUMMARY.test(summary) ? [] : [`the output does not end with a count of problems: ${JSON.stringify(summary.slice(0, 200))}`];
  for (const block of blocks) {
    const header = HEADER.exec(block);
    const file = header?.groups?.file;
    if (!header || !file || (file !== 'command line' && !existsSync(resolve(cwd, file)))) {
      wrong.push(`a problem is not located in a file: ${JSON.stringify(block.slice(0, 200))}`);
      continue;
    }
    const headerLine = block.split('\n')[0];
    if (headerLine.length > MAX_HEADER + file.length) wrong.push(`a message is ${headerLine.length} characters long: ${headerLine.slice(0, 200)}…`);
    const line = Number(header.groups?.line ?? 1);
    const lines = file === 'command line' ? 1 : readFileSync(resolve(cwd, file), 'latin1').split('\n').length;
    if (line < 1 || line > lines || Number(header.groups?.col ?? 1) < 1) wrong.push(`a problem is located outside its file (${lines} lines): ${headerLine.slice(0, 200)}`);
    if (block.includes('[object Object]')) wrong.push(`a problem prints an object: ${block.slice(0, 200)}`);
  }
  return wrong;
}

/** Called only after flow said 0, so the text is already known to nest shallowly enough to parse. */
function independentlyValid(mutant: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(mutant);
  } catch {
    return false;
  }
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length !== 1 || docs[0].errors.length) return false;
  const value: unknown = docs[0].toJS({ maxAliasCount: 100 });
  if (!value || typeof value !== 'object') return false;
  return Boolean(('steps' in value ? schemas.workflow : schemas.policy)(value));
}
