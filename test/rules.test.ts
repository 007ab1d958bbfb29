import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS, type MemorySettings } from '../src/policy/settings.js';
import type { Decision } from '../src/memory/rules/actions.js';
import { decide as decideBudget, initialBudgetState, type BudgetLimits, type BudgetSignals } from '../src/memory/rules/budget.js';
import { decide as decideForeignPages, initialForeignPagesState, type ForeignPagesSignal } from '../src/memory/rules/foreign-pages.js';
import { decide as decidePeriodic, initialPeriodicState, type PeriodicSettings, type PeriodicSignal } from '../src/memory/rules/periodic.js';
import { decide as decideThresholds, initialThresholdState, type ThresholdSettings, type ThresholdSignals } from '../src/memory/rules/thresholds.js';
import type { StepNode } from '../src/steps/types.js';

/** The policy's rules, driven by signal sequences: each signal's actions, in order (more of the budget controller in test/budget.test.ts). */

function replay<Signal, Settings, State, Action>(decide: (signal: Signal, settings: Settings, state: State) => Decision<Action, State>, settings: Settings, state: State, signals: Signal[]): Action[][] {
  return signals.map((signal) => {
    const decided = decide(signal, settings, state);
    state = decided.state;
    return decided.actions;
  });
}

const thresholdSettings = (thresholds: Partial<MemorySettings['thresholds']>, budgetMb?: number): ThresholdSettings => ({ thresholds: { ...DEFAULT_SETTINGS.thresholds, ...thresholds }, budgetMb });
const samples = (...pairs: Array<[t: number, totalMb: number, acting?: boolean]>): ThresholdSignals[] => pairs.map(([t, totalMb, acting = false]) => ({ t, totalMb, acting }));
/** An action as [kind, reason or message]. */
const shown = (actions: Array<{ kind: string; reason?: string; message?: string }>) => actions.map((action) => [action.kind, action.reason ?? action.message]);

describe('thresholds', () => {
  test('a recorded crawl of heavy pages: warnings once per cooldown, the ladder one rung per cooldown, back to the first rung under the limit', () => {
    // Recorded with Chromium 156 (test/fixtures/budget/heavy.json): the total is flow and the browser plus the pages open then.
    const recorded: Array<{ t: number; otherMb: number; pageMb: number; pagesOpen: number }> = JSON.parse(readFileSync(new URL('fixtures/budget/heavy.json', import.meta.url), 'utf8')).samples;
    const signals = recorded.map(({ t, otherMb, pageMb, pagesOpen }) => ({ t, totalMb: otherMb + pagesOpen * pageMb, acting: false }));
    const decided = replay(decideThresholds, thresholdSettings({ warnMb: 700, limitMb: 900, cooldownMs: 2000 }), initialThresholdState(), signals);
    assert.deepEqual(
      decided.flatMap((actions, i) => (actions.length ? [[signals[i].t, shown(actions)]] : [])),
      [
        [11055, [['alert', 'memory 735 MB is over the warning level of 700 MB']]],
        [13278, [['alert', 'memory 756 MB is over the warning level of 700 MB']]],
        [15057, [['alert', 'memory 963 MB is over the limit of 900 MB: gc'], ['gc', 'over limitMb (900 MB), rung 1 of 5']]],
        [16175, [['alert', 'memory 1018 MB is over the warning level of 700 MB']]],
        [17173, [['alert', 'memory 1046 MB is over the limit of 900 MB: close-idle-pages'], ['close-idle-pages', 'over limitMb (900 MB), rung 2 of 5']]],
        [18334, [['alert', 'memory 1239 MB is over the warning level of 700 MB']]],
        [19453, [['alert', 'memory 999 MB is over the limit of 900 MB: recycle-context'], ['recycle-context', 'over limitMb (900 MB), rung 3 of 5']]],
      ],
    );
    assert.deepEqual(decided[8][0], { kind: 'alert', level: 'limit', t: 15057, mb: signals[8].totalMb, thresholdMb: 900, message: 'memory 963 MB is over the limit of 900 MB: gc' });
  });

  test('warnAction comes with each warning; below warnMb nothing', () => {
    const decided = replay(decideThresholds, thresholdSettings({ warnMb: 500, warnAction: 'gc', cooldownMs: 10_000 }), initialThresholdState(), samples([0, 600], [9999, 700], [10_000, 499], [10_001, 500]));
    assert.deepEqual(decided.map(shown), [
      [
        ['alert', 'memory 600 MB is over the warning level of 500 MB'],
        ['gc', 'over warnMb (500 MB)'],
      ],
      [],
      [],
      [
        ['alert', 'memory 500 MB is over the warning level of 500 MB'],
        ['gc', 'over warnMb (500 MB)'],
      ],
    ]);
  });

  test('the ladder waits while an action is under way, starts over once memory is under the limit, and repeats its last rung: stop', () => {
    const settings = thresholdSettings({ limitMb: 1000, limitActions: ['gc', 'stop'], cooldownMs: 0 });
    const decided = replay(decideThresholds, settings, initialThresholdState(), samples([0, 1100], [1, 1100, true], [2, 1100], [3, 999], [4, 1000], [5, 1200], [6, 1300]));
    assert.deepEqual(
      decided.map((actions) => shown(actions.filter((action) => action.kind !== 'alert'))),
      [[['gc', 'over limitMb (1000 MB), rung 1 of 2']], [], [['stop', 'over limitMb (1000 MB), rung 2 of 2']], [], [['gc', 'over limitMb (1000 MB), rung 1 of 2']], [['stop', 'over limitMb (1000 MB), rung 2 of 2']], [['stop', 'over limitMb (1000 MB), rung 2 of 2']]],
    );
  });

  test('without limitMb the budget is the limit; without either there is no ladder', () => {
    assert.deepEqual(shown(decideThresholds({ t: 0, totalMb: 850, acting: false }, thresholdSettings({}, 800), initialThresholdState()).actions), [
      ['alert', 'memory 850 MB is over the limit of 800 MB: gc'],
      ['gc', 'over the budget (800 MB), rung 1 of 5'],
    ]);
    assert.deepEqual(shown(decideThresholds({ t: 0, totalMb: 850, acting: false }, thresholdSettings({ limitMb: 840 }, 800), initialThresholdState()).actions)[1], ['gc', 'over limitMb (840 MB), rung 1 of 5']);
    assert.deepEqual(decideThresholds({ t: 0, totalMb: 5000, acting: false }, thresholdSettings({}), initialThresholdState()).actions, []);
  });
});

