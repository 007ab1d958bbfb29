import type { Page } from 'playwright-core';
import pidusage from 'pidusage';
import { pageMetrics } from './page-metrics.js';
import { classifyProcess, hasProcFs, listDescendants, readMemory, readRssMb } from './processes.js';
import type { MemorySample, PageMetrics, ProcessKind, ProcessSample } from './types.js';

const MB = 1048576;
/**
 * Reading a process's PSS walks its page tables: 1-8 ms a process, the more the larger it is,
 * and a dozen processes a second cost over 2% of a run. Its RSS is a counter the kernel keeps
 * (0.05 ms). So PSS is read from smaps_rollup at most every PSS_READ_EVERY_MS per process, or
 * sooner when RSS moved by more than PSS_REREAD_RSS_CHANGE_SHARE; in between it is the last PSS
 * read plus the change in RSS since. Growth and release of a process's own memory move both by
 * the same amount, so the estimate is off only by changes in pages shared with other processes.
 */
const PSS_READ_EVERY_MS = 3000;
const PSS_REREAD_RSS_CHANGE_SHARE = 0.1;
/**
 * A crawl's renderers change size at every page, which would make every sample re-read them: a
 * process's PSS is read again (when due) only while such reads have taken less than this share
 * of the run, after a first allowance, else estimated from its RSS. A new process is always read.
 */
const PSS_READ_SHARE = 0.005;
const PSS_READ_ALLOWANCE_MS = 200;
/**
 * Page metrics travel over CDP to every open page's renderer, which stops to answer. Their
 * round trips are counted as measuring cost, and skipped on a sample while they have taken
 * more than this share of the run: the interval stays, what is read adapts.
 */
const PAGE_METRICS_SHARE = 0.006;

export interface SamplerOptions {
  intervalMs: number;
  /** The pages open now, for per-page metrics. */
  pages: () => Page[];
  includePageMetrics?: boolean;
  /**
   * Chromium's processes when they are not descendants of flow (a browser attached over CDP,
   * or a system without /proc); by default flow's descendants, classified by command line.
   */
  chromiumProcesses?: () => Promise<Array<{ pid: number; kind: ProcessKind }>>;
  /** The run's clock for samples' `t`: milliseconds since the run first started. Default: since the sampler was made. */
  now?: () => number;
}

/**
 * Measures flow and every Chromium process on an interval and on demand. On Linux PSS is the
 * total (shared pages split between the processes sharing them) with RSS beside it; elsewhere
 * only RSS is known, from pidusage, and labelled as such.
 */
