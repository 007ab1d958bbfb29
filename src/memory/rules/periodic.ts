import type { MemorySettings } from '../../policy/settings.js';
import type { CacheMaintenanceRequest, Decision, MemoryActionRequest } from './actions.js';

/**
 * The periodic actions: count steps and page loads. Garbage collection every gc.everySteps
 * steps and every gc.everyPages page loads; cache maintenance at the start and every
 * cache.everyPages page loads (with cache.maxSizeMb set); a fresh browser every
 * recycle.browserEveryPages page loads, else a fresh context every recycle.contextEveryPages.
 * A recycle, periodic or asked for by the budget controller, waits for a moment when the page
 * is about to be replaced anyway: the start of a step that navigates, or the end of a loop
 * round, so no page is reloaded only to be thrown away. A browser restart due covers a
 * context recycle asked for meanwhile.
 */

export type PeriodicSignal =
  | { kind: 'run-started' }
  /** A step with no nested steps starts; `navigates`: it loads a new document first thing. */
  | { kind: 'step-started'; navigates: boolean }
  /** A step with no nested steps ended, passed or failed. */
  | { kind: 'step-ended' }
  | { kind: 'round-ended' }
  | { kind: 'page-loaded'; pagesVisited: number }
  /** The budget controller wants a fresh context. */
  | { kind: 'recycle-asked'; reason: string };

export type PeriodicSettings = Pick<MemorySettings, 'gc' | 'cache' | 'recycle'>;

export interface PeriodicState {
  stepsSinceGc: number;
  /** A recycle waiting for the page to be replaced. */
  recycleDue?: { kind: 'recycle-context' | 'restart-browser'; reason: string };
}

export type PeriodicAction = MemoryActionRequest | CacheMaintenanceRequest;

export function initialPeriodicState(): PeriodicState {
  return { stepsSinceGc: 0 };
}

export function decide(signal: PeriodicSignal, settings: PeriodicSettings, previous: PeriodicState): Decision<PeriodicAction, PeriodicState> {
  const state = { ...previous };
  const actions: PeriodicAction[] = [];
  const { gc, cache, recycle } = settings;
  const recycleNow = () => {
    if (!state.recycleDue) return;
    actions.push({ ...state.recycleDue, immediate: true });
    state.recycleDue = undefined;
  };
  switch (signal.kind) {
    case 'run-started':
      if (cache.maxSizeMb > 0) actions.push({ kind: 'maintain-cache', reason: 'at start', immediate: true });
      break;
    case 'step-started':
      if (signal.navigates) recycleNow();
      break;
    case 'round-ended':
      recycleNow();
      break;
    case 'step-ended':
      if (gc.everySteps > 0 && ++state.stepsSinceGc >= gc.everySteps) {
        state.stepsSinceGc = 0;
        actions.push({ kind: 'gc', reason: `every ${gc.everySteps} steps` });
      }
      break;
    case 'page-loaded': {
      const every = (n: number) => n > 0 && signal.pagesVisited % n === 0;
      if (every(gc.everyPages)) actions.push({ kind: 'gc', reason: `every ${gc.everyPages} pages` });
      if (every(recycle.browserEveryPages)) state.recycleDue = { kind: 'restart-browser', reason: `every ${recycle.browserEveryPages} pages` };
      else if (every(recycle.contextEveryPages)) askRecycle(state, `every ${recycle.contextEveryPages} pages`);
      if (every(cache.everyPages) && cache.maxSizeMb > 0) actions.push({ kind: 'maintain-cache', reason: `every ${cache.everyPages} pages` });
      break;
    }
    case 'recycle-asked':
      askRecycle(state, signal.reason);
      break;
  }
  return { actions, state };
}

function askRecycle(state: PeriodicState, reason: string): void {
  if (state.recycleDue?.kind !== 'restart-browser') state.recycleDue = { kind: 'recycle-context', reason };
}