const periodicSettings = (changes: { gc?: Partial<MemorySettings['gc']>; cache?: Partial<MemorySettings['cache']>; recycle?: Partial<MemorySettings['recycle']> }): PeriodicSettings => ({
  gc: { ...DEFAULT_SETTINGS.gc, ...changes.gc },
  cache: { ...DEFAULT_SETTINGS.cache, ...changes.cache },
  recycle: { ...DEFAULT_SETTINGS.recycle, ...changes.recycle },
});
const loaded = (pagesVisited: number): PeriodicSignal => ({ kind: 'page-loaded', pagesVisited });
const navigating: PeriodicSignal = { kind: 'step-started', navigates: true };
const inPlace: PeriodicSignal = { kind: 'step-started', navigates: false };
const ended: PeriodicSignal = { kind: 'step-ended' };

describe('periodic actions', () => {
  test('gc every N steps counts ended steps; gc every N pages counts page loads', () => {
    const steps = replay(decidePeriodic, periodicSettings({ gc: { everySteps: 3 } }), initialPeriodicState(), [inPlace, ended, ended, inPlace, ended, loaded(1), ended, ended, ended]);
    assert.deepEqual(steps, [[], [], [], [], [{ kind: 'gc', reason: 'every 3 steps' }], [], [], [], [{ kind: 'gc', reason: 'every 3 steps' }]]);
    const pages = replay(decidePeriodic, periodicSettings({ gc: { everyPages: 2 } }), initialPeriodicState(), [loaded(1), ended, loaded(2), loaded(3), loaded(4)]);
    assert.deepEqual(pages, [[], [], [{ kind: 'gc', reason: 'every 2 pages' }], [], [{ kind: 'gc', reason: 'every 2 pages' }]]);
    assert.deepEqual(replay(decidePeriodic, periodicSettings({}), initialPeriodicState(), [ended, loaded(50), ended]).flat(), [], 'off by default');
  });

  test('a recycle waits for a step that navigates, or the end of a loop round, and then starts at once', () => {
    const decided = replay(decidePeriodic, periodicSettings({ recycle: { contextEveryPages: 2 } }), initialPeriodicState(), [loaded(1), loaded(2), inPlace, ended, navigating, navigating, loaded(3), loaded(4), { kind: 'round-ended' }, navigating]);
    assert.deepEqual(decided, [[], [], [], [], [{ kind: 'recycle-context', reason: 'every 2 pages', immediate: true }], [], [], [], [{ kind: 'recycle-context', reason: 'every 2 pages', immediate: true }], []]);
  });

  test('a browser restart due takes precedence over a context recycle, periodic or asked for by the budget', () => {
    const settings = periodicSettings({ recycle: { contextEveryPages: 2, browserEveryPages: 4 } });
    const decided = replay(decidePeriodic, settings, initialPeriodicState(), [loaded(2), loaded(3), loaded(4), navigating, loaded(6), loaded(8), { kind: 'recycle-asked', reason: 'budget: grew' }, navigating]);
    assert.deepEqual(decided, [[], [], [], [{ kind: 'restart-browser', reason: 'every 4 pages', immediate: true }], [], [], [], [{ kind: 'restart-browser', reason: 'every 4 pages', immediate: true }]]);
    const asked = replay(decidePeriodic, settings, initialPeriodicState(), [loaded(1), { kind: 'recycle-asked', reason: 'budget: grew' }, inPlace, { kind: 'round-ended' }]);
    assert.deepEqual(asked, [[], [], [], [{ kind: 'recycle-context', reason: 'budget: grew', immediate: true }]]);
  });

  test('cache maintenance at the start and every N pages, only with a cache size', () => {
    const decided = replay(decidePeriodic, periodicSettings({ cache: { maxSizeMb: 32, everyPages: 3 } }), initialPeriodicState(), [{ kind: 'run-started' }, loaded(1), loaded(2), loaded(3), loaded(6)]);
    assert.deepEqual(decided, [[{ kind: 'maintain-cache', reason: 'at start', immediate: true }], [], [], [{ kind: 'maintain-cache', reason: 'every 3 pages' }], [{ kind: 'maintain-cache', reason: 'every 3 pages' }]]);
    assert.deepEqual(replay(decidePeriodic, periodicSettings({ cache: { everyPages: 3 } }), initialPeriodicState(), [{ kind: 'run-started' }, loaded(3)]).flat(), []);
  });

  test('one page load can ask for a collection, a recycle and cache maintenance: the collection first, the recycle later', () => {
    const settings = periodicSettings({ gc: { everyPages: 10 }, cache: { maxSizeMb: 32, everyPages: 10 }, recycle: { contextEveryPages: 10 } });
    assert.deepEqual(replay(decidePeriodic, settings, initialPeriodicState(), [loaded(10), navigating]), [
      [
        { kind: 'gc', reason: 'every 10 pages' },
        { kind: 'maintain-cache', reason: 'every 10 pages' },
      ],
      [{ kind: 'recycle-context', reason: 'every 10 pages', immediate: true }],
    ]);
  });
});

