import type { CDPSession, Page } from 'playwright-core';
import { pageCdpSession } from '../browser/page-cdp.js';
import type { PageMetrics } from './types.js';

const ids = new WeakMap<Page, string>();
let nextId = 0;

export function pageId(page: Page): string {
  let id = ids.get(page);
  if (!id) ids.set(page, (id = `page-${++nextId}`));
  return id;
}

/** Who reads: the sampler (and an action measuring its effect), or the leak watch. */
export type MeterPurpose = 'sampling' | 'leaks';

/**
 * Every read of pages' metrics in a run, whoever asks (the sampler, the leak watch, a garbage
 * collection measuring its effect), and what the reads cost each purpose.
 *
 * A read is one CDP round trip to the page's renderer, two more the first time (attaching, and
 * enabling the domain). Its wall time is mostly waiting behind the page's own work, which costs
 * the run nothing: no step waits for a read. The work it makes does cost: measured on an idle
 * page (bench/sampler-cost.ts parts), a round trip takes 0.65 ms of flow's CPU (Playwright's
 * dispatch) and 0.43 ms of Chromium's, for 0.94 ms of wall time. So every round trip is charged
 * the fastest one seen in the run, the time of one with nothing to wait for on this machine,
 * and `affords` keeps each purpose's reads within its share of the run. A collection asked of a
 * page is charged one round trip too: the garbage it frees is garbage V8 would collect later.
 */
export class PageMeter {
  private readonly sessions = new WeakMap<Page, Promise<CDPSession>>();
  private readonly trips: Record<MeterPurpose, number> = { sampling: 0, leaks: 0 };
  private fastestTripMs = Infinity;
  private readonly started = performance.now();
  private readonly asked = new WeakSet<Page>();
  /** Each page's latest reading since the last `takeReadings`. */
  private readings = new Map<string, PageMetrics>();

  /** Each purpose's share of the run for its reads (see `affords`). */
  constructor(private readonly shares: Record<MeterPurpose, number>) {}

  /** What a purpose's reads so far cost, in milliseconds. */
  costMs(purpose: MeterPurpose): number {
    return this.trips[purpose] === 0 ? 0 : this.trips[purpose] * this.fastestTripMs;
  }

  /** Whether reading `pages` more pages for a purpose now keeps its reads within its share of the run so far. */
  affords(pages: number, purpose: MeterPurpose): boolean {
    const tripMs = Number.isFinite(this.fastestTripMs) ? this.fastestTripMs : 0;
    return this.costMs(purpose) + pages * tripMs <= (performance.now() - this.started) * this.shares[purpose];
  }

  /**
   * JS heap, DOM nodes, event listeners, documents and frames of a page's renderer
   * (`Performance.getMetrics`). Undefined when the page closed meanwhile.
   */
  async read(page: Page, purpose: MeterPurpose): Promise<PageMetrics | undefined> {
    if (page.isClosed()) return undefined;
    this.asked.add(page);
    try {
      const cdp = await this.session(page, purpose);
      const { metrics } = await this.trip(purpose, () => cdp.send('Performance.getMetrics'));
      const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
      const reading: PageMetrics = {
        pageId: pageId(page),
        url: page.url(),
        jsHeapUsedMb: value('JSHeapUsedSize') / 1048576,
        jsHeapTotalMb: value('JSHeapTotalSize') / 1048576,
        nodes: value('Nodes'),
        listeners: value('JSEventListeners'),
        documents: value('Documents'),
        frames: value('Frames'),
        layoutObjects: value('LayoutObjects'),
      };
      this.readings.set(reading.pageId, reading);
      return reading;
    } catch {
      return undefined;
    }
  }

  /** Whether the page's metrics were asked for before. */
  hasRead(page: Page): boolean {
    return this.asked.has(page);
  }

  /** Each page's latest reading since the last call, whoever read it: a sample carries them. */
  takeReadings(): PageMetrics[] {
    const readings = [...this.readings.values()];
    this.readings = new Map();
    return readings;
  }

  /** A full garbage collection in the page, to measure what survives it. */
  async collect(page: Page, purpose: MeterPurpose): Promise<void> {
    this.trips[purpose]++;
    await page.requestGC();
  }

  /** The page's metrics on its CDP session (src/browser/page-cdp.ts), by the first purpose to read it, which is charged for it. */
  private session(page: Page, purpose: MeterPurpose): Promise<CDPSession> {
    let session = this.sessions.get(page);
    if (!session) {
      session = this.trip(purpose, () => pageCdpSession(page)).then(async (cdp) => {
        await this.trip(purpose, () => cdp.send('Performance.enable'));
        return cdp;
      });
      this.sessions.set(page, session);
      session.catch(() => this.sessions.delete(page));
    }
    return session;
  }

  private async trip<T>(purpose: MeterPurpose, send: () => Promise<T>): Promise<T> {
    const began = performance.now();
    this.trips[purpose]++;
    const answer = await send();
    this.fastestTripMs = Math.min(this.fastestTripMs, performance.now() - began);
    return answer;
  }
}
