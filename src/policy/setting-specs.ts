import type { JsonSchema } from '../runner/json-schema.js';
import { heldKey, isDuration, isSection, memorySettingsProperties } from './settings.js';

/** One memory setting, as a policy file writes it and as MemorySettings holds it. */
export interface SettingSpec {
  /** Dotted path as written in a policy, e.g. 'thresholds.cooldown'. */
  path: string;
  /** The same path as keys, to find the value in a parsed file. */
  written: string[];
  /** Where MemorySettings holds the value: durations are kept in ms, e.g. ['thresholds', 'cooldownMs']. */
  field: string[];
  schema: JsonSchema;
  isDuration: boolean;
}

function spec(written: string[], schema: JsonSchema): SettingSpec {
  const field = [...written.slice(0, -1), heldKey(written[written.length - 1], schema)];
  return { path: written.join('.'), written, field, schema, isDuration: isDuration(schema) };
}

/** Every setting, in the order settings.ts declares them; sections are flattened to their keys. */
export const SETTING_SPECS: readonly SettingSpec[] = Object.entries(memorySettingsProperties).flatMap(([key, schema]) =>
  isSection(schema) ? Object.entries(schema.properties).map(([sub, child]) => spec([key, sub], child)) : [spec([key], schema)],
);

export const SETTING_BY_PATH: ReadonlyMap<string, SettingSpec> = new Map(SETTING_SPECS.map((s) => [s.path, s]));

export function valueAtPath(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
