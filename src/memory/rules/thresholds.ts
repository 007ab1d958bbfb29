import type { MemorySettings } from '../../policy/settings.js';
import type { AlertRequest, Decision, MemoryActionRequest } from './actions.js';

/**
 * The thresholds: watch the total memory at each sample. At or over thresholds.warnMb, an alert
 * at most once per cooldown, with warnAction when it is more than the alert. At or over the
 * limit (thresholds.limitMb, or the budget when that is unset), the action ladder: one rung per
 * cooldown, none while an action the thresholds asked for is under way, the last rung repeated
 * once reached; memory back under the limit starts the ladder over.
 */

export interface ThresholdSignals {
  /** The run's clock, ms. */
  t: number;
  totalMb: number;
  /**
   * An action the thresholds asked for (warnAction or a rung) is being taken now: its effect is
   * not known yet. Actions on a schedule (gc.everyPages, ...) do not count: with one after every
   * page, samples kept landing while one ran and the ladder could not climb.
   */
  acting: boolean;
}

export interface ThresholdSettings {
  thresholds: MemorySettings['thresholds'];
  /** The run's memory budget, if it has one. */
  budgetMb?: number;
}

export interface ThresholdState {
  lastWarnAt: number;
  lastLimitActionAt: number;
  /** The next rung of the ladder, counted from 0. */
  rung: number;
}

export function initialThresholdState(): ThresholdState {
  return { lastWarnAt: -Infinity, lastLimitActionAt: -Infinity, rung: 0 };
}

export function decide(signals: ThresholdSignals, settings: ThresholdSettings, previous: ThresholdState): Decision<AlertRequest | MemoryActionRequest, ThresholdState> {
  const { t, totalMb: mb, acting } = signals;
  const { warnMb, warnAction, limitActions: ladder, cooldownMs } = settings.thresholds;
  const state = { ...previous };
  const actions: Array<AlertRequest | MemoryActionRequest> = [];
  if (warnMb > 0 && mb >= warnMb && t - state.lastWarnAt >= cooldownMs) {
    state.lastWarnAt = t;
    actions.push({ kind: 'alert', level: 'warn', t, mb, thresholdMb: warnMb, message: `memory ${mb.toFixed(0)} MB is over the warning level of ${warnMb} MB` });
    if (warnAction !== 'alert') actions.push({ kind: warnAction, reason: `over warnMb (${warnMb} MB)` });
  }
  const limitMb = settings.thresholds.limitMb || (settings.budgetMb ?? 0);
  if (limitMb <= 0) return { actions, state };
  if (mb < limitMb) {
    state.rung = 0;
    return { actions, state };
  }
  if (acting || t - state.lastLimitActionAt < cooldownMs) return { actions, state };
  const action = ladder[Math.min(state.rung, ladder.length - 1)];
  state.rung++;
  state.lastLimitActionAt = t;
  const limitName = settings.thresholds.limitMb ? 'limitMb' : 'the budget';
  actions.push({ kind: 'alert', level: 'limit', t, mb, thresholdMb: limitMb, message: `memory ${mb.toFixed(0)} MB is over the limit of ${limitMb} MB: ${action}` });
  actions.push({ kind: action, reason: `over ${limitName} (${limitMb} MB), rung ${Math.min(state.rung, ladder.length)} of ${ladder.length}` });
  return { actions, state };
}
