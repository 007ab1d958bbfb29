import type { StepNode } from '../../steps/types.js';
import type { Decision } from './actions.js';

/**
 * Foreign pages: pages the workflow's pages opened themselves (popups, target=_blank) and
 * nobody closed. Each is closed once and reported as a leak, charged to the step behind it: for
 * a popup the step acting on its opener when Chromium announces it, else the step that had just
 * ended when the page was found; pages still open at the end of the run are charged to none.
 * `P` is whatever stands for a page: the rule only passes it on to the action.
 */

export interface ForeignPage<P> {
  page: P;
  /** Stays the page's own for the whole run. */
  id: string;
  url: string;
}

export type ForeignPagesSignal<P> =
  | { kind: 'popup'; foreign: ForeignPage<P>; openerStep: StepNode | undefined }
  | { kind: 'step-ended'; step: StepNode; foreign: ForeignPage<P>[] }
  | { kind: 'run-ended'; foreign: ForeignPage<P>[] };

export interface ForeignPagesState {
  /** Pages closed and reported already, by id: the session lists a page until its close completes. */
  reported: ReadonlySet<string>;
}

export interface ClosePageAction<P> {
  kind: 'close-foreign-page';
  page: P;
  url: string;
  step: StepNode | undefined;
}

export function initialForeignPagesState(): ForeignPagesState {
  return { reported: new Set() };
}

export function decide<P>(signal: ForeignPagesSignal<P>, previous: ForeignPagesState): Decision<ClosePageAction<P>, ForeignPagesState> {
  const step = signal.kind === 'popup' ? signal.openerStep : signal.kind === 'step-ended' ? signal.step : undefined;
  const found = signal.kind === 'popup' ? [signal.foreign] : signal.foreign;
  const fresh = found.filter((foreign) => !previous.reported.has(foreign.id));
  if (!fresh.length) return { actions: [], state: previous };
  return {
    actions: fresh.map(({ page, url }) => ({ kind: 'close-foreign-page', page, url, step })),
    state: { reported: new Set([...previous.reported, ...fresh.map((foreign) => foreign.id)]) },
  };
}
