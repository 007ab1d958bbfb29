import type { Page } from 'playwright-core';
import pidusage from 'pidusage';
import { pageMetrics } from './page-metrics.js';
import { classifyProcess, hasProcFs, listDescendants, readMemory } from './processes.js';
import type { MemorySample, PageMetrics, ProcessKind, ProcessSample } from './types.js';

const MB = 1048576;

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
}

/**
 * Measures flow and every Chromium process on an interval and on demand. On Linux PSS is the
 * total (shared pages split between the processes sharing them) with RSS beside it; elsewhere
 * only RSS is known, from pidusage, and labelled as such.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  latest: MemorySample | undefined;
  /**
   * CPU milliseconds flow spent sampling (reading /proc, summing), to report the sampler's own
   * overhead. CPU rather than wall time: on a busy machine a read waits for a core, and that
   * wait costs the run nothing. Page metrics travel over CDP while flow goes on, so only their
   * handling counts, not the wait.
   */
  costMs = 0;
  /** A pid keeps its kind for its life; reading its command line once is enough. */
  private readonly kinds = new Map<number, ProcessKind>();
  private readonly listeners: Array<(sample: MemorySample) => void> = [];
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private lastSampleAt = -Infinity;
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
  }

  /** Milliseconds since the last sample began. */
  sinceLastSampleMs(): number {
    return performance.now() - this.lastSampleAt;
  }

  async sample(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    this.lastSampleAt = performance.now();
    // Any sample restarts the interval: a run sampled at its steps needs no extra timed ones.
    if (reason !== 'interval' && this.running) {
      clearTimeout(this.timer);
      this.schedule();
    }
    const work = this.measure(reason, stepId);
    this.inFlight = work;
    const sample = await work;
    this.samples.push(sample);
    this.latest = sample;
    for (const listener of this.listeners) listener(sample);
    return sample;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.sample('interval')
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async measure(reason: MemorySample['reason'], stepId?: string): Promise<MemorySample> {
    const pages = this.options.includePageMetrics ? (await Promise.all(this.options.pages().map(pageMetrics))).filter((m): m is PageMetrics => m !== undefined) : [];
    const processes = await this.chromiumProcesses();
    const began = process.cpuUsage();
    const usage = process.memoryUsage();
    const own = hasProcFs ? readMemory(process.pid) : undefined;

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
      t: performance.now() - this.started,
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
      for (const { pid, kind } of listed) {
        const memory = readMemory(pid);
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

  private kindOf(pid: number): ProcessKind | undefined {
    const known = this.kinds.get(pid);
    if (known) return known;
    const kind = classifyProcess(pid);
    // A process forked a moment ago may still show its parent's command line: only a --type
    // (anything but 'browser') is final.
    if (kind && kind !== 'browser') this.kinds.set(pid, kind);
    return kind;
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
