import type { Page } from 'playwright-core';
import type { BrowserSession } from '../browser/session.js';
import type { RunEvents } from '../runner/events.js';
import type { StepNode } from '../steps/types.js';
import type { MemorySettings } from '../policy/settings.js';
import { stepModule } from '../steps/registry.js';
import { MemoryActuator } from './actuator.js';
import { PageBlocking } from './blocking.js';
import type { ResolvedBudget } from './cgroup.js';
import { LeakWatch } from './leak-watch.js';
import { pageId } from './page-metrics.js';
import { decide as decideBudget, initialBudgetState, type BudgetSignals } from './rules/budget.js';
import { decide as decideForeignPages, initialForeignPagesState, type ForeignPage, type ForeignPagesSignal } from './rules/foreign-pages.js';
import { decide as decidePeriodic, initialPeriodicState, type PeriodicSignal } from './rules/periodic.js';
import { decide as decideThresholds, initialThresholdState } from './rules/thresholds.js';
import type { MemorySampler } from './sampler.js';
import { totalOf, type MemorySample } from './types.js';

/**
 * Steps close together share a sample: reading every process's PSS costs about 1 ms a process,
 * and a run must not pay it per step. A step is sampled when the last sample is older than
 * this share of the sampling interval: with the interval restarting at every sample, a run
 * gets about one sample per interval, taken at step boundaries while steps run.
 */
const STEP_SAMPLE_MIN_GAP = 1;

export interface MemoryManagerOptions {
  settings: MemorySettings;
  session: BrowserSession;
  sampler: MemorySampler;
  events: RunEvents;
  /** The run's clock: milliseconds since it first started, across resumes. */
  now(): number;
  /** Ends the run: the last rung of the ladder. */
  stop(reason: string): void;
  profileDir?: string;
  /** The run's memory budget: the controller runs only with one. */
  budget?: ResolvedBudget;
  /**
   * With a budget: it may block images, media and fonts when pages cost too much (the user
   * chose no block.types, and no step needs pixels). Pages are then watched from the start, so
   * a block reaches those already open.
   */
  budgetMayBlock?: boolean;
}

/**
 * Enforces a policy while a run goes, as sample → decide → act: turns the run's events and
 * memory samples into signals, hands each to the rules that read it (src/memory/rules/: the
 * thresholds, the periodic actions, the budget controller, foreign pages), and what they decide
 * to the actuator, which performs it and records its effect. It also blocks requests and
 * feeds the leak detector.
 */
export class MemoryManager {
  private readonly blocking: PageBlocking;
  private readonly leakWatch: LeakWatch;
  private readonly actuator: MemoryActuator;
  private thresholdState = initialThresholdState();
  private periodicState = initialPeriodicState();
  private budgetState = initialBudgetState();
  private foreignState = initialForeignPagesState();
  /** Actions the thresholds asked for that are being taken now. */
  private thresholdActionsUnderWay = 0;

  constructor(private readonly options: MemoryManagerOptions) {
    const { settings, session, sampler, events, now, stop, profileDir } = options;
    this.blocking = new PageBlocking(settings.block.urls, settings.block.types, {
      mayGrow: this.mayBlock,
      onBlocked: (page, type) => events.emit('blocked', { type, stepId: this.leakWatch.stepActingOn(page)?.id }),
    });
    this.actuator = new MemoryActuator({ session, sampler, events, now, stop, cache: settings.cache, profileDir, blocking: this.blocking });
    this.leakWatch = new LeakWatch({ settings, session, meter: sampler.pageMeter, emit: (event) => this.actuator.record(event), now });
  }

  /** Called by the session for every page it opens. */
  async preparePage(page: Page): Promise<void> {
    await this.blocking.prepare(page);
  }

  private get mayBlock(): boolean {
    return Boolean(this.options.budget && this.options.budgetMayBlock);
  }

  start(): void {
    const { events, sampler, session, budget } = this.options;
    this.runPeriodic({ kind: 'run-started' });
    if (budget) {
      this.actuator.record({ type: 'budget', t: this.now(), at: new Date().toISOString(), what: 'budget', to: budget.mb, reason: budget.reason, budgetMb: budget.mb });
      // Decided before any sample: loops that start at once must not start at the page limit.
      this.runBudget({ t: this.now(), totalMb: 0, renderersMb: 0, renderers: 0, pagesOpen: 0, running: 0, waiting: 0, pagesVisited: session.visited, contextGeneration: session.contextGeneration, blockableRequests: 0 });
    }
    sampler.onSample((sample) => this.onSample(sample));
    events.on('step-start', ({ step, laneId }) => {
      if (!isLeaf(step)) return;
      this.runPeriodic({ kind: 'step-started', navigates: Boolean(stepModule(step.kind)?.navigates) });
      this.sampleAroundStep('step-start', step);
      this.leakWatch.stepStarted(step, laneId);
    });
    events.on('page-closed', ({ page }) => this.leakWatch.tabClosed(page));
    events.on('page-opened', ({ page }) => {
      page.on('popup', (popup) => this.runForeignPages({ kind: 'popup', foreign: foreign(popup), openerStep: this.leakWatch.stepActingOn(page) }));
    });
    events.on('step-end', ({ step, page, status }) => {
      if (status === 'skipped') return;
      if (!isLeaf(step)) return this.leakWatch.loopEnded(step);
      this.sampleAroundStep('step-end', step);
      this.runForeignPages({ kind: 'step-ended', step, foreign: session.foreignPages().map(foreign) });
      this.leakWatch.stepEnded(step, page, status);
      this.runPeriodic({ kind: 'step-ended' });
    });
    events.on('loop-progress', ({ step }) => {
      this.runPeriodic({ kind: 'round-ended' });
      this.leakWatch.roundEnded(step, sampler.latest);
    });
    events.on('page-loaded', ({ pagesVisited }) => this.runPeriodic({ kind: 'page-loaded', pagesVisited }));
  }