describe('foreign pages', () => {
  const step = (id: string) => ({ id }) as StepNode;
  const page = (id: string) => ({ page: `handle of ${id}`, id, url: `http://127.0.0.1/${id}` });

  test('each page once: a popup charged to the step acting on its opener, others to the step that just ended, none at the end', () => {
    const signals: ForeignPagesSignal<string>[] = [
      { kind: 'step-ended', step: step('goto'), foreign: [] },
      { kind: 'popup', foreign: page('p1'), openerStep: step('click') },
      { kind: 'step-ended', step: step('wait'), foreign: [page('p1'), page('p2')] },
      { kind: 'step-ended', step: step('extract'), foreign: [page('p2')] },
      { kind: 'run-ended', foreign: [page('p1'), page('p3')] },
    ];
    let state = initialForeignPagesState();
    const decided = signals.map((signal) => {
      const next = decideForeignPages(signal, state);
      state = next.state;
      return next.actions.map((action) => [action.page, action.url, action.step?.id]);
    });
    assert.deepEqual(decided, [[], [['handle of p1', 'http://127.0.0.1/p1', 'click']], [['handle of p2', 'http://127.0.0.1/p2', 'wait']], [], [['handle of p3', 'http://127.0.0.1/p3', undefined]]]);
  });
});

