import type { Page } from 'playwright-core';
import type { BrowserSession } from '../browser/session.js';
import type { MemoryAction, MemorySettings } from '../policy/settings.js';
import type { RunEvents } from '../runner/events.js';
import { plainMessage } from '../runner/errors.js';
import type { RunEvent } from '../runner/run-record.js';
import type { PageBlocking } from './blocking.js';
import { profileCacheDir, trimCacheFolder } from './cache.js';
import type { PolicyAction } from './rules/actions.js';
import { collectRunnerGarbage } from './runner-gc.js';
import type { MemorySampler } from './sampler.js';
import { totalOf } from './types.js';

export interface ActuatorOptions {
  session: BrowserSession;
  sampler: MemorySampler;
  events: RunEvents;
  /** The run's clock: milliseconds since it first started, across resumes. */
  now(): number;
  /** Ends the run: the `stop` action. */
  stop(reason: string): void;
  cache: MemorySettings['cache'];
  profileDir?: string;
  /** The run's block rules, which the budget may add to. */
  blocking?: PageBlocking;
}

/**
 * Performs what the rules decide and records it in the run record. Actions on the browser run
 * one at a time, in the order asked; each one's effect is measured by the next regular sample
 * and recorded then, without holding up the next action: a ladder rung must not wait behind
 * periodic ones.
 */
export class MemoryActuator {
  private queue: Promise<void> = Promise.resolve();
  /** Actions taken whose effect the next sample will measure. */
  private readonly effects = new Set<Promise<void>>();
  private performing = false;
  private stopping = false;
  /** What the last garbage collection took a page open, ms: a heavy bench page's took 95-140 alone and 175-490 in a crawl, a light one's about 20. */
  private gcMsPerPage?: number;

  constructor(private readonly options: ActuatorOptions) {}

  /**
   * The run is ending (finish was called, or the policy said stop): samples must no longer lead
   * to actions. Without this, an action measured after the sampler stopped samples at once, and
   * with a cooldown of 0 that sample took the action again, and so on without end.
   */
  get ending(): boolean {
    return this.stopping;
  }

  /** What the last garbage collection took a page open (ms), once one was taken with pages open. */
  get lastGcMsPerPage(): number | undefined {
    return this.gcMsPerPage;
  }

  /** Takes the action; resolves when it has been taken (its effect is measured by the next sample, later). */
  perform(action: PolicyAction): Promise<void> {
    const { session } = this.options;
    switch (action.kind) {
      case 'alert': {
        const { level, t, mb, thresholdMb, message } = action;
        this.record({ type: 'alert', t, at: new Date().toISOString(), level, mb, thresholdMb, message });
        return Promise.resolve();
      }
      case 'set-allowance': {
        const { from, to, reason, budgetMb, totalMb, freeMb, perPageMb } = action;
        session.setAllowance(to);
        this.record({ type: 'budget', t: this.options.now(), at: new Date().toISOString(), what: 'concurrency', from, to, reason, budgetMb, ...(totalMb !== undefined && { totalMb, freeMb }), perPageMb });
        return Promise.resolve();
      }
      case 'block': {
        const { types, reason, budgetMb, totalMb, freeMb, perPageMb } = action;
        this.record({ type: 'budget', t: this.options.now(), at: new Date().toISOString(), what: 'block', types, reason, budgetMb, ...(totalMb !== undefined && { totalMb, freeMb }), perPageMb });
        // Not queued behind other actions: pages loading now should already load less. Blocked requests are counted as the policy's are.
        const applied = (this.options.blocking?.add(types) ?? Promise.resolve()).catch((error) => this.failed(error)).finally(() => this.effects.delete(applied));
        this.effects.add(applied);
        return applied;
      }
      case 'maintain-cache':
        return this.schedule(() => this.maintainCache(action.reason), action.immediate);
      default:
        return this.schedule(() => this.act(action.kind, action.reason), action.immediate);
    }
  }