  /** Waits for the actions asked for, then reports what only the whole run shows. */
  async finish(): Promise<void> {
    await this.actuator.finish();
    this.runForeignPages({ kind: 'run-ended', foreign: this.options.session.foreignPages().map(foreign) });
    this.leakWatch.finish();
  }

  private now(): number {
    return this.options.now();
  }

  private sampleAroundStep(reason: 'step-start' | 'step-end', step: StepNode): void {
    const { sampler, settings } = this.options;
    if (sampler.sinceLastSampleMs() < settings.sampling.intervalMs * STEP_SAMPLE_MIN_GAP) return;
    sampler.sample(reason, step.id).catch(() => undefined);
  }

  private onSample(sample: MemorySample): void {
    const totalMb = totalOf(sample);
    if (totalMb === undefined || this.actuator.ending) return;
    const t = this.now();
    if (this.options.budget) this.runBudget({ ...budgetSignals(sample, totalMb, this.options.session, t), blockableRequests: this.blocking.blockableRequests, gcMsPerPage: this.actuator.lastGcMsPerPage }, totalMb);
    this.runThresholds(t, totalMb);
  }

  private runThresholds(t: number, totalMb: number): void {
    const { settings, budget } = this.options;
    const decided = decideThresholds({ t, totalMb, acting: this.thresholdActionsUnderWay > 0 }, { thresholds: settings.thresholds, budgetMb: budget?.mb }, this.thresholdState);
    this.thresholdState = decided.state;
    for (const action of decided.actions) {
      this.thresholdActionsUnderWay++;
      this.actuator.perform(action).finally(() => this.thresholdActionsUnderWay--);
    }
  }

  private runPeriodic(signal: PeriodicSignal): void {
    const decided = decidePeriodic(signal, this.options.settings, this.periodicState);
    this.periodicState = decided.state;
    for (const action of decided.actions) this.actuator.perform(action);
  }

  /** `totalMb`: the sample's total, when the signals come from one. */
  private runBudget(signals: BudgetSignals, totalMb?: number): void {
    const budgetMb = this.options.budget!.mb;
    const decided = decideBudget(signals, { budgetMb, maxAllowance: this.options.settings.maxPages, mayBlock: this.mayBlock }, this.budgetState);
    this.budgetState = decided.state;
    if (decided.sampleWithinMs !== undefined) this.options.sampler.sampleWithin(decided.sampleWithinMs);
    for (const action of decided.actions) {
      if (action.kind === 'set-allowance' || action.kind === 'block') this.actuator.perform({ ...action, budgetMb, totalMb });
      else if (action.kind === 'gc') this.actuator.perform(action);
      // Waits, like a periodic recycle, for the next page that is about to be replaced anyway.
      else this.runPeriodic({ kind: 'recycle-asked', reason: action.reason });
    }
  }

  private runForeignPages(signal: ForeignPagesSignal<Page>): void {
    const decided = decideForeignPages(signal, this.foreignState);
    this.foreignState = decided.state;
    for (const { page, url, step } of decided.actions) {
      this.leakWatch.unclosedPage(step, url);
      this.actuator.closePage(page);
    }
  }
}

function foreign(page: Page): ForeignPage<Page> {
  return { page, id: pageId(page), url: page.url() };
}

/** What the budget controller reads of a sample and of the session. */
function budgetSignals(sample: MemorySample, totalMb: number, session: BrowserSession, t: number): BudgetSignals {
  const pagesOpen = sample.pagesOpen;
  const everyPage = pagesOpen > 0 && sample.pages.length >= pagesOpen;
  return {
    t,
    totalMb,
    renderersMb: sample.byKind.renderer?.pssMb ?? sample.byKind.renderer?.rssMb ?? 0,
    renderers: sample.byKind.renderer?.count ?? 0,
    pagesOpen,
    running: session.running,
    waiting: session.waitingForTurn,
    pagesVisited: session.visited,
    ...(everyPage && { heapMb: sample.pages.reduce((sum, page) => sum + page.jsHeapUsedMb, 0) + sample.runner.heapUsedMb }),
    contextGeneration: session.contextGeneration,
  };
}

function isLeaf(step: StepNode): boolean {
  return Object.keys(step.blocks).length === 0;
}
