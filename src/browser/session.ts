import type { BrowserContext, Page } from 'playwright-core';
import type { RunEvents } from '../runner/events.js';
import type { BrowserHandle } from './launch.js';

interface OpenPage {
  page: Page;
  laneId: string;
  /** A step is running on it; only pages that are not busy may be closed to make room. */
  busy: boolean;
  lastUsed: number;
}

export interface SessionHooks {
  /** Called for every new page before any step uses it (blocking, metrics). */
  preparePage?(page: Page): Promise<void>;
  /** Replaces the browser (for a restart); returns the new handle. */
  restart?(): Promise<BrowserHandle>;
}

/**
 * The browser as the runner sees it: a pool of at most `maxPages` pages, handed to lanes, and
 * the means to start fresh (a new context, a new browser) between steps. Every page opened
 * here is closed here.
 */
export class BrowserSession {
  private readonly open = new Map<Page, OpenPage>();
  private readonly waiting: Array<() => void> = [];
  private readonly paused: Array<() => void> = [];
  private barrier: Promise<void> | undefined;
  private context: BrowserContext;
  private pagesVisited = 0;
  private closed = false;
  private opening = 0;
  private readonly closing = new WeakSet<Page>();

  constructor(
    private handle: BrowserHandle,
    public maxPages: number,
    private readonly events: RunEvents,
    private readonly hooks: SessionHooks = {},
  ) {
    this.context = handle.context;
  }

  get browserHandle(): BrowserHandle {
    return this.handle;
  }

  get pagesOpen(): number {
    return this.open.size;
  }

  get visited(): number {
    return this.pagesVisited;
  }

  pages(): Page[] {
    return [...this.open.keys()];
  }

  /**
   * Pages the workflow's pages opened themselves (popups, target=_blank), not the runner. While
   * the runner is itself opening a page, that page is already in the context but not yet ours.
   */
  foreignPages(): Page[] {
    if (this.opening > 0) return [];
    return this.context.pages().filter((page) => !this.open.has(page) && !this.closing.has(page));
  }

  /** The lane a page belongs to, to tell which step a popup came from. */
  laneOf(page: Page): string | undefined {
    return this.open.get(page)?.laneId;
  }

  idlePages(): Page[] {
    return [...this.open.values()].filter((p) => !p.busy).map((p) => p.page);
  }

  /**
   * A new page for a lane. At the limit, the oldest idle page is closed first; when every page
   * is busy, waits for one to be released.
   */
  private async openPage(laneId: string): Promise<Page> {
    while (this.open.size >= this.maxPages) {
      const idle = [...this.open.values()].filter((p) => !p.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (idle) {
        await this.closePage(idle.page, 'page limit reached: closed the oldest idle page');
        continue;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      await this.barrier;
    }
    this.assertOpen();
    this.opening++;
    let page: Page;
    try {
      page = await this.context.newPage();
    } catch (error) {
      this.opening--;
      this.resumeIfIdle();
      throw error;
    }
    this.opening--;
    // Busy from birth: a recycle waiting at the barrier must not close it before its lane runs a step.
    this.open.set(page, { page, laneId, busy: true, lastUsed: Date.now() });
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame() || frame.url() === 'about:blank') return;
      this.pagesVisited++;
      this.events.emit('page-loaded', { page, url: frame.url(), pagesVisited: this.pagesVisited });
    });
    page.on('close', () => this.forget(page, 'closed by the page itself'));
    await this.hooks.preparePage?.(page);
    this.events.emit('page-opened', { page, pagesOpen: this.open.size });
    return page;
  }

  isOpen(page: Page | undefined): page is Page {
    return page !== undefined && this.open.has(page);
  }

  /**
   * The page a lane runs its next step on, marked busy until `release`: its current page if
   * still open, else a new one (`reopened`). Waits while a recycle is under way.
   */
  async lease(current: Page | undefined, laneId: string): Promise<{ page: Page; reopened: boolean }> {
    let reopened = false;
    for (;;) {
      while (this.barrier) await this.barrier;
      if (!current || !this.open.has(current)) {
        current = await this.openPage(laneId);
        reopened = true;
      }
      const entry = this.open.get(current);
      // A page can close while it opens (a crash): then open another.
      if (!entry) continue;
      entry.busy = true;
      entry.lastUsed = Date.now();
      return { page: current, reopened };
    }
  }

  release(page: Page): void {
    const entry = this.open.get(page);
    if (entry) {
      entry.busy = false;
      entry.lastUsed = Date.now();
    }
    this.resumeIfIdle();
  }

  async closePage(page: Page, reason: string): Promise<void> {
    if (!this.open.has(page)) return;
    this.closing.add(page);
    this.forget(page, reason);
    await page.close({ runBeforeUnload: false }).catch(() => undefined);
  }

  /** Closes every idle page; returns how many. A page a lane leases meanwhile is kept. */
  async closeIdlePages(reason: string): Promise<number> {
    const idle = this.idlePages();
    await Promise.all(idle.map((page) => (this.open.get(page)?.busy ? undefined : this.closePage(page, reason))));
    return idle.length;
  }

  /**
   * Runs `change` when no step is running on any page: new steps wait at the barrier, running
   * ones finish first. Lanes find their page gone and reopen it at its last URL.
   */
  async exclusive<T>(change: () => Promise<T>): Promise<T> {
    while (this.barrier) await this.barrier;
    let lift!: () => void;
    this.barrier = new Promise<void>((resolve) => (lift = resolve));
    try {
      if (this.busyCount() > 0) await new Promise<void>((resolve) => this.paused.push(resolve));
      return await change();
    } finally {
      this.barrier = undefined;
      lift();
      this.wakeWaiters();
    }
  }

  /** A fresh context carrying cookies and storage over, so logins survive. */
  async recycleContext(reason: string): Promise<void> {
    await this.exclusive(async () => {
      const state = await this.context.storageState().catch(() => undefined);
      await this.closeAll(reason);
      const old = this.context;
      this.context = await this.handle.newContext(state);
      if (old !== this.context) await old.close().catch(() => undefined);
    });
  }

  async restartBrowser(reason: string): Promise<void> {
    if (!this.hooks.restart) return this.recycleContext(reason);
    await this.exclusive(async () => {
      const state = await this.context.storageState().catch(() => undefined);
      await this.closeAll(reason);
      await this.handle.close();
      this.handle = await this.hooks.restart!();
      this.context = state ? await this.handle.newContext(state) : this.handle.context;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeAll('run finished');
    await this.handle.close().catch(() => undefined);
    this.wakeWaiters();
  }

  private async closeAll(reason: string): Promise<void> {
    await Promise.all(this.pages().map((page) => this.closePage(page, reason)));
  }

  private forget(page: Page, reason: string): void {
    if (!this.open.delete(page)) return;
    this.events.emit('page-closed', { page, pagesOpen: this.open.size, reason });
    this.wakeWaiters();
    // A busy page that closed (a crash, or the page closing itself) must not hold a recycle back.
    this.resumeIfIdle();
  }

  private resumeIfIdle(): void {
    if (this.busyCount() === 0) this.paused.splice(0).forEach((resume) => resume());
  }

  private wakeWaiters(): void {
    this.waiting.splice(0).forEach((wake) => wake());
  }

  /** Pages in use, and pages being opened: a recycle must wait for both. */
  private busyCount(): number {
    let count = this.opening;
    for (const entry of this.open.values()) if (entry.busy) count++;
    return count;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the browser was closed');
  }
}
