import type { Page } from 'playwright-core';
import type { BrowserSession } from '../browser/session.js';
import type { RunEvents } from '../runner/events.js';
import { plainMessage } from '../runner/errors.js';
import type { RunEvent } from '../runner/run-record.js';
import type { StepNode } from '../steps/types.js';
import type { MemoryAction, MemorySettings } from '../policy/settings.js';
import { applyBlocking, blockRules, isBlocking, type BlockRules } from './blocking.js';
import { profileCacheDir, trimCacheFolder } from './cache.js';
import { stepModule } from '../steps/registry.js';
import { LeakDetector } from './leaks.js';
import { pageId, pageMetrics } from './page-metrics.js';
import { collectRunnerGarbage } from './runner-gc.js';
import type { ResolvedBudget } from './cgroup.js';
import { decide as decideBudget, initialBudgetState, type BudgetAction, type BudgetSignals, type BudgetState } from './rules/budget.js';
import type { MemorySampler } from './sampler.js';
import type { MemorySample } from './types.js';

/**
 * Steps close together share a sample: reading every process's PSS costs about 1 ms a process,
 * and a run must not pay it per step. A step is sampled when the last sample is older than
 * this share of the sampling interval: with the interval restarting at every sample, a run
 * gets about one sample per interval, taken at step boundaries while steps run.
 */
const STEP_SAMPLE_MIN_GAP = 1;
/** The step, counted on one document, from which a page is measured after each step. */
const MEASURE_FROM_STEP = 3;

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
}

export function totalOf(sample: MemorySample | undefined): number | undefined {
  return sample ? (sample.totalPssMb ?? sample.totalRssMb) : undefined;
}

/**
 * Enforces a policy while a run goes: blocks requests, collects garbage, trims the cache,
 * recycles the context or browser every N pages, climbs the action ladder when memory crosses
 * its limit, and watches for leaks. Every action lands in the run record with its effect.
 */
export class MemoryManager {
  private readonly rules: BlockRules;
  private readonly leaks: LeakDetector;
  private queue: Promise<void> = Promise.resolve();
  /** Actions taken whose effect the next sample will measure. */
  private readonly effects = new Set<Promise<void>>();
  private stepsSinceGc = 0;
  private lastWarnAt = -Infinity;
  private lastLimitActionAt = -Infinity;
  private rung = 0;
  private acting = false;
  /**
   * The run is ending (finish was called, or the ladder said stop): samples no longer lead to
   * actions. Without this, an action measured after the sampler stopped samples at once, and
   * with a cooldown of 0 that sample took the action again, and so on without end.
   */
  private ending = false;
  private readonly reportedForeign = new WeakSet<Page>();
  /** The leaf step started last, on any lane. */
  private runningStep: StepNode | undefined;
  private readonly lastActive = new Map<string, StepNode>();
  private recycleDue: { action: 'recycle-context' | 'restart-browser'; reason: string } | undefined;
  private readonly stepsOnDocument = new WeakMap<Page, { url: string; steps: number }>();
  private budgetState: BudgetState = initialBudgetState();
  /** thresholds.limitMb, or the budget when that is unset: near the budget the ladder applies. */
  private readonly limitMb: number;

  constructor(private readonly options: MemoryManagerOptions) {
    const { block } = options.settings;
    this.rules = blockRules(block.types, block.urls);
    this.leaks = new LeakDetector(options.settings.leaks, (event) => this.emit(event), options.now);
    this.limitMb = options.settings.thresholds.limitMb || (options.budget?.mb ?? 0);
  }

  /** Called by the session for every page it opens. */
  async preparePage(page: Page): Promise<void> {
    if (!isBlocking(this.rules)) return;
    await applyBlocking(page, this.rules, (type) => this.options.events.emit('blocked', { type, stepId: this.stepActingOn(page)?.id }));
  }

