import type { MemoryAction } from '../../policy/settings.js';
import type { BudgetAction } from './budget.js';

/** What a rule returns for one signal: the actions to take, and what it remembers for the next. */
export interface Decision<Action, State> {
  actions: Action[];
  state: State;
}

/**
 * One of the policy's actions on memory. `immediate`: started at once, not behind the actions
 * queued before it (a recycle at the start of a navigating step must put the session's barrier
 * up before the step asks for its page); while another action is under way it queues all the same.
 */
export interface MemoryActionRequest {
  kind: MemoryAction;
  reason: string;
  immediate?: true;
}

/** Trim (or clear) a persistent profile's cache folder, and the browser's HTTP cache when cache.clearBrowserCache says so. */
export interface CacheMaintenanceRequest {
  kind: 'maintain-cache';
  reason: string;
  immediate?: true;
}

export interface AlertRequest {
  kind: 'alert';
  level: 'warn' | 'limit';
  t: number;
  mb: number;
  thresholdMb: number;
  message: string;
}

/** The budget controller's change of concurrency, with the budget and the sample's total it was decided on. */
export type AllowanceRequest = Extract<BudgetAction, { kind: 'set-allowance' }> & { budgetMb: number; totalMb?: number };

/** The budget controller's block of resource types, with the budget and the sample's total it was decided on. */
export type BlockRequest = Extract<BudgetAction, { kind: 'block' }> & { budgetMb: number; totalMb?: number };

/** Everything the actuator performs. */
export type PolicyAction = MemoryActionRequest | CacheMaintenanceRequest | AlertRequest | AllowanceRequest | BlockRequest;
