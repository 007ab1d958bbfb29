import type { Page } from 'playwright-core';
import pidusage from 'pidusage';
import { PageMeter } from './page-metrics.js';
import { classifyProcess, Descendants, hasProcFs, type MemoryParts, processesStarted, readLastPid, readMemory, readResident, type Resident } from './processes.js';
import type { MemorySample, ProcessKind, ProcessSample } from './types.js';

const MB = 1048576;
/**
 * What a sample reads adapts to what measuring has cost so far; the interval stays (see
 * docs/policy.md, "Sampling"). Each part has its share of the time since the sampler started,
 * 1.2% in all; the first PSS read of each process is the base of every sample after it, made
 * whatever the budget (a PSS total cannot leave a process out), and counted in the cost.
 *
 * Every sample reads each process's RSS from /proc/PID/status, counters the kernel keeps (about
 * 0.02 ms a process), and lists the processes started since (see Descendants): 0.2-1 ms in all
 * with a browser of three pages. Only at intervals so short that this alone would cost more than
 * ROUTINE_SHARE do samples come less often than asked: the next waits until it does not (40-200
 * ms after the last), and a step's sample asked for sooner is the next one.
 */
const ROUTINE_SHARE = 0.004;
/** Weight of the latest sample in the running mean of a sample's routine cost. */
const ROUTINE_COST_WEIGHT = 0.25;
/**
 * Reading a process's PSS walks its page tables: 0.3-1.5 ms a process, the more the larger it
 * is. So PSS is read again at most every PSS_READ_EVERY_MS per process, or sooner when RSS moved
 * by more than PSS_REREAD_RSS_CHANGE_SHARE, and only while such reads have cost less than
 * PSS_READ_SHARE; the process whose RSS moved most is read first. In between, PSS is carried
 * from the last read by the change in RSS of each kind of page: anonymous pages a process adds
 * or frees are its own, and count in full; file and shared-memory pages count at the share of
 * them its PSS held at the last read (a renderer that runs more of Chromium's code maps pages
 * that every process shares). What RSS does not show is how many processes share a page:
 * Chromium's own processes starting and ending are accounted for (see shareOut), other programs
 * mapping the same files (another Chromium on the machine) only by the next read.
 */
const PSS_READ_EVERY_MS = 3000;
const PSS_REREAD_RSS_CHANGE_SHARE = 0.1;
const PSS_READ_SHARE = 0.004;
/**
 * The sampler's reads of pages' metrics, each a CDP round trip to a page's renderer: their
 * share of the run (see PageMeter for what a read is charged).
 */
const PAGE_METRICS_SHARE = 0.004;
/**
 * The leak watch's reads of tabs after the documents they load: their share, beyond the reads
 * it must make (a tab's baseline, and one at least every few documents; see TabGrowth.loaded).
 */
const LEAK_CHECKS_SHARE = 0.01;

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

/** A PSS read from smaps_rollup, with the RSS counters at that moment to carry it from. */
interface PssRead extends Resident {
  pssMb: number;
  /** Private pages (USS): PSS less this is the process's part of pages shared with others. */
  ussMb: number;
  pss?: MemoryParts;
  /** RSS at the last sample, to tell whether PSS is due to be read again. */
  lastRssMb: number;
  /** Change in its part of shared pages since the read, as processes started and ended (see shareOut). */
  adjustMb: number;
  /** When it was read; -Infinity once due for a reason other than age (see shareOut). */
  at: number;
  /** CPU milliseconds the read took: what reading it again is expected to cost. */
  costMs: number;
}

/**
 * Measures flow and every Chromium process on an interval and on demand. On Linux PSS is the
 * total (shared pages split between the processes sharing them) with RSS beside it; elsewhere
 * only RSS is known, from pidusage, and labelled as such.
 */
