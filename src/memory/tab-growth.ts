import type { PageMetrics } from './types.js';

/** Documents a tab loads before its baseline is taken: the first pages fill caches and pools. */
const WARMUP_DOCUMENTS = 3;
/** A suspicion is checked (with a garbage collection) at most once in this many documents. */
const CHECK_EVERY_DOCUMENTS = 8;

/** What is measured of a tab, and how a finding names it. */
export const TAB_MEASURES = [
  { key: 'documents', pick: (m: PageMetrics) => m.documents, what: 'documents kept alive' },
  { key: 'listeners', pick: (m: PageMetrics) => m.listeners, what: 'event listeners' },
  { key: 'nodes', pick: (m: PageMetrics) => m.nodes, what: 'DOM nodes' },
  { key: 'heapMb', pick: (m: PageMetrics) => m.jsHeapUsedMb, what: 'JS heap (MB)' },
] as const;

export type TabMeasure = (typeof TAB_MEASURES)[number]['key'];
export type TabLimits = Record<TabMeasure, number>;

interface Tab {
  loaded: number;
  lastMeasuredAt: number;
  /** Measured after a garbage collection once warm: what the tab keeps, not what it has not collected yet. */
  baseline?: PageMetrics;
  baselineAt?: number;
  lastCheckAt: number;
  checking: boolean;
}

export interface TabFinding {
  key: TabMeasure;
  what: string;
  /** retained: still there after a garbage collection; uncollected: garbage the collection freed, that had piled up. */
  kind: 'retained' | 'uncollected';
  from: number;
  to: number;
  documents: number;
}

/**
 * Growth across navigations in one tab. Old documents a page keeps alive (listeners on window,
 * globals, timers) add up visit after visit, which no measure within one document sees. But
 * garbage not collected yet looks the same for a while, so a tab's figures are compared after a
 * garbage collection: one when the tab is warm (the baseline), and one whenever the figures
 * since look grown past a limit, at most every few documents (about 20 ms each). What is still
 * there after the collection is kept: a finding.
 */
export class TabGrowth {
  private readonly tabs = new Map<string, Tab>();

  constructor(private readonly limits: TabLimits) {}

  /**
   * A tab loaded a document. Not every document need be measured; true when this one must be:
   * the tab's baseline is due, or it went CHECK_EVERY_DOCUMENTS documents unmeasured.
   */
  loaded(pageId: string): boolean {
    let tab = this.tabs.get(pageId);
    if (!tab) this.tabs.set(pageId, (tab = { loaded: 0, lastMeasuredAt: 0, lastCheckAt: 0, checking: false }));
    tab.loaded++;
    if (tab.checking || tab.loaded < WARMUP_DOCUMENTS) return false;
    return !tab.baseline || tab.loaded - tab.lastMeasuredAt >= CHECK_EVERY_DOCUMENTS;
  }

  /**
   * A tab's figures after the document it loaded last; `collected` collects its garbage and
   * measures again. Resolves to what grew past its limit, if anything did.
   */
  async measured(metrics: PageMetrics, collected: () => Promise<PageMetrics | undefined>): Promise<TabFinding[]> {
    const tab = this.tabs.get(metrics.pageId);
    if (!tab) return [];
    tab.lastMeasuredAt = tab.loaded;
    if (tab.checking || tab.loaded < WARMUP_DOCUMENTS) return [];
    if (!tab.baseline) {
      return this.check(tab, collected, (after) => {
        tab.baseline = after;
        tab.baselineAt = tab.loaded;
        return [];
      });
    }
    const baseline = tab.baseline;
    // Chromium leaves old documents for the collector to find, whatever the page: their count
    // alone is no reason to collect; what the pages' scripts add up to is.
    const grown = TAB_MEASURES.some(({ key, pick }) => key !== 'documents' && pick(metrics) - pick(baseline) > this.limits[key]);
    if (!grown || tab.loaded - tab.lastCheckAt < CHECK_EVERY_DOCUMENTS) return [];
    const documents = tab.loaded - tab.baselineAt!;
    return this.check(tab, collected, (after) =>
      TAB_MEASURES.flatMap(({ key, pick, what }): TabFinding[] => {
        if (pick(after) - pick(baseline) > this.limits[key]) return [{ key, what, kind: 'retained', from: pick(baseline), to: pick(after), documents }];
        if (key !== 'documents' && pick(metrics) - pick(after) > this.limits[key]) return [{ key, what, kind: 'uncollected', from: pick(after), to: pick(metrics), documents }];
        return [];
      }),
    );
  }

  /** A tab that closed starts over if its id comes back. */
  closed(pageId: string): void {
    this.tabs.delete(pageId);
  }

  private async check(tab: Tab, collected: () => Promise<PageMetrics | undefined>, judge: (after: PageMetrics) => TabFinding[]): Promise<TabFinding[]> {
    tab.checking = true;
    try {
      const after = await collected();
      // The tab moved on to its next page before it was measured: that page tries again.
      if (!after) return [];
      tab.lastCheckAt = tab.loaded;
      return judge(after);
    } finally {
      tab.checking = false;
    }
  }
}
