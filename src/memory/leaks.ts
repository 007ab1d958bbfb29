import type { MemorySettings } from '../policy/settings.js';
import type { LeakKind, RunEvent } from '../runner/run-record.js';
import type { StepNode } from '../steps/types.js';
import { RunningSlope } from './stats.js';
import { TabGrowth, type TabMeasure } from './tab-growth.js';
import type { PageMetrics } from './types.js';

/** A growth counts as a leak only when it happened on this many runs of the step, not once. */
const MIN_GROWING_RUNS = 3;
const MIN_LOOP_ITEMS = 5;
/** Rounds of a loop skipped before its memory trend is fitted: renderers start, caches and pools fill first. */
const WARMUP_ROUNDS = 10;
/** Fresh samples needed after warm-up before a trend is judged. */
const MIN_FITTED_ROUNDS = 10;
/** JS heap growth of a page between two runs of a step that counts as growing, in MB. */
const HEAP_GROWING_MB = 0.25;

/** A least-squares fit kept as running sums, so a step run 100,000 times costs five numbers. */
interface RunningFit {
  rounds: number;
  /** The sample last fitted: rounds that end before a new sample add no information. */
  lastSampleT: number;
  firstX?: number;
  lastX?: number;
  line: RunningSlope;
}

interface Growth {
  listeners: number;
  nodes: number;
  heapMb: number;
  growingRuns: number;
}

/**
 * Finds what keeps memory: pages left open, event listeners, DOM nodes or JS heap that grow
 * each time the same step runs on the same document, flow's own heap growing over a loop, and
 * steps after which memory stays higher. Each finding names the step and its YAML line.
 */
export class LeakDetector {
  /** The last measure of each page, taken after the last step that ran on it. */
  private readonly lastByPage = new Map<string, PageMetrics>();
  private readonly growthByStep = new Map<string, Growth>();
  private readonly reported = new Set<string>();
  private readonly loopHeap = new Map<string, number[]>();
  private readonly afterRound = new Map<string, { loop: StepNode; fit: RunningFit }>();
  private readonly tabs: TabGrowth;
  constructor(
    private readonly settings: MemorySettings['leaks'],
    private readonly emit: (event: RunEvent) => void,
    /** The run's clock, milliseconds since it first started. */
    private readonly now: () => number,
  ) {
    this.tabs = new TabGrowth({ documents: settings.documentGrowth, listeners: settings.listenerGrowth, nodes: settings.nodeGrowth, heapMb: settings.heapGrowthMb });
  }

  unclosedPage(step: StepNode | undefined, url: string): void {
    const where = step ? { stepId: step.id, file: step.loc.file, line: step.loc.line } : {};
    const message = step
      ? `${step.title} opened a page (${url || 'a popup'}) that nothing closed; flow closed it`
      : `a page (${url || 'a popup'}) was still open at the end of the run`;
    this.report('unclosed-pages', `${step?.id ?? 'end'}:${url}:${this.now()}`, { ...where, message, amount: 1 });
  }

  /**
   * A tab's measure after `step` loaded a new document into it: growth over the documents it
   * loads is what the pages leave behind when the tab moves on, and `step` is where it shows.
   */
  async tabMeasured(step: StepNode, metrics: PageMetrics, collected: () => Promise<PageMetrics | undefined>): Promise<void> {
    const kinds: Record<TabMeasure, LeakKind> = { documents: 'retained-documents', listeners: 'listeners', nodes: 'dom-nodes', heapMb: 'page-heap' };
    for (const found of await this.tabs.measured(metrics, collected)) {
      const shown = (value: number) => (found.key === 'heapMb' ? value.toFixed(1) : value.toFixed(0));
      const growth = found.to - found.from;
      const where = { stepId: step.id, file: step.loc.file, line: step.loc.line, amount: growth };
      if (found.kind === 'retained') {
        this.report(kinds[found.key], `${step.id}:tab-${found.key}`, {
          ...where,
          message: `${found.what} in one tab rose from ${shown(found.from)} to ${shown(found.to)}, still there after a garbage collection, over ${found.documents} pages ${step.title} loaded into it (about ${shown(growth / Math.max(1, found.documents))} a page): the pages it leaves stay in memory, because something keeps references to them. A fresh context every few pages (recycle.contextEveryPages) frees them`,
        });
      } else {
        this.report('uncollected', `${step.id}:uncollected-${found.key}`, {
          ...where,
          message: `${found.what} in one tab had piled up to ${shown(found.to)} after ${found.documents} pages ${step.title} loaded into it; a garbage collection brought them down to ${shown(found.from)}: the pages it leaves (listeners on window, large globals) are freed only when the browser gets round to it, and hold memory till then. Collect sooner with gc.everyPages, or recycle the context (recycle.contextEveryPages)`,
        });
      }
    }
  }

  /** A tab loaded a document; true when it must be measured now (see TabGrowth.loaded). */
  tabLoaded(pageId: string): boolean {
    return this.tabs.loaded(pageId);
  }

  tabClosed(pageId: string): void {
    this.tabs.closed(pageId);
  }

