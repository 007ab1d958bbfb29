import type { SettingOrigin } from '../policy/resolve.js';
import { SETTING_SPECS } from '../policy/setting-specs.js';
import { formatSettingValue } from '../policy/show.js';
import type { RunRecord } from '../runner/run-record.js';
import { shownFile } from './format.js';

type RecordedPolicy = RunRecord['policy'];

export interface PolicyView {
  name: string;
  version: string | null;
  file: string | null;
  hash: string | null;
  /** The policies this one extends, nearest first; empty when it extends none. */
  extends: string[];
  settings: SettingRow[];
}

export interface SettingRow {
  path: string;
  value: string;
  origin: string;
  /** 'default', 'policy', 'workflow' or 'flag', for styling. */
  originKind: string;
}

/** The policy as the report shows it: identity, then every setting with where its value came from. */
export function policyView(policy: RecordedPolicy, base: string): PolicyView {
  return {
    name: policy.name,
    version: policy.version ?? null,
    file: policy.file ? shownFile(policy.file, base) : null,
    hash: policy.hash ?? null,
    // The chain runs from the base to the policy itself, which extends only those before it.
    extends: policy.chain
      .slice(0, -1)
      .reverse()
      .map((file) => shownFile(file, base)),
    settings: SETTING_SPECS.map((spec) => {
      const origin = policy.origins[spec.path];
      return { path: spec.path, value: formatSettingValue(spec, policy.settings), origin: shownOrigin(origin, base), originKind: origin?.kind ?? 'default' };
    }),
  };
}

/** Settings whose values differ between two policies, with both values and origins. */
export function differingSettings(a: PolicyView, b: PolicyView): { path: string; a: SettingRow; b: SettingRow }[] {
  const byPath = new Map(b.settings.map((row) => [row.path, row]));
  return a.settings.flatMap((row) => {
    const other = byPath.get(row.path);
    return other && other.value !== row.value ? [{ path: row.path, a: row, b: other }] : [];
  });
}

function shownOrigin(origin: SettingOrigin | undefined, base: string): string {
  if (!origin || origin.kind === 'default') return 'default';
  if (origin.kind === 'flag') return `flag ${origin.flag ?? ''}`.trim();
  const where = origin.file ? `${shownFile(origin.file, base)}${origin.line ? `:${origin.line}` : ''}` : '';
  return `${origin.kind}${where ? ` ${where}` : ''}`;
}