  start(): void {
    const { events, sampler, settings } = this.options;
    if (this.options.profileDir && settings.cache.maxSizeMb > 0) this.trimCache('at start');
    const { budget } = this.options;
    if (budget) {
      this.emit({ type: 'budget', t: this.now(), at: new Date().toISOString(), what: 'budget', to: budget.mb, reason: budget.reason, budgetMb: budget.mb });
      // Decided before any sample: loops that start at once must not start at the page limit.
      const { session } = this.options;
      this.decideBudget({ t: this.now(), totalMb: 0, renderersMb: 0, renderers: 0, pagesOpen: 0, running: 0, waiting: 0, pagesVisited: session.visited, contextGeneration: session.contextGeneration });
    }
    sampler.onSample((sample) => this.onSample(sample));
    events.on('step-start', ({ step, laneId }) => {
      if (!isLeaf(step)) return;
      if (stepModule(step.kind)?.navigates) this.recycleIfDue();
      this.sampleAroundStep('step-start', step);
      this.runningStep = step;
      // The last step on each lane that could have opened a page.
      if (!stepModule(step.kind)?.passive) this.lastActive.set(laneId, step);
    });
    events.on('page-closed', ({ page }) => this.leaks.tabClosed(pageId(page)));
    events.on('page-opened', ({ page }) => {
      page.on('popup', (popup) => this.reportForeign(popup, this.stepActingOn(page)));
    });
    events.on('step-end', ({ step, page, status }) => {
      if (status === 'skipped') return;
      if (!isLeaf(step)) {
        this.leaks.loopEnded(step);
        return;
      }
      this.sampleAroundStep('step-end', step);
      this.closeForeignPages(step);
      if (page && settings.sampling.pageMetrics && status === 'passed' && stepModule(step.kind)?.navigates) this.measureTab(step, page);
      else if (page && settings.sampling.pageMetrics && this.settledOn(page)) this.measurePage(step, page);
      if (settings.gc.everySteps > 0 && ++this.stepsSinceGc >= settings.gc.everySteps) {
        this.stepsSinceGc = 0;
        this.enqueue('gc', `every ${settings.gc.everySteps} steps`);
      }
    });
    events.on('loop-progress', ({ step }) => {
      this.recycleIfDue();
      this.leaks.loopItem(step, process.memoryUsage().heapUsed / 1048576);
      const latest = this.options.sampler.latest;
      const total = totalOf(latest);
      if (latest && total !== undefined) this.leaks.roundEnded(step, total, latest.t);
    });
    events.on('page-loaded', ({ pagesVisited }) => {
      const every = (n: number) => n > 0 && pagesVisited % n === 0;
      if (every(settings.gc.everyPages)) this.enqueue('gc', `every ${settings.gc.everyPages} pages`);
      if (every(settings.recycle.browserEveryPages)) this.recycleDue = { action: 'restart-browser', reason: `every ${settings.recycle.browserEveryPages} pages` };
      else if (every(settings.recycle.contextEveryPages) && this.recycleDue?.action !== 'restart-browser') this.recycleDue = { action: 'recycle-context', reason: `every ${settings.recycle.contextEveryPages} pages` };
      if (every(settings.cache.everyPages) && settings.cache.maxSizeMb > 0) this.enqueueTask(() => this.cacheMaintenance(`every ${settings.cache.everyPages} pages`));
    });
  }

  /** Waits for queued actions, then reports what only the whole run shows. */
  async finish(): Promise<void> {
    this.ending = true;
    await this.queue;
    await Promise.all(this.effects);
    for (const page of this.options.session.foreignPages()) this.reportForeign(page, undefined);
    this.leaks.finish();
  }

  private now(): number {
    return this.options.now();
  }

  private emit(event: RunEvent): void {
    this.options.events.emit('memory', event);
  }

  private sampleAroundStep(reason: 'step-start' | 'step-end', step: StepNode): void {
    const { sampler, settings } = this.options;
    if (sampler.sinceLastSampleMs() < settings.sampling.intervalMs * STEP_SAMPLE_MIN_GAP) return;
    sampler.sample(reason, step.id).catch(() => undefined);
  }

  private onSample(sample: MemorySample): void {
    const mb = totalOf(sample);
    if (mb === undefined || this.ending) return;
    const { thresholds } = this.options.settings;
    const limitMb = this.limitMb;
    const now = this.now();
    const at = new Date().toISOString();
    this.steerBudget(sample, mb);
    if (thresholds.warnMb > 0 && mb >= thresholds.warnMb && now - this.lastWarnAt >= thresholds.cooldownMs) {
      this.lastWarnAt = now;
      this.emit({ type: 'alert', t: now, at, level: 'warn', mb, thresholdMb: thresholds.warnMb, message: `memory ${mb.toFixed(0)} MB is over the warning level of ${thresholds.warnMb} MB` });
      if (thresholds.warnAction !== 'alert') this.enqueue(thresholds.warnAction, `over warnMb (${thresholds.warnMb} MB)`);
    }
    if (limitMb <= 0) return;
    if (mb < limitMb) {
      this.rung = 0;
      return;
    }
    if (this.acting || now - this.lastLimitActionAt < thresholds.cooldownMs) return;
    const ladder = thresholds.limitActions;
    const action = ladder[Math.min(this.rung, ladder.length - 1)];
    this.rung++;
    this.lastLimitActionAt = now;
    const limitName = thresholds.limitMb ? 'limitMb' : 'the budget';
    this.emit({ type: 'alert', t: now, at, level: 'limit', mb, thresholdMb: limitMb, message: `memory ${mb.toFixed(0)} MB is over the limit of ${limitMb} MB: ${action}` });
    this.enqueue(action, `over ${limitName} (${limitMb} MB), rung ${Math.min(this.rung, ladder.length)} of ${ladder.length}`);
  }

