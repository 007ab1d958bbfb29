import type { SettingOrigin } from '../policy/resolve.js';
import { shownOrigin } from '../policy/show.js';
import type { MemorySettings } from '../policy/settings.js';
import { shownPath } from '../runner/yaml-source.js';

/** One memory assertion of the policy, judged on a run. */
export interface MemoryAssertion {
  /** The setting: 'maxPeakMb', 'maxGrowthMbPer100Items' or 'budgets.<key>'. */
  setting: string;
  /** Where the setting was written: file:line:col, or the flag. */
  settingAt: string;
  /** What is judged: 'the run', or a step's title. */
  subject: string;
  /** The step judged, and where it is written. */
  stepId?: string;
  file?: string;
  line?: number;
  limitMb: number;
  measuredMb?: number;
  /** not-measured: the step never ran, or the loop had too few items to judge. */
  status: 'passed' | 'failed' | 'not-measured';
  message: string;
}

/** A step as assertions see it: what the run record keeps of it. */
export interface AssertedStep {
  id: string;
  title: string;
  file: string;
  line: number;
  container: boolean;
  runs: number;
  deltaMb?: number;
  /** Loops: the slope of total memory over their items, per 100 items. */
  growthMbPer100Items?: number;
}

export interface AssertionInputs {
  settings: Pick<MemorySettings, 'budgets' | 'maxPeakMb' | 'maxGrowthMbPer100Items'>;
  origins: Record<string, SettingOrigin>;
  steps: AssertedStep[];
  /** The workflow file: a bare line number in a budgets key is a line of it. */
  workflowFile: string;
  peakMb?: number;
  /** 'PSS', or 'RSS' where PSS cannot be read. */
  measure: string;
}

/** Whether a policy asserts anything about memory: only then are assertions judged. */
export function hasAssertions(settings: Partial<AssertionInputs['settings']>): boolean {
  return Boolean(settings.maxPeakMb || settings.maxGrowthMbPer100Items || Object.keys(settings.budgets ?? {}).length);
}

/**
 * The steps a budgets key names: "12" is line 12 of the workflow file, "parts/a.yaml:12" line 12
 * of a file whose path ends so, anything else a step's label (or title). Several steps may share one.
 */
export function stepsForKey<T extends Pick<AssertedStep, 'title' | 'file' | 'line'>>(key: string, steps: T[], workflowFile: string): T[] {
  const line = /^\s*(\d+)\s*$/.exec(key);
  if (line) return steps.filter((step) => step.file === workflowFile && step.line === Number(line[1]));
  const fileLine = /^(.+):(\d+)$/.exec(key.trim());
  if (fileLine) {
    const [, file, n] = fileLine;
    const matches = steps.filter((step) => step.line === Number(n) && (step.file === file || step.file.endsWith(`/${file.replace(/^\.\//, '')}`)));
    if (matches.length) return matches;
  }
  return steps.filter((step) => step.title === key);
}

/** Judges every memory assertion of the settings on a run's figures. A pure function: the report and the exit code agree. */
export function judgeAssertions(inputs: AssertionInputs): MemoryAssertion[] {
  const { settings, origins, steps, measure } = inputs;
  const at = (path: string) => shownOrigin(origins[path] ?? origins[path.split('.')[0]]);
  const results: MemoryAssertion[] = [];
  if (settings.maxPeakMb > 0) {
    const measured = inputs.peakMb;
    const status = measured === undefined ? 'not-measured' : measured > settings.maxPeakMb ? 'failed' : 'passed';
    const message =
      measured === undefined
        ? 'no memory sample was taken, so the peak is unknown'
        : `the run's peak memory was ${mb(measured)} MB ${measure}, ${status === 'failed' ? 'over' : 'within'} maxPeakMb ${mb(settings.maxPeakMb)} MB`;
    results.push({ setting: 'maxPeakMb', settingAt: at('maxPeakMb'), subject: 'the run', limitMb: settings.maxPeakMb, measuredMb: measured, status, message });
  }
  for (const [key, budget] of Object.entries(settings.budgets ?? {})) {
    const setting = `budgets.${key}`;
    for (const step of stepsForKey(key, steps, inputs.workflowFile)) {
      const where = { stepId: step.id, file: step.file, line: step.line };
      const measured = step.runs && step.deltaMb !== undefined ? step.deltaMb / step.runs : undefined;
      const status = measured === undefined ? 'not-measured' : measured > budget.maxMb ? 'failed' : 'passed';
      const message =
        measured === undefined
          ? `"${step.title}" never ran with memory measured around it`
          : `"${step.title}" added ${mb(measured)} MB ${measure} a run on average over ${step.runs} run${step.runs > 1 ? 's' : ''}, ${status === 'failed' ? 'over' : 'within'} its budget of ${mb(budget.maxMb)} MB`;
      results.push({ setting, settingAt: at(setting), subject: step.title, ...where, limitMb: budget.maxMb, measuredMb: measured, status, message });
    }
  }
  if (settings.maxGrowthMbPer100Items > 0) {
    const limit = settings.maxGrowthMbPer100Items;
    for (const loop of steps.filter((step) => step.container && step.growthMbPer100Items !== undefined)) {
      const measured = loop.growthMbPer100Items!;
      const status = measured > limit ? 'failed' : 'passed';
      const message = `memory in "${loop.title}" rose by ${mb(measured)} MB ${measure} per 100 items, ${status === 'failed' ? 'over' : 'within'} maxGrowthMbPer100Items ${mb(limit)} MB`;
      results.push({ setting: 'maxGrowthMbPer100Items', settingAt: at('maxGrowthMbPer100Items'), subject: loop.title, stepId: loop.id, file: loop.file, line: loop.line, limitMb: limit, measuredMb: measured, status, message });
    }
  }
  return results;
}

/** A failed assertion as the console says it: where the step is, what broke, and where the figure was set. */
export function describeAssertion(assertion: MemoryAssertion): string {
  const where = assertion.file ? `${shownPath(assertion.file)}:${assertion.line}: ` : `${assertion.settingAt}: `;
  return `${where}${assertion.message} (${assertion.setting}, set at ${assertion.settingAt})`;
}

function mb(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
