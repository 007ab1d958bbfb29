import type { BrowserSettings } from '../browser/launch.js';
import type { StepNode } from '../steps/types.js';
import type { YamlSource } from './yaml-source.js';

export type DatasetFormat = 'jsonl' | 'csv' | 'json';

/** A workflow file after validation, steps in full form with their locations. */
export interface Workflow {
  source: YamlSource;
  /** Absolute path of the file. */
  file: string;
  dir: string;
  name: string;
  description?: string;
  /** Variables as written; evaluated in order at the start of the run. */
  vars: Record<string, unknown>;
  /** Environment variables read, with defaults (null: must be set). */
  env: Record<string, string | number | boolean | null>;
  secrets: string[];
  browser: BrowserSettings;
  /** Absolute path of the policy file, if one is named. */
  policyFile?: string;
  /** The workflow's `memory:` overrides as written. */
  memory?: Record<string, unknown>;
  /** Absolute path of the folder to serve. */
  serve?: string;
  steps: StepNode[];
  output: { path: string; format: DatasetFormat };
  /** Report file name inside the run folder, or false for none. */
  report: string | false;
}

/** Names every expression may use besides the workflow's own variables. */
export const BUILTIN_NAMES = ['env', 'secrets', 'run'] as const;