describe('the budget blocks images, media and fonts', () => {
  const limits: BudgetLimits = { budgetMb: 700, maxAllowance: 8, mayBlock: true };
  /** One page open beside Chromium's spare renderer, as on this machine: `other` is flow and the browser without renderers, `page` a renderer. */
  const sample = (t: number, otherMb: number, pageMb: number, fields: Partial<BudgetSignals> = {}): BudgetSignals => ({
    t,
    totalMb: otherMb + pageMb,
    renderersMb: pageMb,
    renderers: 1,
    pagesOpen: 1,
    running: 1,
    waiting: 0,
    pagesVisited: t / 500,
    contextGeneration: 1,
    blockableRequests: (t / 500) * 6,
    ...fields,
  });
  const start: BudgetSignals = { t: 0, totalMb: 0, renderersMb: 0, renderers: 0, pagesOpen: 0, running: 0, waiting: 0, pagesVisited: 0, contextGeneration: 1, blockableRequests: 0 };
  // Pages that cost 100, 150, then 240 MB beside 340 MB: 2.6, 1.7, then 1.1 pages fit in 85% of 700 MB.
  const heavy = [start, sample(1000, 340, 100), sample(2000, 340, 150), sample(3000, 340, 240), sample(4000, 340, 60), sample(5000, 340, 250)];
  const blockAt3000 =
    'a page costs 240 MB, and 85% of the 700 MB budget leaves 255 MB for pages beside the 340 MB of flow and the browser: room for 1.1 pages at once, fewer than 2; the pages requested 36 images, media or fonts so far';

  test('pages that leave room for fewer than 2 at once: blocked at the second such sample in a row, once, with the figures', () => {
    const decided = replay(decideBudget, limits, initialBudgetState(), heavy);
    assert.deepEqual(
      decided.map((actions) => actions.map((action) => (action.kind === 'block' ? [action.kind, action.types, action.reason, action.perPageMb, action.freeMb] : [action.kind]))),
      [[['set-allowance']], [], [], [['block', ['image', 'media', 'font'], blockAt3000, 240, 120]], [], []],
    );
    // At 2000 room for 1.7 pages: one sample that short could be a passing peak, so nothing yet.
    assert.deepEqual(replay(decideBudget, limits, initialBudgetState(), heavy.slice(0, 3)).flat().map((action) => action.kind), ['set-allowance']);
  });

  test('after the block, a page is measured afresh: its cost with images says nothing of the pages to come', () => {
    let state = initialBudgetState();
    const costs: number[][] = [];
    for (const signals of heavy) {
      state = decideBudget(signals, limits, state).state;
      costs.push(state.pageCosts);
    }
    assert.deepEqual(costs.slice(2), [[100, 150], [], [60], [60, 250]]);
    assert.equal(state.blocked, true);
  });

  test('a passing peak of the fixed cost blocks nothing; nor do pages without images, media or fonts, or a run the budget may not block in', () => {
    const peak = [start, sample(1000, 340, 100), sample(2000, 420, 100), sample(3000, 340, 100), sample(4000, 420, 100), sample(5000, 340, 100)];
    assert.deepEqual(replay(decideBudget, limits, initialBudgetState(), peak).slice(1), [[], [], [], [], []]);
    const textOnly = heavy.map((signals) => ({ ...signals, blockableRequests: 0 }));
    assert.deepEqual(replay(decideBudget, limits, initialBudgetState(), textOnly).slice(1), [[], [], [], [], []]);
    assert.deepEqual(replay(decideBudget, { ...limits, mayBlock: false }, initialBudgetState(), heavy).slice(1), [[], [], [], [], []]);
    const uncounted = heavy.map(({ blockableRequests, ...signals }) => signals);
    assert.deepEqual(replay(decideBudget, limits, initialBudgetState(), uncounted).slice(1), [[], [], [], [], []]);
  });

  test('light pages under the same budget: room for several, never blocked', () => {
    const light = [start, ...Array.from({ length: 8 }, (_, i) => sample(1000 * (i + 1), 380, 45))];
    assert.deepEqual(replay(decideBudget, limits, initialBudgetState(), light).flat().map((action) => action.kind), ['set-allowance']);
  });
});