  /** The budget controller's turn at each sample: it decides, this performs. */
  private steerBudget(sample: MemorySample, totalMb: number): void {
    if (this.options.budget) this.decideBudget(budgetSignals(sample, totalMb, this.options.session, this.now()), totalMb);
  }

  private decideBudget(signals: BudgetSignals, totalMb?: number): void {
    const { budget, settings } = this.options;
    const { actions, state } = decideBudget(signals, { budgetMb: budget!.mb, maxAllowance: settings.maxPages }, this.budgetState);
    this.budgetState = state;
    for (const action of actions) this.performBudget(action, budget!.mb, totalMb);
  }

  private performBudget(action: BudgetAction, budgetMb: number, totalMb: number | undefined): void {
    switch (action.kind) {
      case 'set-allowance':
        this.options.session.setAllowance(action.to);
        this.emit({ type: 'budget', t: this.now(), at: new Date().toISOString(), what: 'concurrency', from: action.from, to: action.to, reason: action.reason, budgetMb, ...(totalMb !== undefined && { totalMb, freeMb: action.freeMb }), perPageMb: action.perPageMb });
        return;
      case 'gc':
        return this.enqueue('gc', action.reason);
      case 'recycle-context':
        // Waits, like a periodic recycle, for the next page that is about to be replaced anyway.
        if (this.recycleDue?.action !== 'restart-browser') this.recycleDue = { action: 'recycle-context', reason: action.reason };
        return;
    }
  }

  /**
   * A periodic recycle waits for a moment when the page is about to be replaced anyway: the
   * start of a step that navigates, or the end of a loop round. Started from that event,
   * the session's barrier is up before the step asks for its page, so no page is reloaded
   * only to be thrown away.
   */
  private recycleIfDue(): void {
    const due = this.recycleDue;
    if (!due) return;
    this.recycleDue = undefined;
    if (this.acting) return this.enqueue(due.action, due.reason);
    const run = this.act(due.action, due.reason);
    this.queue = this.queue
      .then(() => run)
      .catch((error) => {
        this.options.events.emit('log', { message: `memory action failed: ${plainMessage(error)}` });
      });
  }

  private enqueue(action: MemoryAction, reason: string): void {
    this.enqueueTask(() => this.act(action, reason));
  }

