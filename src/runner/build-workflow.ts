import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { BrowserSettings } from '../browser/launch.js';
import { stepModules } from '../steps/registry.js';
import type { StepModule, StepNode, StepOptions } from '../steps/types.js';
import type { Diagnostic } from './diagnostics.js';
import { parseDuration } from './duration.js';
import type { DatasetFormat, Workflow } from './workflow.js';
import { STEP_OPTION_KEYS } from './workflow-schema.js';
import { keyNodeAt, nodeAt, positionOf, type PathSegment, type YamlSource } from './yaml-source.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Builds the workflow from a schema-checked document: steps in full form, durations in
 * milliseconds, paths absolute. Problems only this pass can see go to `diagnostics`.
 */
export function buildWorkflow(source: YamlSource, diagnostics: Diagnostic[]): Workflow {
  const doc = source.value;
  const dir = dirname(source.path);
  const inDir = (path: string) => (isAbsolute(path) ? path : resolve(dir, path));
  const browser = { ...(isObject(doc.browser) ? doc.browser : {}) } as BrowserSettings;
  if (browser.profile) browser.profile = inDir(browser.profile);
  if (browser.executablePath && !isAbsolute(browser.executablePath) && browser.executablePath.includes('/')) browser.executablePath = inDir(browser.executablePath);

  return {
    source,
    file: source.path,
    dir,
    name: typeof doc.name === 'string' ? doc.name : source.shownPath.replace(/^.*\//, '').replace(/\.ya?ml$/i, ''),
    description: typeof doc.description === 'string' ? doc.description : undefined,
    vars: isObject(doc.vars) ? doc.vars : {},
    env: isObject(doc.env) ? (doc.env as Workflow['env']) : {},
    secrets: Array.isArray(doc.secrets) ? doc.secrets.map(String) : [],
    browser,
    policyFile: typeof doc.policy === 'string' ? inDir(doc.policy) : undefined,
    memory: isObject(doc.memory) ? doc.memory : undefined,
    serve: typeof doc.serve === 'string' ? inDir(doc.serve) : undefined,
    steps: buildSteps(source, doc.steps, ['steps'], diagnostics),
    output: outputOf(doc.output),
    report: doc.report === false ? false : typeof doc.report === 'string' ? doc.report : 'report.html',
  };
}

function outputOf(output: unknown): Workflow['output'] {
  const fromExtension = (path: string): DatasetFormat => {
    const ext = extname(path).slice(1).toLowerCase();
    return ext === 'csv' || ext === 'json' ? ext : 'jsonl';
  };
  if (typeof output === 'string') return { path: output, format: fromExtension(output) };
  if (isObject(output)) {
    const format = (output.format as DatasetFormat | undefined) ?? fromExtension(String(output.path ?? 'dataset.jsonl'));
    return { path: typeof output.path === 'string' ? output.path : `dataset.${format}`, format };
  }
  return { path: 'dataset.jsonl', format: 'jsonl' };
}

export function buildSteps(source: YamlSource, items: unknown, path: PathSegment[], diagnostics: Diagnostic[]): StepNode[] {
  if (!Array.isArray(items)) return [];
  const nodes: StepNode[] = [];
  items.forEach((item, index) => {
    const node = buildStep(source, item, [...path, index], diagnostics);
    if (node) nodes.push(node);
  });
  return nodes;
}

function buildStep(source: YamlSource, item: unknown, path: PathSegment[], diagnostics: Diagnostic[]): StepNode | undefined {
  const report = (at: PathSegment[], message: string, hint?: string, key?: string) => {
    const pos = positionOf(source, key ? keyNodeAt(source, at, key) : nodeAt(source, at));
    diagnostics.push({ file: source.shownPath, line: pos.line, col: pos.col, message, hint });
  };
  if (!isObject(item)) return undefined;
  const kinds = Object.keys(item).filter((key) => !STEP_OPTION_KEYS.has(key) && stepModules.has(key));
  const unknown = Object.keys(item).filter((key) => !STEP_OPTION_KEYS.has(key) && !stepModules.has(key));
  if (kinds.length === 0) {
    if (unknown.length === 0) report(path, 'this step has options but no step name', `start it with a step such as ${[...stepModules.keys()].slice(0, 6).join(', ')}`);
    return undefined;
  }
  if (kinds.length > 1) {
    report(path, `a step does one thing, but this one names ${kinds.map((k) => `"${k}"`).join(' and ')}`, 'split it into one step per line, each starting with "- "', kinds[1]);
    return undefined;
  }
  const kind = kinds[0];
  const module = stepModules.get(kind)!;
  const raw = item[kind];
  const params = normalizeParams(module, raw);
  if (!params) return undefined;

  const blocks: Record<string, StepNode[]> = {};
  const terseBlock = Array.isArray(raw) && module.blocks?.length;
  for (const key of module.blocks ?? []) {
    blocks[key] = buildSteps(source, params[key], terseBlock ? [...path, kind] : [...path, kind, key], diagnostics);
  }
  const pos = positionOf(source, keyNodeAt(source, path, kind));
  return {
    id: `${source.path}#/${path.join('/')}`,
    kind,
    params,
    options: optionsOf(source, item, path, diagnostics),
    blocks,
    loc: { file: source.shownPath, line: pos.line, col: pos.col },
    title: typeof item.label === 'string' ? item.label : stepTitle(module, params, raw),
  };
}

function normalizeParams(module: StepModule, raw: unknown): Record<string, unknown> | undefined {
  if (module.blocks?.length && Array.isArray(raw)) return { [module.blocks[0]]: raw };
  try {
    const params = module.normalize ? module.normalize(raw) : raw;
    return isObject(params) ? params : undefined;
  } catch {
    // The schema check has already reported why this value is unusable.
    return undefined;
  }
}

function optionsOf(source: YamlSource, item: Record<string, unknown>, path: PathSegment[], diagnostics: Diagnostic[]): StepOptions {
  const options: StepOptions = {};
  if (typeof item.if === 'string' || typeof item.if === 'boolean') options.if = item.if;
  if (Array.isArray(item.else)) options.else = buildSteps(source, item.else, [...path, 'else'], diagnostics);
  if (typeof item.timeout === 'number' || typeof item.timeout === 'string') options.timeoutMs = safeDuration(item.timeout);
  if (item.optional === true) options.optional = true;
  if (typeof item.retry === 'number') options.retry = { times: item.retry, delayMs: 0 };
  else if (isObject(item.retry) && typeof item.retry.times === 'number') {
    options.retry = { times: item.retry.times, delayMs: safeDuration(item.retry.delay as string | number | undefined) ?? 0 };
  }
  if (typeof item.label === 'string') options.label = item.label;
  return options;
}

function safeDuration(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

function stepTitle(module: StepModule, params: Record<string, unknown>, raw: unknown): string {
  if (module.title) return module.title(params);
  if (typeof raw === 'string' || typeof raw === 'number') return `${module.kind} ${JSON.stringify(raw)}`;
  return module.kind;
}