export class MemorySampler {
  latest: MemorySample | undefined;
  /** Every read of pages' metrics in the run, the leak watch's too, and their cost. */
  readonly pageMeter = new PageMeter({ sampling: PAGE_METRICS_SHARE, leaks: LEAK_CHECKS_SHARE });
  /**
   * CPU milliseconds flow spent listing processes, reading /proc and summing (CPU rather than
   * wall time: on a busy machine a read waits for a core, and that wait costs the run nothing),
   * plus the wall time of asking the browser for its processes when attached over CDP.
   */
  private processCostMs = 0;
  /** A pid keeps its kind for its life; reading its command line once it shows its own is enough. */
  private readonly kinds = new Map<number, ProcessKind>();
  private readonly pssRead = new Map<number, PssRead>();
  private readonly descendants = new Descendants();
  /** Pids found gone at the last sample: the listing drops them, and rescans if they had children. */
  private ended: number[] = [];
  /** Attached over CDP: the browser's list, asked again only once a process started or ended. */
  private cdpList: { processes: Array<{ pid: number; kind: ProcessKind }>; upTo: number | undefined } | undefined;
  /** Callers of nextSample, answered by whichever sample comes next. */
  private waiting: Array<{ resolve: (sample: MemorySample) => void; reject: (error: unknown) => void }> = [];
  private nextReason: MemorySample['reason'] | undefined;
  private nextStepId: string | undefined;
  private readonly listeners: Array<(sample: MemorySample) => void> = [];
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  /** Asked for by a listener of the last sample (see sampleWithin): the next timed sample comes within this. */
  private wantedWithinMs: number | undefined;
  private lastSampleAt = -Infinity;
  /** Running mean of the CPU milliseconds of a sample's routine reads (see ROUTINE_SHARE). */
  private routineMs: number | undefined;
  private sampled = false;
  private pageMetricsInFlight = false;
  /** Pages that have loaded a document (see pageMetricsDue). */
  private readonly loadedPages = new WeakSet<Page>();
  private readonly watchedPages = new WeakSet<Page>();
  /**
   * CPU milliseconds spent reading PSS again. First reads are the base (see above), outside the
   * share: counted in it, they left no re-read for the first seconds, while Chromium starts its
   * processes and carried figures drift most (5% off a direct read in a test).
   */
  private pssRereadMs = 0;
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

  /** What the sampler's measuring has cost so far, to report as its overhead. */
  get costMs(): number {
    return this.processCostMs + this.pageMeter.costMs('sampling');
  }

  /** What the leak watch's reads of pages have cost so far. */
  get leakChecksCostMs(): number {
    return this.pageMeter.costMs('leaks');
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight.catch(() => undefined);
    if (this.waiting.length) await this.take(this.nextReason ?? 'interval', this.nextStepId).catch(() => undefined);
  }

  /** Milliseconds since the last sample began. */
  sinceLastSampleMs(): number {
    return performance.now() - this.lastSampleAt;
  }

  /**
   * Samples now; the interval starts again from here, so a run sampled at its steps needs no
   * extra timed samples. Sooner after the last sample than its routine reads allow (see
   * ROUTINE_SHARE), the request is answered by the next sample, taken as soon as they do.
   */
  async sample(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    const early = this.minGapMs() - this.sinceLastSampleMs();
    if (this.running && early > 0) {
      this.nextReason ??= reason;
      this.nextStepId ??= stepId;
      const next = new Promise<MemorySample>((resolve, reject) => this.waiting.push({ resolve, reject }));
      if (this.timerDueAt > performance.now() + early) this.schedule(early);
      return next;
    }
    const taken = this.take(reason, stepId);
    this.schedule();
    return taken;
  }

