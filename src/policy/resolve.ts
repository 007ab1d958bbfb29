import { createHash } from 'node:crypto';
import { InputError, type Diagnostic } from '../runner/diagnostics.js';
import { parseDuration } from '../runner/duration.js';
import { compileSchema } from '../runner/schema-validator.js';
import { keyNodeAt, nodeAt, positionOf, shownPath, type PathSegment, type YamlSource } from '../runner/yaml-source.js';
import { loadPolicyChain, type PolicyFile } from './load.js';
import { SETTING_BY_PATH, SETTING_SPECS, valueAtPath, type SettingSpec } from './setting-specs.js';
import { DEFAULT_SETTINGS, type MemorySettings } from './settings.js';

/** Where a setting's value came from; file paths are absolute. */
export interface SettingOrigin {
  kind: 'default' | 'policy' | 'workflow' | 'flag';
  file?: string;
  line?: number;
  col?: number;
  flag?: string;
}

/** The settings a run uses, with the policy they came from and where each value was set. */
export interface EffectivePolicy {
  /** 'defaults' when no policy file is used. */
  name: string;
  /** The policy's own version, as text. */
  version?: string;
  /** Absolute path of the policy file named by the workflow or a flag. */
  file?: string;
  /** sha256 (hex, first 12 characters) over the text of every file in the extends chain, base first. */
  hash?: string;
  description?: string;
  /** Absolute paths of the policy files, base first. */
  chain: string[];
  settings: MemorySettings;
  /** Dotted setting path as written ('maxPages', 'block.types', 'thresholds.cooldown') → where its value came from; a map's entries too ('budgets.extract details'). */
  origins: Record<string, SettingOrigin>;
}

/** A setting given on the command line, and the flag that gave it. */
export interface FlagSetting {
  value: unknown;
  flag: string;
}

export interface PolicyInputs {
  /** Absolute path of the policy file. */
  policyFile?: string;
  /** The workflow's `memory:` mapping: its values are at source.value[...path]. */
  workflowMemory?: { source: YamlSource; path: PathSegment[] };
  /** Dotted setting path as written → value and flag, e.g. { 'block.types': { value: ['image'], flag: '--block' } }. */
  flags?: Record<string, FlagSetting>;
}

/** What a workflow gives the policy: its policy file and its `memory:` mapping. */
export function workflowPolicyInputs(workflow: { policyFile?: string; memory?: unknown; source: YamlSource }): Pick<PolicyInputs, 'policyFile' | 'workflowMemory'> {
  return { policyFile: workflow.policyFile, workflowMemory: workflow.memory ? { source: workflow.source, path: ['memory'] } : undefined };
}

/**
 * Applies, in rising precedence: built-in defaults, the policy chain (base first), the
 * workflow's `memory:` section, then command-line flags. Sections merge key by key; a list
 * replaces the list below it. Throws an InputError, located, on any problem in any policy file.
 */
export function resolvePolicy(inputs: PolicyInputs): EffectivePolicy {
  const settings = structuredClone(DEFAULT_SETTINGS);
  const origins: Record<string, SettingOrigin> = Object.fromEntries(SETTING_SPECS.map((spec) => [spec.path, { kind: 'default' }]));
  const set: Setter = Object.assign(
    (spec: SettingSpec, value: unknown, origin: SettingOrigin) => {
      setField(settings, spec.field, spec.isDuration ? parseDuration(value as number | string) : value !== null && typeof value === 'object' ? structuredClone(value) : value);
      origins[spec.path] = origin;
    },
    { entry: (path: string, origin: SettingOrigin) => (origins[path] = origin) },
  );

  const chain = inputs.policyFile ? loadPolicyChain(inputs.policyFile) : [];
  for (const file of chain) applyWritten(file.source, [], 'policy', set);
  if (inputs.workflowMemory) applyWritten(inputs.workflowMemory.source, inputs.workflowMemory.path, 'workflow', set);
  for (const [path, { value, flag }] of Object.entries(inputs.flags ?? {})) set(checkedFlag(path, value, flag), value, { kind: 'flag', flag });

  checkThresholds(settings, origins);
  const top = chain[chain.length - 1];
  return {
    name: top ? top.value.name : 'defaults',
    ...(top && {
      version: String(top.value.version),
      file: top.source.path,
      hash: chainHash(chain),
      ...(top.value.description !== undefined && { description: top.value.description }),
    }),
    chain: chain.map((file) => file.source.path),
    settings,
    origins,
  };
}