  private enqueueTask(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error) => {
      this.options.events.emit('log', { message: `memory action failed: ${plainMessage(error)}` });
    });
  }

  /**
   * Takes one action. Its effect is measured by the next regular sample and recorded then,
   * without holding up the next action: a ladder rung must not wait behind periodic ones.
   */
  private async act(action: MemoryAction, reason: string): Promise<void> {
    const { session, sampler, stop } = this.options;
    const t = this.now();
    const at = new Date().toISOString();
    const beforeMb = totalOf(sampler.latest);
    const started = performance.now();
    let describe: (afterMb: number | undefined) => RunEvent;
    this.acting = true;
    try {
      switch (action) {
        case 'gc': {
          const collected = await this.collectGarbage();
          describe = (afterMb) => ({ type: 'gc', t, at, reason, beforeMb, afterMb, ...collected });
          break;
        }
        case 'recycle-context':
        case 'restart-browser': {
          if (action === 'recycle-context') await session.recycleContext(reason);
          else await session.restartBrowser(reason);
          const durationMs = performance.now() - started;
          describe = (afterMb) => ({ type: 'recycle', t, at, what: action === 'recycle-context' ? 'context' : 'browser', reason, durationMs, beforeMb, afterMb });
          break;
        }
        case 'close-idle-pages':
        case 'stop': {
          let effect = 'stopped the run';
          if (action === 'close-idle-pages') effect = `closed ${await session.closeIdlePages(reason)} idle page(s)`;
          else {
            this.ending = true;
            stop(`memory stayed over the limit (${reason}); the policy's last action is stop`);
          }
          const durationMs = performance.now() - started;
          describe = (afterMb) => ({ type: 'action', t, at, action, reason, beforeMb, afterMb, durationMs, effect });
          break;
        }
      }
    } finally {
      this.acting = false;
    }
    const measured = sampler
      .nextSample('action')
      .then((sample) => this.emit(describe(totalOf(sample))), () => this.emit(describe(undefined)))
      .finally(() => this.effects.delete(measured));
    this.effects.add(measured);
  }

  /** Collects garbage in every open page and in flow, measuring the pages' JS heap around it. */
  private async collectGarbage(): Promise<{ pages: number; jsHeapBeforeMb?: number; jsHeapAfterMb?: number }> {
    const pages = this.options.session.pages();
    const heapOf = async () => {
      const metrics = await Promise.all(pages.map((page) => pageMetrics(page)));
      const measured = metrics.filter((m) => m !== undefined);
      return measured.length ? measured.reduce((sum, m) => sum + m.jsHeapUsedMb, 0) : undefined;
    };
    const jsHeapBeforeMb = await heapOf();
    await Promise.all(pages.map((page) => page.requestGC().catch(() => undefined)));
    collectRunnerGarbage();
    const jsHeapAfterMb = await heapOf();
    return { pages: pages.length, jsHeapBeforeMb, jsHeapAfterMb };
  }

  private async cacheMaintenance(reason: string): Promise<void> {
    const { cache } = this.options.settings;
    if (this.options.profileDir) this.trimCache(reason);
    if (cache.clearBrowserCache) {
      const page = this.options.session.pages()[0];
      if (!page) return;
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      this.emit({ type: 'action', t: this.now(), at: new Date().toISOString(), action: 'clear-cache', reason, effect: "cleared the browser's HTTP cache" });
    }
  }

  private trimCache(reason: string): void {
    const { cache } = this.options.settings;
    const result = trimCacheFolder(profileCacheDir(this.options.profileDir!), cache.maxSizeMb * 1048576, cache.mode);
    this.emit({
      type: 'action',
      t: this.now(),
      at: new Date().toISOString(),
      action: cache.mode === 'clear' ? 'clear-cache' : 'trim-cache',
      reason,
      effect: `cache folder ${result.beforeMb.toFixed(1)} → ${result.afterMb.toFixed(1)} MB (${result.filesRemoved} files removed)`,
    });
  }

  private closeForeignPages(step: StepNode): void {
    for (const page of this.options.session.foreignPages()) this.reportForeign(page, step);
  }

  /**
   * The step that caused what `page` does now: the last step on its lane that acts on pages.
   * Chromium announces a popup a little after the click that opened it has returned, and a page
   * asks for its icon and late images after its load event, often while a following wait or
   * extract runs; those cause neither, so they are passed over, as are other lanes' steps.
   */
  private stepActingOn(page: Page): StepNode | undefined {
    const laneId = this.options.session.laneOf(page);
    return (laneId !== undefined && this.lastActive.get(laneId)) || this.runningStep;
  }

  private reportForeign(page: Page, step: StepNode | undefined): void {
    if (this.reportedForeign.has(page)) return;
    this.reportedForeign.add(page);
    const url = page.url();
    this.leaks.unclosedPage(step, url);
    page.close().catch(() => undefined);
  }

  /**
   * Whether enough steps have ended on the page's current document for a measure to be worth
   * its round trip: growth is judged between steps repeated on one document, so a crawl that
   * opens a page and reads it (two steps) is never measured, and an app that stays on one
   * document is measured from its third step on.
   */
  private settledOn(page: Page): boolean {
    const url = page.url();
    const seen = this.stepsOnDocument.get(page);
    if (!seen || seen.url !== url) {
      this.stepsOnDocument.set(page, { url, steps: 1 });
      return false;
    }
    return ++seen.steps >= MEASURE_FROM_STEP;
  }

  /** A tab is measured after each document it loads: growth over them is what pages leave behind when it moves on. */
  private measureTab(step: StepNode, page: Page): void {
    const url = page.url();
    const collected = async () => {
      await page.requestGC();
      return page.url() === url ? pageMetrics(page) : undefined;
    };
    pageMetrics(page)
      .then((metrics) => (metrics && metrics.url === url && page.url() === url ? this.leaks.tabMeasured(step, metrics, collected) : undefined))
      .catch(() => undefined);
  }

  /** A measure is kept only if the page still shows the document the step left: the next step may already be navigating. */
  private measurePage(step: StepNode, page: Page): void {
    const url = page.url();
    pageMetrics(page)
      .then((metrics) => metrics && metrics.url === url && page.url() === url && this.leaks.pageMeasured(step, metrics))
      .catch(() => undefined);
  }
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