  /** A page flow did not open: nobody waits for it to close. */
  closePage(page: Page): void {
    page.close().catch(() => undefined);
  }

  record(event: RunEvent): void {
    this.options.events.emit('memory', event);
  }

  /** Waits for the actions asked for so far and for their effects to be measured. */
  async finish(): Promise<void> {
    this.stopping = true;
    await this.queue;
    await Promise.all(this.effects);
  }

  private schedule(task: () => Promise<void>, immediate: boolean | undefined): Promise<void> {
    const run = !immediate || this.performing ? this.queue.then(task) : task();
    this.queue = this.queue.then(() => run).catch((error) => this.failed(error));
    return this.queue;
  }

  private failed(error: unknown): void {
    this.options.events.emit('log', { message: `memory action failed: ${plainMessage(error)}` });
  }

  private async act(action: MemoryAction, reason: string): Promise<void> {
    const { session, sampler, stop } = this.options;
    const t = this.options.now();
    const at = new Date().toISOString();
    const beforeMb = totalOf(sampler.latest);
    const started = performance.now();
    let describe: (afterMb: number | undefined) => RunEvent;
    this.performing = true;
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
            this.stopping = true;
            stop(`memory stayed over the limit (${reason}); the policy's last action is stop`);
          }
          const durationMs = performance.now() - started;
          describe = (afterMb) => ({ type: 'action', t, at, action, reason, beforeMb, afterMb, durationMs, effect });
          break;
        }
      }
    } finally {
      this.performing = false;
    }
    const measured = sampler
      .nextSample('action')
      .then((sample) => this.record(describe(totalOf(sample))), () => this.record(describe(undefined)))
      .finally(() => this.effects.delete(measured));
    this.effects.add(measured);
  }

  /** Collects garbage in every open page and in flow, measuring the pages' JS heap around it. */
  private async collectGarbage(): Promise<{ pages: number; jsHeapBeforeMb?: number; jsHeapAfterMb?: number; durationMs: number }> {
    const pages = this.options.session.pages();
    const heapOf = async () => {
      const metrics = await Promise.all(pages.map((page) => this.options.sampler.pageMeter.read(page, 'sampling')));
      const measured = metrics.filter((m) => m !== undefined);
      return measured.length ? measured.reduce((sum, m) => sum + m.jsHeapUsedMb, 0) : undefined;
    };
    const jsHeapBeforeMb = await heapOf();
    const started = performance.now();
    await Promise.all(pages.map((page) => page.requestGC().catch(() => undefined)));
    collectRunnerGarbage();
    const durationMs = performance.now() - started;
    if (pages.length > 0) this.gcMsPerPage = durationMs / pages.length;
    const jsHeapAfterMb = await heapOf();
    return { pages: pages.length, jsHeapBeforeMb, jsHeapAfterMb, durationMs };
  }

  private async maintainCache(reason: string): Promise<void> {
    const { cache, profileDir, session } = this.options;
    if (profileDir) this.trimCacheFolder(profileDir, reason);
    if (cache.clearBrowserCache) {
      const page = session.pages()[0];
      if (!page) return;
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      this.record({ type: 'action', t: this.options.now(), at: new Date().toISOString(), action: 'clear-cache', reason, effect: "cleared the browser's HTTP cache" });
    }
  }

  private trimCacheFolder(profileDir: string, reason: string): void {
    const { cache } = this.options;
    const result = trimCacheFolder(profileCacheDir(profileDir), cache.maxSizeMb * 1048576, cache.mode);
    this.record({
      type: 'action',
      t: this.options.now(),
      at: new Date().toISOString(),
      action: cache.mode === 'clear' ? 'clear-cache' : 'trim-cache',
      reason,
      effect: `cache folder ${result.beforeMb.toFixed(1)} → ${result.afterMb.toFixed(1)} MB (${result.filesRemoved} files removed)`,
    });
  }
}
