import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { stepModules } from '../steps/registry.js';
import type { StepNode } from '../steps/types.js';
import { buildWorkflow } from './build-workflow.js';
import { byPosition, InputError, type Diagnostic } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { checkExpressions } from './expressions.js';
import { pathProblem } from './path-kind.js';
import { schemaDiagnostics, type SchemaWording } from './schema-errors.js';
import type { JsonSchema } from './json-schema.js';
import { compileSchema } from './schema-validator.js';
import { BUILTIN_NAMES, type Workflow } from './workflow.js';
import { STEP_OPTION_KEYS, workflowSchema } from './workflow-schema.js';
import { readYamlSource, scalarTextOffset, shownPath, type YamlSource } from './yaml-source.js';
import { resolve } from 'node:path';

export const WORKFLOW_FILE = { noun: 'workflow', exampleKeys: 'version, name and steps' };

let compiled: { schema: JsonSchema; validate: ReturnType<typeof compileSchema>; wording: SchemaWording } | undefined;

/** The workflow schema, compiled once, with the wording of problems in steps. */
function workflowValidator(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  const schema = workflowSchema();
  const step = schema.$defs!.step;
  const kindRule = new Set<unknown>([step, ...(step.oneOf ?? [])]);
  const kinds = [...stepModules.keys()];
  const wording: SchemaWording = {
    // A step's missing or doubled kind is worded by buildWorkflow; ajv's oneOf says it less well.
    drop: (error) => kindRule.has(error.parentSchema) && (error.keyword === 'oneOf' || error.keyword === 'required'),
    unknownKey: (mapping, key) => {
      if (mapping !== step) return undefined;
      const suggestion = didYouMean(key, [...kinds, ...STEP_OPTION_KEYS]);
      return {
        message: `unknown step "${key}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
        hint: `steps: ${kinds.join(', ')}; options: ${[...STEP_OPTION_KEYS].join(', ')}`,
      };
    },
  };
  compiled = { schema, validate: compileSchema(schema), wording };
  return compiled;
}

/**
 * Reads and checks a workflow file completely: YAML, schema, expressions, variables, files
 * and included workflows. Throws an InputError holding every problem found, ordered by position.
 */
export function loadWorkflow(path: string, including: string[] = []): Workflow {
  return checkWorkflow(readYamlSource(resolve(path), WORKFLOW_FILE), including);
}

/** loadWorkflow's checks, for a file already read (to see whether it is a workflow at all). */
export function checkWorkflow(source: YamlSource, including: string[] = []): Workflow {
  const { schema, validate, wording } = workflowValidator();
  const diagnostics = schemaDiagnostics(source, schema, validate(source.value), wording);
  const workflow = buildWorkflow(source, diagnostics);
  diagnostics.push(...expressionDiagnostics(source), ...fileDiagnostics(workflow), ...variableDiagnostics(workflow));
  diagnostics.push(...includeDiagnostics(workflow, [...including, source.path]));
  if (diagnostics.length) throw new InputError(dedupe(diagnostics).sort(byPosition));
  return workflow;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.col}:${d.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Every string in the file that holds `${{ }}` is parsed, wherever it stands. */
function expressionDiagnostics(source: YamlSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  forEachScalar(source.doc.contents as Node, (node) => {
    if (typeof node.value !== 'string' || !node.value.includes('${{')) return;
    const { errors } = checkExpressions(node.value);
    for (const error of errors) out.push(at(source, node, error.offset, error.message));
  });
  return out;
}

function at(source: YamlSource, node: Node, offset: number, message: string, hint?: string): Diagnostic {
  const start = scalarTextOffset(node) ?? node.range?.[0] ?? 0;
  const pos = source.lineCounter.linePos(start + offset);
  return { file: source.shownPath, line: pos.line, col: pos.col, message, hint };
}

function forEachScalar(node: Node | null | undefined, visit: (node: Node & { value: unknown }) => void): void {
  if (!node) return;
  if (isScalar(node)) visit(node as Node & { value: unknown });
  else if (isMap(node) || isSeq(node)) {
    for (const item of node.items as unknown[]) {
      if (isPair(item)) forEachScalar(item.value as Node, visit);
      else forEachScalar(item as Node, visit);
    }
  }
}

function fileDiagnostics(workflow: Workflow): Diagnostic[] {
  const out: Diagnostic[] = [];
  const atKey = (key: string, path: string, what: string, expected: 'file' | 'folder', hint: string) => {
    const problem = pathProblem(path, expected);
    if (!problem) return;
    const node = workflow.source.doc.get(key, true) as Node | undefined;
    const pos = workflow.source.lineCounter.linePos(node?.range?.[0] ?? 0);
    out.push({ file: workflow.source.shownPath, line: pos.line, col: pos.col, message: `${what} ${shownPath(path)} ${problem.says}`, hint: problem.hint ?? hint });
  };
  if (workflow.policyFile) atKey('policy', workflow.policyFile, 'the policy file', 'file', 'the path is relative to this workflow file; shipped policies are in policies/');
  if (workflow.serve) atKey('serve', workflow.serve, 'the folder to serve', 'folder', 'the path is relative to this workflow file');
  walkSteps(workflow.steps, (step) => {
    for (const file of stepModules.get(step.kind)?.files?.(step.params) ?? []) {
      if (file.includes('${{')) continue;
      const problem = pathProblem(resolve(workflow.dir, file), 'file');
      if (!problem) continue;
      out.push({ file: step.loc.file, line: step.loc.line, col: step.loc.col, message: `${step.kind} reads ${file}, which ${problem.says}`, hint: problem.hint ?? 'the path is relative to this workflow file' });
    }
  });
  return out;
}

function includeDiagnostics(workflow: Workflow, including: string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  walkSteps(workflow.steps, (step) => {
    const module = stepModules.get(step.kind);
    if (!module?.readsWorkflows || !module.files) return;
    for (const file of module.files(step.params)) {
      if (file.includes('${{')) continue;
      const target = resolve(workflow.dir, file);
      // A path that is not a readable file is reported by fileDiagnostics, at the step.
      if (pathProblem(target, 'file')) continue;
      if (including.includes(target)) {
        const cycle = [...including.slice(including.indexOf(target)), target].map(shownPath).join(' → ');
        out.push({ file: step.loc.file, line: step.loc.line, col: step.loc.col, message: `this include makes a loop: ${cycle}`, hint: 'a workflow cannot include itself, directly or through another file' });
        continue;
      }
      try {
        loadWorkflow(target, including);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        out.push(...error.diagnostics);
      }
    }
  });
  return out;
}

export function walkSteps(steps: StepNode[], visit: (step: StepNode) => void): void {
  for (const step of steps) {
    visit(step);
    for (const block of Object.values(step.blocks)) walkSteps(block, visit);
    if (step.options.else) walkSteps(step.options.else, visit);
  }
}

/**
 * Names used in expressions must be defined before use: workflow vars, built-ins, names set by
 * earlier steps in the same or an enclosing block, and loop variables inside their loop.
 */
function variableDiagnostics(workflow: Workflow): Diagnostic[] {
  const out: Diagnostic[] = [];
  const source = workflow.source;
  const root = new Set<string>([...BUILTIN_NAMES, ...Object.keys(workflow.vars)]);
  if (workflow.serve) root.add('serve');

  // Where each name is set anywhere, to explain a name used outside the block that sets it.
  const setBy = new Map<string, StepNode>();
  walkSteps(workflow.steps, (step) => {
    for (const name of stepModules.get(step.kind)?.defines?.(step.params) ?? []) if (!setBy.has(name)) setBy.set(name, step);
  });

  let unlisted = 0;
  const check = (value: unknown, scope: Set<string>, node: Node | undefined, where: StepNode | undefined) => {
    for (const text of strings(value)) {
      const { names } = checkExpressions(text);
      for (const { name, offset } of names) {
        if (scope.has(name)) continue;
        // Suggestions cost a comparison with every name in scope: past a screenful of problems, count the rest.
        if (out.length >= MAX_UNKNOWN_NAMES_LISTED) {
          unlisted++;
          continue;
        }
        const suggestion = didYouMean(name, scope);
        const message = name === 'serve' ? 'serve.url is used, but the workflow has no serve: folder' : `unknown name "${name}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`;
        const setter = setBy.get(name);
        const hint =
          name === 'serve'
            ? 'add `serve: ./folder` to serve a folder for the run'
            : setter
              ? `it is set by ${setter.title} at line ${setter.loc.line}, inside a block or a later step: what a block sets stays inside it, so give it a value before (under vars:, or with set:) to use it here`
              : `define it under vars:, or set it in an earlier step (set, extract with into, evaluate with into); names here: ${namesList(scope)}`;
        const scalar = node ? findScalar(node, text) : undefined;
        if (scalar) out.push(at(source, scalar, offset, message, hint));
        else if (where) out.push({ file: where.loc.file, line: where.loc.line, col: where.loc.col, message, hint });
      }
    }
  };

  // vars may use the ones written before them.
  const varsSoFar = new Set<string>([...BUILTIN_NAMES, ...(workflow.serve ? ['serve'] : [])]);
  const varsNode = source.doc.get('vars', true) as Node | undefined;
  for (const [name, value] of Object.entries(workflow.vars)) {
    check(value, varsSoFar, varsNode, undefined);
    varsSoFar.add(name);
  }

  const walk = (steps: StepNode[], scope: Set<string>) => {
    for (const step of steps) {
      const module = stepModules.get(step.kind);
      const stepNode = source.doc.getIn(pointerPath(step.id), true) as Node | undefined;
      const blocks = new Set(module?.blocks ?? []);
      const inner = new Set([...scope, ...(module?.scope?.(step.params) ?? [])]);
      const ownValues = Object.entries(step.params).filter(([key]) => !blocks.has(key));
      const lazy = new Set(module?.lazy ?? []);
      check(ownValues.filter(([key]) => !lazy.has(key)).map(([, v]) => v), scope, stepNode, step);
      if (typeof step.options.if === 'string') check(step.options.if, scope, stepNode, step);
      const isolated = Boolean(module?.scope);
      const blockScope = isolated ? inner : scope;
      for (const key of blocks) walk(step.blocks[key] ?? [], blockScope);
      if (lazy.size) check(ownValues.filter(([key]) => lazy.has(key)).map(([, v]) => v), blockScope, stepNode, step);
      if (step.options.else) walk(step.options.else, scope);
      for (const name of module?.defines?.(step.params) ?? []) scope.add(name);
    }
  };
  walk(workflow.steps, root);
  if (unlisted) out.push({ file: source.shownPath, message: `${unlisted} more unknown name${unlisted > 1 ? 's' : ''} after line ${out.at(-1)?.line ?? 1} ${unlisted > 1 ? 'are' : 'is'} not listed`, hint: `fix the first ${MAX_UNKNOWN_NAMES_LISTED} first: one misspelt variable often accounts for many` });
  return out;
}

/** Past this many unknown names, the rest are counted, not listed. */
const MAX_UNKNOWN_NAMES_LISTED = 100;
/** Names a hint lists of those in scope; a workflow may define thousands. */
const MAX_NAMES_SHOWN = 30;

function namesList(scope: Set<string>): string {
  const names = [...scope].sort();
  return names.length > MAX_NAMES_SHOWN ? `${names.slice(0, MAX_NAMES_SHOWN).join(', ')} and ${names.length - MAX_NAMES_SHOWN} more` : names.join(', ');
}

function pointerPath(stepId: string): (string | number)[] {
  return stepId
    .slice(stepId.indexOf('#/') + 2)
    .split('/')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.includes('${{') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function findScalar(node: Node, text: string): Node | undefined {
  let found: Node | undefined;
  forEachScalar(node, (scalar) => {
    if (!found && scalar.value === text) found = scalar;
  });
  return found;
}