/** Settings each valid alone but not together: a warning level at or above the limit never warns. */
function checkThresholds(settings: MemorySettings, origins: Record<string, SettingOrigin>): void {
  const { warnMb, limitMb } = settings.thresholds;
  if (warnMb <= 0 || limitMb <= 0 || warnMb < limitMb) return;
  const origin = origins['thresholds.limitMb'].kind !== 'default' ? origins['thresholds.limitMb'] : origins['thresholds.warnMb'];
  throw new InputError([
    {
      file: origin.file ? shownPath(origin.file) : 'command line',
      line: origin.line,
      col: origin.col,
      message: `thresholds.limitMb (${limitMb} MB) must be above thresholds.warnMb (${warnMb} MB), or the warning would never come first`,
      hint: 'lower warnMb, raise limitMb, or set warnMb: 0 to go without a warning',
    },
  ]);
}

/** Sets every setting written in the mapping at `prefix` of a file, located at its key. */
type Setter = ((spec: SettingSpec, value: unknown, origin: SettingOrigin) => void) & { entry(path: string, origin: SettingOrigin): void };

function applyWritten(source: YamlSource, prefix: PathSegment[], kind: 'policy' | 'workflow', set: Setter): void {
  const written = valueAtPath(source.value, prefix);
  for (const spec of SETTING_SPECS) {
    const value = valueAtPath(written, spec.written);
    if (value === undefined) continue;
    const parent = [...prefix, ...spec.written.slice(0, -1)];
    const key = keyNodeAt(source, parent, spec.written[spec.written.length - 1]) ?? nodeAt(source, [...prefix, ...spec.written]);
    const { line, col } = positionOf(source, key);
    set(spec, value, { kind, file: source.path, line, col });
    // A map's entries (budgets) are located one by one, so a message can point at the entry itself.
    if (spec.schema.additionalProperties && value && typeof value === 'object') {
      for (const entry of Object.keys(value)) {
        const at = positionOf(source, keyNodeAt(source, [...prefix, ...spec.written], entry));
        set.entry(`${spec.path}.${entry}`, { kind, file: source.path, line: at.line, col: at.col });
      }
    }
  }
}

function checkedFlag(path: string, value: unknown, flag: string): SettingSpec {
  const spec = SETTING_BY_PATH.get(path);
  if (!spec) throw new Error(`${flag} names "${path}", which is not a memory setting`);
  if (compileSchema(spec.schema)(value).length) {
    throw new InputError([{ file: 'command line', message: `${flag} cannot be ${JSON.stringify(value)}`, hint: spec.schema.description }]);
  }
  return spec;
}

function setField(settings: MemorySettings, field: string[], value: unknown): void {
  let target = settings as unknown as Record<string, unknown>;
  for (const key of field.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[field[field.length - 1]] = value;
}

function chainHash(chain: PolicyFile[]): string {
  const hash = createHash('sha256');
  // The separator keeps "ab" + "c" and "a" + "bc" apart.
  for (const file of chain) hash.update(file.source.text).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/**
 * The problems of a policy file, of the policies it extends and of the settings they make
 * together (as with a workflow's `memory:` over it), for `flow validate`; [] when valid.
 */
export function policyProblems(inputs: PolicyInputs): Diagnostic[] {
  try {
    resolvePolicy(inputs);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics;
    throw error;
  }
}