  /**
   * Brings the next timed sample forward to within `ms` of the last one, no sooner than the
   * routine reads allow: a listener that must decide again soon (the budget controller finding
   * its level) asks for it after each sample, and the interval comes back once none does.
   */
  sampleWithin(ms: number): void {
    this.wantedWithinMs = Math.min(ms, this.wantedWithinMs ?? Infinity);
    const delayMs = this.timedDelayMs();
    if (this.running && this.timerDueAt > performance.now() + delayMs) this.schedule(delayMs);
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
    this.nextStepId = undefined;
    this.wantedWithinMs = undefined;
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

  /** The next timed sample: after the interval (or what a listener asked for), and no sooner than the routine reads allow. */
  private schedule(delayMs = this.timedDelayMs()): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    this.timerDueAt = performance.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timerDueAt = Infinity;
      this.take(this.nextReason ?? 'interval', this.nextStepId)
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, delayMs);
    this.timer.unref();
  }

  /** Until the next timed sample: the interval, or sooner if a listener asked, from the last sample's start; no sooner than the routine reads allow. */
  private timedDelayMs(): number {
    const wantedGapMs = Math.min(this.options.intervalMs, this.wantedWithinMs ?? Infinity);
    return Math.max(Math.max(wantedGapMs, this.minGapMs()) - this.sinceLastSampleMs(), 0);
  }

  /** The shortest time between samples at which their routine reads cost ROUTINE_SHARE. */
  private minGapMs(): number {
    return (this.routineMs ?? 0) / ROUTINE_SHARE;
  }

  private elapsedMs(): number {
    return performance.now() - this.started;
  }

  private async measure(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    const open = this.options.pages();
    const due = this.pageMetricsDue(open);
    if (due) await this.readPageMetrics(due);
    const pages = this.pageMeter.takeReadings();
    const { own, processes, routineMs } = await this.readProcesses();
    const began = process.cpuUsage();
    const usage = process.memoryUsage();
    const runner = { rssMb: own?.rssMb ?? usage.rss / MB, pssMb: own?.pssMb, heapUsedMb: usage.heapUsed / MB, heapTotalMb: usage.heapTotal / MB };
    const byKind: MemorySample['byKind'] = { runner: { rssMb: runner.rssMb, pssMb: runner.pssMb, count: 1 } };
    for (const p of processes) {
      const entry = (byKind[p.kind] ??= { rssMb: 0, pssMb: p.pssMb === undefined ? undefined : 0, count: 0 });
      entry.rssMb += p.rssMb;
      if (entry.pssMb !== undefined && p.pssMb !== undefined) entry.pssMb += p.pssMb;
      entry.count++;
    }
    const withPss = runner.pssMb !== undefined && processes.every((p) => p.pssMb !== undefined);
    const sample: MemorySample = {
      t: this.options.now ? this.options.now() : this.elapsedMs(),
      at: new Date().toISOString(),
      reason,
      stepId,
      runner,
      processes,
      byKind,
      totalPssMb: withPss ? runner.pssMb! + processes.reduce((sum, p) => sum + p.pssMb!, 0) : undefined,
      totalRssMb: runner.rssMb + processes.reduce((sum, p) => sum + p.rssMb, 0),
      pages,
      pagesOpen: open.length,
    };
    const summing = cpuMsSince(began);
    this.processCostMs += summing;
    // The first sample lists and classifies every process: what comes after is the routine.
    if (this.sampled) this.routineMs = this.routineMs === undefined ? routineMs + summing : this.routineMs + ROUTINE_COST_WEIGHT * (routineMs + summing - this.routineMs);
    this.sampled = true;
    return sample;
  }

  /**
   * Flow's own memory and Chromium's processes'. PSS is read first, as the budget allows (see
   * PSS_READ_SHARE), for processes new or due by their RSS at the last sample; then every
   * process's RSS at once, and each PSS carried to it from its last read: the figures of one
   * sample are of one moment, even a process read a few turns of the event loop before.
   * `routineMs`: CPU milliseconds of what every sample reads (listing, RSS, carrying PSS).
   */
  private async readProcesses(): Promise<{ own?: { pssMb: number; rssMb: number }; processes: ProcessSample[]; routineMs: number }> {
    if (!hasProcFs) return { processes: await this.readWithPidusage(), routineMs: 0 };
    const listing = await this.listChromium();
    let began = process.cpuUsage();
    const pids = [process.pid, ...listing.processes.map((p) => p.pid)];
    const listed = new Set(pids);
    this.forget([...this.pssRead.keys()].filter((pid) => !listed.has(pid)));
    const now = performance.now();
    const due = pids.filter((pid) => this.isDue(pid, now)).sort((a, b) => this.rssMovedMb(b) - this.rssMovedMb(a));
    const started = pids.filter((pid) => !this.pssRead.has(pid));
    let routineMs = listing.cpuMs + cpuMsSince(began);
    this.processCostMs += routineMs - listing.cpuMs;
    for (const pid of started) {
      const readMs = await this.readPss(pid, now);
      this.processCostMs += readMs;
    }
    for (const pid of due) {
      const expectedMs = this.pssRead.get(pid)!.costMs;
      if (this.pssRereadMs + expectedMs > this.elapsedMs() * PSS_READ_SHARE) break;
      const readMs = await this.readPss(pid, now);
      this.pssRereadMs += readMs;
      this.processCostMs += readMs;
    }
    began = process.cpuUsage();
    for (const pid of started) if (pid !== process.pid) this.shareOut(-sharedMb(this.pssRead.get(pid)), now);
    const measured = [{ pid: process.pid, kind: 'runner' as const }, ...listing.processes].flatMap(({ pid, kind }) => {
      const memory = readResident(pid);
      const read = this.pssRead.get(pid);
      if (!memory) return [];
      if (read) read.lastRssMb = memory.rssMb;
      return [{ pid, kind, rssMb: memory.rssMb, pssMb: read && carriedPssMb(read, memory) }];
    });
    const alive = new Set(measured.map((p) => p.pid));
    this.ended = pids.filter((pid) => !alive.has(pid));
    this.forget(this.ended);
    const ownMeasured = measured.find((p) => p.kind === 'runner');
    const own = ownMeasured?.pssMb === undefined ? undefined : { pssMb: ownMeasured.pssMb, rssMb: ownMeasured.rssMb };
    const processes: ProcessSample[] = measured.filter((p) => p.kind !== 'runner');
    const readingMs = cpuMsSince(began);
    this.processCostMs += readingMs;
    routineMs += readingMs;
    return { own, processes, routineMs };
  }

  /** Processes that ended: what they held of pages shared with others goes back to those. */
  private forget(pids: readonly number[]): void {
    for (const pid of pids) {
      const read = this.pssRead.get(pid);
      this.pssRead.delete(pid);
      this.kinds.delete(pid);
      if (read && pid !== process.pid) this.shareOut(sharedMb(read));
    }
  }

  /**
   * A process that starts maps pages Chromium's other processes map too (its code, fonts, the
   * zygote's memory it was forked from), and their PSS falls by what its PSS holds of them: the
   * sum stays. One that ends gives its part back. So before the others are read again, the
   * shared part of the one that came or went (PSS less private pages) is shared out among the
   * processes not read in this sample, by the part of shared pages each held: their sum stays
   * right, each one's share is near. And each is due to be read again. `freshAt`: when this
   * sample read the processes it read (their reads already tell).
   */
  private shareOut(mb: number, freshAt?: number): void {
    const carried = [...this.pssRead.entries()].filter(([pid, read]) => pid !== process.pid && read.at !== freshAt).map(([, read]) => read);
    const total = carried.reduce((sum, read) => sum + sharedMb(read), 0);
    for (const read of carried) {
      if (total > 0) read.adjustMb += (mb * sharedMb(read)) / total;
      read.at = -Infinity;
    }
  }

  /** Chromium's processes: flow's descendants, classified by command line, or the browser's own list when attached over CDP. */
  private async listChromium(): Promise<{ processes: Array<{ pid: number; kind: ProcessKind }>; cpuMs: number }> {
    const began = process.cpuUsage();
    const { chromiumProcesses } = this.options;
    if (!chromiumProcesses) {
      const processes = this.descendants.list(this.ended).flatMap((pid) => {
        const kind = this.kindOf(pid);
        return kind ? [{ pid, kind }] : [];
      });
      const cpuMs = cpuMsSince(began);
      this.processCostMs += cpuMs;
      return { processes, cpuMs };
    }
    const upTo = readLastPid();
    const started = processesStarted(this.cdpList?.upTo, upTo);
    const cpuMs = cpuMsSince(began);
    this.processCostMs += cpuMs;
    if (this.cdpList && started?.length === 0 && this.ended.length === 0) return { processes: this.cdpList.processes, cpuMs };
    const asked = performance.now();
    const processes = await chromiumProcesses().catch(() => []);
    this.processCostMs += performance.now() - asked;
    this.cdpList = { processes, upTo };
    return { processes, cpuMs };
  }

  /** Without /proc: RSS from pidusage, of the processes the browser lists. */
  private async readWithPidusage(): Promise<ProcessSample[]> {
    const listed = this.options.chromiumProcesses ? await this.options.chromiumProcesses().catch(() => []) : [];
    if (listed.length === 0) return [];
    const stats = await pidusage(listed.map((p) => p.pid)).catch(() => ({}) as Record<string, pidusage.Status>);
    return listed.flatMap(({ pid, kind }) => {
      const status = (stats as Record<string, pidusage.Status | null>)[pid];
      return status ? [{ pid, kind, rssMb: status.memory / MB }] : [];
    });
  }

  /** A process's PSS is read again when its last read is old, or its RSS at the last sample had moved much since. */
  private isDue(pid: number, now: number): boolean {
    const read = this.pssRead.get(pid);
    return read !== undefined && (now - read.at >= PSS_READ_EVERY_MS || this.rssMovedMb(pid) > read.rssMb * PSS_REREAD_RSS_CHANGE_SHARE);
  }

  private rssMovedMb(pid: number): number {
    const read = this.pssRead.get(pid);
    return read ? Math.abs(read.lastRssMb - read.rssMb) : 0;
  }

  /** Reads a process's PSS and keeps it with the RSS read just before, to carry it from; returns the CPU milliseconds it took. */
  private async readPss(pid: number, now: number): Promise<number> {
    const began = process.cpuUsage();
    const memory = readResident(pid);
    const read = memory && readMemory(pid);
    const costMs = cpuMsSince(began);
    if (memory && read) this.pssRead.set(pid, { pssMb: read.pssMb, ussMb: read.ussMb, pss: read.pss, rssMb: memory.rssMb, rss: memory.rss, lastRssMb: memory.rssMb, adjustMb: 0, at: now, costMs });
    // One read per turn of the event loop: a read takes up to a millisecond or two, and the
    // steps' protocol messages should not queue behind a dozen of them.
    await new Promise((resolve) => setImmediate(resolve));
    return costMs;
  }

  /**
   * A round reads every open page that has loaded a document: attaching to a page whose first
   * navigation is under way waits for Chromium to start its renderer and commit, and a blank
   * page has nothing to measure. A page's first round comes at the first sample after it
   * loaded, whatever the share, so each page is measured, like a process's first PSS read; it
   * counts in the share, so the rounds after it wait until the share covers it. Other rounds are
   * made while the page meter affords them. Only one round is in flight at a time.
   */
  private pageMetricsDue(open: Page[]): Page[] | undefined {
    if (!this.options.includePageMetrics || this.pageMetricsInFlight) return undefined;
    const pages = open.filter((page) => this.hasLoaded(page));
    if (pages.length === 0) return undefined;
    if (pages.some((page) => !this.pageMeter.hasRead(page))) return pages;
    return this.pageMeter.affords(pages.length, 'sampling') ? pages : undefined;
  }

  /** Whether a page has loaded a document; Playwright tells that from events it has, without asking Chromium. */
  private hasLoaded(page: Page): boolean {
    if (!this.watchedPages.has(page)) {
      this.watchedPages.add(page);
      const loaded = () => this.loadedPages.add(page);
      page.once('load', loaded);
      if (page.url() !== 'about:blank') page.waitForLoadState('load').then(loaded, () => undefined);
    }
    return this.loadedPages.has(page);
  }

  private async readPageMetrics(pages: Page[]): Promise<void> {
    this.pageMetricsInFlight = true;
    try {
      await Promise.all(pages.map((page) => this.pageMeter.read(page, 'sampling')));
    } finally {
      this.pageMetricsInFlight = false;
    }
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

/**
 * PSS now, from the last read and the change in RSS since, by kind of page: anonymous pages
 * in full, file and shared-memory pages at the share of them the last read's PSS held.
 * Without the split (kernels before 5.13), the whole change in RSS.
 */
function carriedPssMb(read: PssRead, now: Resident): number {
  if (!read.pss) return Math.max(0, read.pssMb + read.adjustMb + now.rssMb - read.rssMb);
  const scaled = (pssMb: number, rssNow: number, rssThen: number) => (rssThen > 0 ? (pssMb * rssNow) / rssThen : rssNow);
  const anon = read.pss.anonMb + now.rss.anonMb - read.rss.anonMb;
  return Math.max(0, anon + read.adjustMb + scaled(read.pss.fileMb, now.rss.fileMb, read.rss.fileMb) + scaled(read.pss.shmemMb, now.rss.shmemMb, read.rss.shmemMb));
}

/** A process's part of pages it shares with others, as of its last read and the changes since. */
function sharedMb(read: PssRead | undefined): number {
  return read ? Math.max(0, read.pssMb - read.ussMb + read.adjustMb) : 0;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
