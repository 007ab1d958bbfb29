import { shownPath } from '../runner/yaml-source.js';
import type { EffectivePolicy, SettingOrigin } from './resolve.js';
import type { MemorySettings } from './settings.js';
import { SETTING_SPECS, valueAtPath, type SettingSpec } from './setting-specs.js';

const MAX_VALUE_WIDTH = 40;

/** The text `flow policy show` prints: the policy, then each setting, its value and its origin. */
export function formatPolicy(policy: EffectivePolicy): string {
  const header: [string, string][] = [['name', policy.name]];
  if (policy.version !== undefined) header.push(['version', policy.version]);
  if (policy.description) header.push(['description', policy.description]);
  header.push(['file', policy.file ? shownPath(policy.file) : 'none: built-in defaults only']);
  if (policy.hash) header.push(['hash', policy.hash]);
  if (policy.chain.length) header.push(['chain', policy.chain.map(shownPath).join(' → ')]);

  const rows: [string, string, string][] = SETTING_SPECS.map((spec) => [spec.path, formatSettingValue(spec, policy.settings), shownOrigin(policy.origins[spec.path])]);
  const labelWidth = Math.max(...header.map(([label]) => label.length)) + 2;
  const pathWidth = Math.max('setting'.length, ...rows.map(([path]) => path.length)) + 2;
  const valueWidth = Math.max('value'.length, ...rows.map(([, value]) => value.length).filter((length) => length <= MAX_VALUE_WIDTH)) + 2;
  // A value wider than its column pushes only its own origin to the right.
  const cell = (text: string, width: number) => (text.length < width - 1 ? text.padEnd(width) : `${text}  `);
  const row = (cells: [string, string, string]) => `${cell(cells[0], pathWidth)}${cell(cells[1], valueWidth)}${cells[2]}`.trimEnd();

  return [...header.map(([label, text]) => `${label.padEnd(labelWidth)}${text}`), '', row(['setting', 'value', 'from']), ...rows.map(row)].join('\n');
}

/** A setting's value as a policy author reads it: lists comma-separated, durations with a unit, "off" for a 0 that turns it off. */
export function formatSettingValue(spec: SettingSpec, settings: MemorySettings): string {
  const value = valueAtPath(settings, spec.field);
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, { maxMb: number }>);
    return entries.length ? entries.map(([key, budget]) => `${JSON.stringify(key)} ≤ ${budget.maxMb} MB`).join(', ') : 'none';
  }
  if (spec.isDuration) return shownDuration(value as number);
  if (value === '') return 'none';
  if (value === 0) {
    // The schema's description says what 0 means, e.g. "0 turns it off" or "0 only at start".
    const meaning = /(?:^|[.;] )0 ([^.;]+)/.exec(spec.schema.description ?? '')?.[1];
    if (meaning === 'turns it off') return 'off';
    if (meaning) return `0 (${meaning})`;
  }
  return String(value);
}

function shownDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export function shownOrigin(origin: SettingOrigin | undefined): string {
  if (!origin || origin.kind === 'default') return 'default';
  if (origin.kind === 'flag') return origin.flag ?? 'command line';
  if (!origin.file) return origin.kind;
  return origin.line ? `${shownPath(origin.file)}:${origin.line}:${origin.col ?? 1}` : shownPath(origin.file);
}
