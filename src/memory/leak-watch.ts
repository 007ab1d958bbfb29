import type { Page } from 'playwright-core';
import type { BrowserSession } from '../browser/session.js';
import type { MemorySettings } from '../policy/settings.js';
import type { RunEvent } from '../runner/run-record.js';
import { stepModule } from '../steps/registry.js';
import type { StepNode } from '../steps/types.js';
import { LeakDetector } from './leaks.js';
import { pageId, type PageMeter } from './page-metrics.js';
import { totalOf, type MemorySample } from './types.js';

/** The step, counted on one document, from which a page is measured after each step. */
const MEASURE_FROM_STEP = 3;

export interface LeakWatchOptions {
  settings: Pick<MemorySettings, 'leaks' | 'sampling'>;
  session: BrowserSession;
  /** Reads pages' metrics, and counts what the leak watch's reads cost. */
  meter: PageMeter;
  emit(event: RunEvent): void;
  /** The run's clock: milliseconds since it first started, across resumes. */
  now(): number;
}

/**
 * Feeds the leak detector: which step what a page does is charged to, which pages are worth
 * measuring after a step, and the figures at the end of loop rounds. It reports; it never acts.
 */
export class LeakWatch {
  private readonly leaks: LeakDetector;
  /** The leaf step started last, on any lane. */
  private runningStep: StepNode | undefined;
  private readonly lastActive = new Map<string, StepNode>();
  private readonly stepsOnDocument = new WeakMap<Page, { url: string; steps: number }>();

  constructor(private readonly options: LeakWatchOptions) {
    this.leaks = new LeakDetector(options.settings.leaks, options.emit, options.now);
  }

  /** A step with no nested steps started on a lane. */
  stepStarted(step: StepNode, laneId: string): void {
    this.runningStep = step;
    // The last step on each lane that could have opened a page.
    if (!stepModule(step.kind)?.passive) this.lastActive.set(laneId, step);
  }

  /** A step with no nested steps ended, passed or failed, on `page`. */
  stepEnded(step: StepNode, page: Page | undefined, status: 'passed' | 'failed'): void {
    if (!page || !this.options.settings.sampling.pageMetrics) return;
    if (status === 'passed' && stepModule(step.kind)?.navigates) this.measureTab(step, page);
    else if (this.settledOn(page)) this.measurePage(step, page);
  }

  loopEnded(loop: StepNode): void {
    this.leaks.loopEnded(loop);
  }

  roundEnded(loop: StepNode, latest: MemorySample | undefined): void {
    this.leaks.loopItem(loop, process.memoryUsage().heapUsed / 1048576);
    const total = totalOf(latest);
    if (latest && total !== undefined) this.leaks.roundEnded(loop, total, latest.t);
  }

  tabClosed(page: Page): void {
    this.leaks.tabClosed(pageId(page));
  }

  unclosedPage(step: StepNode | undefined, url: string): void {
    this.leaks.unclosedPage(step, url);
  }

  /**
   * The step that caused what `page` does now: the last step on its lane that acts on pages.
   * Chromium announces a popup a little after the click that opened it has returned, and a page
   * asks for its icon and late images after its load event, often while a following wait or
   * extract runs; those cause neither, so they are passed over, as are other lanes' steps.
   */
  stepActingOn(page: Page): StepNode | undefined {
    const laneId = this.options.session.laneOf(page);
    return (laneId !== undefined && this.lastActive.get(laneId)) || this.runningStep;
  }

  /** Reports what only the whole run shows. */
  finish(): void {
    this.leaks.finish();
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

  /**
   * A tab is measured after the documents it loads, as many as the leak checks' share affords
   * (every one, but on a fast crawl), and whenever its baseline or a check is due: growth over
   * them is what pages leave behind when it moves on.
   */
  private measureTab(step: StepNode, page: Page): void {
    const { meter } = this.options;
    if (!this.leaks.tabLoaded(pageId(page)) && !meter.affords(1, 'leaks')) return;
    const url = page.url();
    const collected = async () => {
      await meter.collect(page, 'leaks');
      return page.url() === url ? meter.read(page, 'leaks') : undefined;
    };
    meter
      .read(page, 'leaks')
      .then((metrics) => (metrics && metrics.url === url && page.url() === url ? this.leaks.tabMeasured(step, metrics, collected) : undefined))
      .catch(() => undefined);
  }

  /** A measure is kept only if the page still shows the document the step left: the next step may already be navigating. */
  private measurePage(step: StepNode, page: Page): void {
    const url = page.url();
    this.options.meter
      .read(page, 'leaks')
      .then((metrics) => metrics && metrics.url === url && page.url() === url && this.leaks.pageMeasured(step, metrics))
      .catch(() => undefined);
  }
}
