import type { BrowserContext, Page } from 'playwright-core';
import type { RunEvents } from '../runner/events.js';
import type { BrowserHandle, StorageState } from './launch.js';

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
  /** How often a browser that died is started again before the run gives up (recover.browserRestarts). */
  browserRestarts?: number;
  /** The browser kept dying: the run must stop. */
  onFatal?(error: BrowserKeptCrashingError): void;
  /** Pages a resumed run had visited before: counts (and every-N-pages policies) go on from there. */
  visitedBefore?: number;
}

function originsOf(state: StorageState | undefined): Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }> {
  return state && typeof state === 'object' && 'origins' in state ? state.origins : [];
}

/** The browser died more often than the policy's recover.browserRestarts allows. */
export class BrowserKeptCrashingError extends Error {}

/** How long after a step's error a browser's death may still be announced: Playwright reports the failed call first. */
const CRASH_NOTICE_MS = 100;
/** Cookies and storage are saved at most this often, to bring them back after a crash. */
const STORAGE_SNAPSHOT_EVERY_MS = 5000;

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
  /** Pages flow asked Chromium to close that it has not closed yet. */
  private stillClosing = 0;
  /** Pages lost to a crash (their renderer, or the whole browser): what the steps did on them is gone. */
  private readonly crashed = new WeakSet<Page>();
  /** Why flow closed a page a lane may come back to: said when the lane reopens it. */
  private readonly closedBecause = new WeakMap<Page, string>();
  /** The context is being replaced on purpose: its close is no crash. */
  private replacing = false;
  private crashes = 0;
  private lastCrash: 'browser' | 'page' = 'page';
  private restarts = 0;
  private recovering: Promise<void> | undefined;
  private fatal: BrowserKeptCrashingError | undefined;
  private storage: { state?: StorageState; at: number; taking?: Promise<void> } = { at: 0 };
  private allowed: number;
  private itemsRunning = 0;
  private readonly turns: Array<() => void> = [];
  private generation = 0;

  constructor(
    private handle: BrowserHandle,
    public maxPages: number,
    private readonly events: RunEvents,
    private readonly hooks: SessionHooks = {},
  ) {
    this.context = handle.context;
    this.allowed = maxPages;
    this.pagesVisited = hooks.visitedBefore ?? 0;
    this.watch(this.context);
  }

  /** Crashes of the browser or of a page so far. */
  get crashCount(): number {
    return this.crashes;
  }

  /**
   * After a step failed: whether the browser or a page crashed since `count` (read when the
   * work began), once recovery is done. Throws when the browser cannot be brought back.
   */
  async crashedSince(count: number): Promise<'browser' | 'page' | undefined> {
    if (this.crashes === count) await new Promise((resolve) => setTimeout(resolve, CRASH_NOTICE_MS));
    await this.recovering;
    if (this.fatal) throw this.fatal;
    if (this.crashes === count) return undefined;
    return this.lastCrash;
  }

  /** Saves cookies and storage now and then, so a browser started after a crash gets them back. */
  snapshotStorage(): void {
    if (this.storage.taking || Date.now() - this.storage.at < STORAGE_SNAPSHOT_EVERY_MS || this.recovering) return;
    const context = this.context;
    // Playwright reads local storage through a page of its own: only when the page limit has room
    // for it. Otherwise cookies alone are saved, with the local storage of the last full snapshot.
    const room = this.open.size + this.stillClosing + this.opening < this.maxPages;
    const previous = this.storage.state;
    const taking: Promise<StorageState> = room ? context.storageState() : context.cookies().then((cookies) => ({ cookies, origins: originsOf(previous) }));
    this.storage.taking = taking
      .then((state) => {
        if (context === this.context) this.storage = { state, at: Date.now() };
      })
      .catch(() => undefined)
      .finally(() => (this.storage.taking = undefined));
  }

  /**
   * How many loop items may run at once (at most maxPages): the memory budget sets it as it
   * measures. Lanes pass `takeTurn` before an item and `endTurn` after it.
   */
  get allowance(): number {
    return this.allowed;
  }

  setAllowance(n: number): void {
    this.allowed = Math.max(1, Math.min(this.maxPages, n));
    this.wakeTurns();
  }

  get running(): number {
    return this.itemsRunning;
  }

  /** Lanes waiting at the gate for their turn. */
  get waitingForTurn(): number {
    return this.turns.length;
  }

  /** Whether an item may start at once. */
  hasTurn(): boolean {
    return this.itemsRunning < this.allowed;
  }

  async takeTurn(): Promise<void> {
    while (!this.hasTurn()) await new Promise<void>((resolve) => this.turns.push(resolve));
    this.itemsRunning++;
  }

  /**
   * The lane that ends a turn usually starts its next item at once: waiters are woken a moment
   * later, so it keeps the turn and its page, and the lanes that gave their pages up stay
   * without one. Handing turns round would open a page, and start a renderer, for every item.
   */
  endTurn(): void {
    this.itemsRunning--;
    setImmediate(() => this.wakeTurns());
  }

  private wakeTurns(): void {
    // In arrival order, one per free turn: the others keep waiting.
    for (let free = this.allowed - this.itemsRunning; free > 0 && this.turns.length; free--) this.turns.shift()!();
  }

  /** Changes whenever the context is replaced (a recycle, a restart, a recovery after a crash). */
  get contextGeneration(): number {
    return this.generation;
  }

  /** A context closing that flow did not close means the browser died. */
  private watch(context: BrowserContext): void {
    this.generation++;
    context.on('close', () => {
      if (this.closed || this.replacing || context !== this.context) return;
      this.recovering = this.recover().finally(() => (this.recovering = undefined));
    });
  }

  private async recover(): Promise<void> {
    this.crashes++;
    this.lastCrash = 'browser';
    const allowed = this.hooks.browserRestarts ?? 0;
    for (const page of this.pages()) {
      this.crashed.add(page);
      this.forget(page, 'the browser died');
    }
    this.events.emit('browser', { event: 'crashed', reason: `the browser process ended or disconnected (crash ${this.crashes})` });
    if (!this.hooks.restart || this.restarts >= allowed) {
      this.fatal = new BrowserKeptCrashingError(`the browser died ${this.crashes} time(s); recover.browserRestarts allows ${allowed} restart(s), so the run stops here with what it extracted`);
      this.hooks.onFatal?.(this.fatal);
      return;
    }
    this.restarts++;
    await this.exclusive(async () => {
      await this.handle.close().catch(() => undefined);
      this.handle = await this.hooks.restart!();
      this.context = this.storage.state ? await this.handle.newContext(this.storage.state) : this.handle.context;
      this.watch(this.context);
    }).then(
      () => this.events.emit('browser', { event: 'restarted', reason: `restart ${this.restarts} of ${allowed} after a crash`, mode: this.handle.mode, version: this.handle.version, executablePath: this.handle.executablePath }),
      (error: unknown) => {
        this.fatal = new BrowserKeptCrashingError(`the browser died and could not be started again: ${error instanceof Error ? error.message : String(error)}`);
        this.hooks.onFatal?.(this.fatal);
      },
    );
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
    // Playwright reads local storage for a snapshot through a page of its own, closed when done.
    if (this.opening > 0 || this.storage.taking) return [];
    return this.context.pages().filter((page) => !this.open.has(page) && !this.closing.has(page));
  }

  /** The lane a page belongs to, to tell which step a popup came from. */
  laneOf(page: Page): string | undefined {
    return this.open.get(page)?.laneId;
  }

  private idlePages(): Page[] {
    return [...this.open.values()].filter((p) => !p.busy).map((p) => p.page);
  }

  /**
   * A new page for a lane. At the limit, the oldest idle page is closed first; when every page
   * is busy, waits for one to be released.
   */
  private async openPage(laneId: string): Promise<Page> {
    while (this.open.size + this.stillClosing >= this.maxPages) {
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
    page.on('crash', () => {
      this.crashes++;
      this.lastCrash = 'page';
      this.crashed.add(page);
      this.events.emit('browser', { event: 'page-crashed', reason: `the page's renderer crashed at ${page.url()}` });
      this.forget(page, 'its renderer crashed');
      page.close().catch(() => undefined);
    });
    await this.hooks.preparePage?.(page);
    this.events.emit('page-opened', { page, pagesOpen: this.open.size });
    return page;
  }

  /** Whether the page was lost to a crash, rather than closed by flow (to save memory, or at the page limit). */
  lostToCrash(page: Page | undefined): boolean {
    return page !== undefined && this.crashed.has(page);
  }

  isOpen(page: Page | undefined): page is Page {
    return page !== undefined && this.open.has(page);
  }

  /**
   * The page a lane runs its next step on, marked busy until `release`: its current page if
   * still open, else a new one (`reopened`, with why flow closed the lane's page when it did).
   * Waits while a recycle is under way.
   */
  async lease(current: Page | undefined, laneId: string): Promise<{ page: Page; reopened: boolean; closedBecause?: string }> {
    let reopened = false;
    let closedBecause: string | undefined;
    for (;;) {
      while (this.barrier) await this.barrier;
      if (!current || !this.open.has(current)) {
        closedBecause ??= current && this.closedBecause.get(current);
        current = await this.openPage(laneId);
        reopened = true;
      }
      const entry = this.open.get(current);
      // A page can close while it opens (a crash): then open another.
      if (!entry) continue;
      entry.busy = true;
      entry.lastUsed = Date.now();
      return { page: current, reopened, closedBecause };
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
    this.closedBecause.set(page, reason);
    // Until Chromium has closed it, the page still counts against the limit.
    this.stillClosing++;
    this.forget(page, reason);
    await page.close({ runBeforeUnload: false }).catch(() => undefined);
    this.stillClosing--;
    this.wakeWaiters();
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
    await this.replace(async () => {
      const state = await this.context.storageState().catch(() => undefined);
      await this.closeAll(reason);
      const old = this.context;
      this.context = await this.handle.newContext(state);
      if (old !== this.context) await old.close().catch(() => undefined);
    });
  }

  async restartBrowser(reason: string): Promise<void> {
    if (!this.hooks.restart) return this.recycleContext(reason);
    await this.replace(async () => {
      const state = await this.context.storageState().catch(() => undefined);
      await this.closeAll(reason);
      await this.handle.close();
      this.handle = await this.hooks.restart!();
      this.context = state ? await this.handle.newContext(state) : this.handle.context;
    });
  }

  /** Swaps the context (or browser) on purpose, with no step running: its close is no crash. */
  private async replace(change: () => Promise<void>): Promise<void> {
    await this.exclusive(async () => {
      this.replacing = true;
      try {
        await change();
      } finally {
        this.replacing = false;
        this.watch(this.context);
      }
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