  /**
   * Compares a page with its measure after the step before: what grew on one document while a
   * step ran is what that step left behind. A step that does so run after run is reported.
   */
  pageMeasured(step: StepNode, metrics: PageMetrics): void {
    const previous = this.lastByPage.get(metrics.pageId);
    this.lastByPage.set(metrics.pageId, metrics);
    if (!previous || previous.url !== metrics.url || previous.documents !== metrics.documents) return;
    const growth = this.growthByStep.get(step.id) ?? { listeners: 0, nodes: 0, heapMb: 0, growingRuns: 0 };
    const listeners = metrics.listeners - previous.listeners;
    const nodes = metrics.nodes - previous.nodes;
    growth.listeners += listeners;
    growth.nodes += nodes;
    growth.heapMb += metrics.jsHeapUsedMb - previous.jsHeapUsedMb;
    if (listeners > 0 || nodes > 0 || metrics.jsHeapUsedMb - previous.jsHeapUsedMb > HEAP_GROWING_MB) growth.growingRuns++;
    this.growthByStep.set(step.id, growth);
    if (growth.growingRuns < MIN_GROWING_RUNS) return;
    const where = { stepId: step.id, file: step.loc.file, line: step.loc.line };
    if (growth.listeners > this.settings.listenerGrowth) {
      this.report('listeners', `${step.id}:listeners`, { ...where, amount: growth.listeners, message: `event listeners grew by ${growth.listeners} over ${growth.growingRuns} runs of ${step.title} on the same page` });
    }
    if (growth.nodes > this.settings.nodeGrowth) {
      this.report('dom-nodes', `${step.id}:nodes`, { ...where, amount: growth.nodes, message: `DOM nodes grew by ${growth.nodes} over ${growth.growingRuns} runs of ${step.title} on the same page` });
    }
    if (growth.heapMb > this.settings.heapGrowthMb) {
      this.report('page-heap', `${step.id}:heap`, { ...where, amount: growth.heapMb, message: `the page's JS heap grew by ${growth.heapMb.toFixed(1)} MB over ${growth.growingRuns} runs of ${step.title}` });
    }
  }

  loopItem(step: StepNode, runnerHeapMb: number): void {
    const series = this.loopHeap.get(step.id) ?? [];
    series.push(runnerHeapMb);
    this.loopHeap.set(step.id, series);
  }

  /** flow's own heap growing across a loop's items means flow, or the workflow's variables, keep data. */
  loopEnded(step: StepNode): void {
    const series = this.loopHeap.get(step.id);
    this.loopHeap.delete(step.id);
    if (!series || series.length < MIN_LOOP_ITEMS) return;
    const growth = Math.min(...series.slice(-3)) - Math.min(...series.slice(0, 3));
    if (growth > this.settings.heapGrowthMb) {
      this.report('runner-heap', `${step.id}:runner`, { stepId: step.id, file: step.loc.file, line: step.loc.line, amount: growth, message: `flow's own heap grew by ${growth.toFixed(1)} MB over ${series.length} items of ${step.title} (data kept in variables?)` });
    }
  }

  /**
   * Total memory at the end of each round of a loop: memory that stays shows as a rising line
   * over the rounds. Which step inside keeps it, the page figures above tell when it is the
   * page's own heap, listeners or nodes.
   */
  roundEnded(loop: StepNode, totalMb: number, sampleT: number): void {
    const entry = this.afterRound.get(loop.id) ?? { loop, fit: { rounds: 0, lastSampleT: -1, line: new RunningSlope() } };
    this.afterRound.set(loop.id, entry);
    const fit = entry.fit;
    fit.rounds++;
    if (fit.rounds <= WARMUP_ROUNDS || sampleT === fit.lastSampleT) return;
    fit.lastSampleT = sampleT;
    fit.firstX ??= fit.rounds;
    fit.lastX = fit.rounds;
    fit.line.add(fit.rounds, totalMb);
  }

  /** Loops whose rounds left memory behind, round after round, by more than the policy allows. */
  finish(): void {
    for (const { loop, fit } of this.afterRound.values()) {
      const perRound = fit.line.slope();
      if (fit.line.n < MIN_FITTED_ROUNDS || perRound === undefined) continue;
      const rounds = fit.lastX! - fit.firstX!;
      const growth = perRound * rounds;
      if (growth <= this.settings.stepGrowthMb) continue;
      this.report('step-retained', `${loop.id}:retained`, {
        stepId: loop.id,
        file: loop.loc.file,
        line: loop.loc.line,
        amount: growth,
        message: `memory kept rising over the rounds of ${loop.title}: ${growth.toFixed(0)} MB over ${rounds + 1} rounds (${perRound.toFixed(2)} MB a round) — a step inside keeps data; recycling the context every N pages usually stops it`,
      });
    }
  }

  private report(kind: LeakKind, key: string, finding: { stepId?: string; file?: string; line?: number; message: string; amount: number }): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.emit({ type: 'leak', t: this.now(), at: new Date().toISOString(), kind, ...finding });
  }
}