export class MemorySampler {
  latest: MemorySample | undefined;
  /**
   * What measuring cost, to report the sampler's own overhead: CPU milliseconds flow spent
   * reading /proc and summing (CPU rather than wall time: on a busy machine a read waits for a
   * core, and that wait costs the run nothing), plus the wall time of page metrics' round trips,
   * during which each renderer stops to answer.
   */
  costMs = 0;
  /** A pid keeps its kind for its life; reading its command line once it shows its own is enough. */
  private readonly kinds = new Map<number, ProcessKind>();
  private readonly pssRead = new Map<number, { pssMb: number; rssMb: number; at: number }>();
  private readonly measuredPages = new WeakSet<Page>();
  /** Callers of nextSample, answered by whichever sample comes next. */
  private waiting: Array<{ resolve: (sample: MemorySample) => void; reject: (error: unknown) => void }> = [];
  private nextReason: MemorySample['reason'] | undefined;
  private readonly listeners: Array<(sample: MemorySample) => void> = [];
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private lastSampleAt = -Infinity;
  /** Wall milliseconds spent waiting on page metrics. */
  private pageMetricsMs = 0;
  /** CPU milliseconds spent reading smaps_rollup. */
  private pssReadMs = 0;
  private running = false;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SamplerOptions) {}

  onSample(listener: (sample: MemorySample) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight.catch(() => undefined);
    if (this.waiting.length) await this.take(this.nextReason ?? 'interval').catch(() => undefined);
  }

  /** Milliseconds since the last sample began. */
  sinceLastSampleMs(): number {
    return performance.now() - this.lastSampleAt;
  }

  /** Samples now; the interval starts again from here, so a run sampled at its steps needs no extra timed samples. */
  async sample(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    this.schedule();
    return this.take(reason, stepId);
  }

  /**
   * The next sample, taken at the next tick of the interval (or sooner, for a step) and marked
   * with `reason`: measuring a memory action's effect never samples more often than the
   * interval, even when actions come every second.
   */
  nextSample(reason: MemorySample['reason']): Promise<MemorySample> {
    if (!this.running) return this.sample(reason);
    this.nextReason ??= reason;
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private async take(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    this.lastSampleAt = performance.now();
    const waiting = this.waiting;
    this.waiting = [];
    this.nextReason = undefined;
    const work = this.measure(reason, stepId);
    this.inFlight = work;
    try {
      const sample = await work;
      this.latest = sample;
      for (const listener of this.listeners) listener(sample);
      for (const waiter of waiting) waiter.resolve(sample);
      return sample;
    } catch (error) {
      for (const waiter of waiting) waiter.reject(error);
      throw error;
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.take(this.nextReason ?? 'interval')
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async measure(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    const open = this.options.pages();
    const pages = this.pageMetricsDue(open) ? await this.readPageMetrics(open) : [];
    const processes = await this.chromiumProcesses();
    const began = process.cpuUsage();
    const usage = process.memoryUsage();
    const own = hasProcFs ? this.memoryOf(process.pid) : undefined;

    const runner = { rssMb: usage.rss / MB, pssMb: own?.pssMb, heapUsedMb: usage.heapUsed / MB, heapTotalMb: usage.heapTotal / MB };
    const byKind: MemorySample['byKind'] = { runner: { rssMb: runner.rssMb, pssMb: runner.pssMb, count: 1 } };
    for (const p of processes) {
      const entry = (byKind[p.kind] ??= { rssMb: 0, pssMb: p.pssMb === undefined ? undefined : 0, count: 0 });
      entry.rssMb += p.rssMb;
      if (entry.pssMb !== undefined && p.pssMb !== undefined) entry.pssMb += p.pssMb;
      entry.count++;
    }
    const withPss = runner.pssMb !== undefined && processes.every((p) => p.pssMb !== undefined);
    this.costMs += cpuMsSince(began);
    return {
      t: this.options.now ? this.options.now() : performance.now() - this.started,
      at: new Date().toISOString(),
      reason,
      stepId,
      runner,
      processes,
      byKind,
      totalPssMb: withPss ? runner.pssMb! + processes.reduce((sum, p) => sum + p.pssMb!, 0) : undefined,
      totalRssMb: runner.rssMb + processes.reduce((sum, p) => sum + p.rssMb, 0),
      pages,
      pagesOpen: this.options.pages().length,
    };
  }

  private async chromiumProcesses(): Promise<ProcessSample[]> {
    const fromCdp = this.options.chromiumProcesses ? await this.options.chromiumProcesses().catch(() => []) : undefined;
    if (hasProcFs) {
      let began = process.cpuUsage();
      const listed = fromCdp ?? listDescendants(process.pid).flatMap((pid) => {
        const kind = this.kindOf(pid);
        return kind ? [{ pid, kind }] : [];
      });
      const measured: ProcessSample[] = [];
      const now = performance.now();
      for (const pid of this.pssRead.keys()) if (pid !== process.pid && !listed.some((p) => p.pid === pid)) this.pssRead.delete(pid);
      for (const { pid, kind } of listed) {
        const memory = this.memoryOf(pid, now);
        if (memory) measured.push({ pid, kind, rssMb: memory.rssMb, pssMb: memory.pssMb });
        // One process per turn of the event loop: a read takes about a millisecond, and the
        // steps' protocol messages should not queue behind a dozen of them.
        this.costMs += cpuMsSince(began);
        await new Promise((resolve) => setImmediate(resolve));
        began = process.cpuUsage();
      }
      this.costMs += cpuMsSince(began);
      return measured;
    }
    const listed = fromCdp ?? [];
    if (listed.length === 0) return [];
    const stats = await pidusage(listed.map((p) => p.pid)).catch(() => ({}) as Record<string, pidusage.Status>);
    return listed.flatMap(({ pid, kind }) => {
      const status = (stats as Record<string, pidusage.Status | null>)[pid];
      return status ? [{ pid, kind, rssMb: status.memory / MB }] : [];
    });
  }

  /**
   * Within the share of the run page metrics may take; and whenever a page has never been
   * measured, so that each page is, however early a slow round used the share up (its cost
   * still counts).
   */
  private pageMetricsDue(pages: Page[]): boolean {
    if (!this.options.includePageMetrics) return false;
    const elapsed = performance.now() - this.started;
    return this.pageMetricsMs <= elapsed * PAGE_METRICS_SHARE || pages.some((page) => !this.measuredPages.has(page));
  }

  /** Every open page's metrics; the wait counts as the sampler's cost (the renderers stop to answer). */
  private async readPageMetrics(pages: Page[]): Promise<PageMetrics[]> {
    // No round trip, no cost: counting a round of no pages (the event loop's delay before the
    // await returns, 30 ms and more on a busy machine) used up the share before the first page.
    if (pages.length === 0) return [];
    const began = performance.now();
    const read = await Promise.all(pages.map(pageMetrics));
    // A page just opened shows about:blank: it is measured again once it has loaded something.
    pages.forEach((page, i) => read[i] && read[i].url !== 'about:blank' && this.measuredPages.add(page));
    const metrics = read.filter((m): m is PageMetrics => m !== undefined);
    const waited = performance.now() - began;
    this.pageMetricsMs += waited;
    this.costMs += waited;
    return metrics;
  }

  /** PSS and RSS of a process, PSS read again only when due (see PSS_READ_EVERY_MS). */
  private memoryOf(pid: number, now = performance.now()): { pssMb: number; rssMb: number } | undefined {
    const rssMb = readRssMb(pid);
    if (rssMb === undefined) return undefined;
    const read = this.pssRead.get(pid);
    const fresh = read && now - read.at < PSS_READ_EVERY_MS && Math.abs(rssMb - read.rssMb) <= read.rssMb * PSS_REREAD_RSS_CHANGE_SHARE;
    const overBudget = this.pssReadMs > PSS_READ_ALLOWANCE_MS + (now - this.started) * PSS_READ_SHARE;
    if (read && (fresh || overBudget)) return { pssMb: Math.max(0, read.pssMb + rssMb - read.rssMb), rssMb };
    const began = process.cpuUsage();
    const memory = readMemory(pid);
    this.pssReadMs += cpuMsSince(began);
    if (memory) this.pssRead.set(pid, { ...memory, at: now });
    return memory;
  }

  private kindOf(pid: number): ProcessKind | undefined {
    const known = this.kinds.get(pid);
    if (known) return known;
    const kind = classifyProcess(pid);
    // A process forked a moment ago may still show its parent's command line (the browser's, or
    // the zygote's, which is 'other'): only a kind of its own is final.
    if (kind && kind !== 'browser' && kind !== 'other') this.kinds.set(pid, kind);
    return kind;
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
