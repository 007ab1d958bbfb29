import type { MemoryStats } from './types.js';

export interface SeriesPoint {
  /** Milliseconds since the start. */
  t: number;
  mb: number;
  /** Pages visited by then, for growth per page. */
  pages?: number;
}

/** Growth below these is noise: a run counts as rising or falling only beyond them. */
const FLAT_MB_PER_PAGE = 0.05;
const FLAT_MB_PER_MINUTE = 1;
const MIN_WARMUP_PAGES = 5;
/**
 * A rate needs enough behind it: two samples of a 20 s run made "-499 MB per minute" out of a
 * recycle. Fitted only over at least this many samples, and per minute over at least this long.
 */
const MIN_RATE_SAMPLES = 10;
const MIN_RATE_SPAN_MS = 30_000;

/**
 * Min, max, mean, p95 (nearest rank), growth, and the slope of memory per page and per minute
 * after a warm-up (the first 10% of pages, at least 5), fitted by least squares: one sample
 * higher or lower does not make a trend.
 */
export function memoryStats(series: SeriesPoint[], options: { warmupPages?: number } = {}): MemoryStats {
  const totalPages = series.reduce((max, point) => Math.max(max, point.pages ?? 0), 0);
  const warmupPages = options.warmupPages ?? Math.max(MIN_WARMUP_PAGES, Math.ceil(totalPages * 0.1));
  if (series.length === 0) {
    return { samples: 0, minMb: 0, maxMb: 0, meanMb: 0, p95Mb: 0, firstMb: 0, lastMb: 0, growthMb: 0, trend: 'flat', warmupPages };
  }
  const values = series.map((point) => point.mb);
  const sorted = [...values].sort((a, b) => a - b);
  const afterWarmup = series.filter((point) => (point.pages ?? 0) >= warmupPages);
  const byPage = afterWarmup.filter((point) => point.pages !== undefined);
  const slopeMbPerPage = byPage.length >= MIN_RATE_SAMPLES && distinct(byPage.map((p) => p.pages!)) >= 3 ? leastSquaresSlope(byPage.map((p) => p.pages!), byPage.map((p) => p.mb)) : undefined;
  const timed = afterWarmup.length >= MIN_RATE_SAMPLES ? afterWarmup : series;
  const timedSpan = timed.length ? timed[timed.length - 1].t - timed[0].t : 0;
  const slopeMbPerMinute = timed.length >= MIN_RATE_SAMPLES && timedSpan >= MIN_RATE_SPAN_MS ? leastSquaresSlope(timed.map((p) => p.t / 60_000), timed.map((p) => p.mb)) : undefined;
  return {
    samples: series.length,
    minMb: sorted[0],
    maxMb: sorted[sorted.length - 1],
    meanMb: values.reduce((sum, v) => sum + v, 0) / values.length,
    p95Mb: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)],
    firstMb: values[0],
    lastMb: values[values.length - 1],
    growthMb: values[values.length - 1] - values[0],
    slopeMbPerPage,
    slopeMbPerMinute,
    trend: trendOf(slopeMbPerPage, slopeMbPerMinute),
    warmupPages,
  };
}

function trendOf(perPage: number | undefined, perMinute: number | undefined): MemoryStats['trend'] {
  if (perPage !== undefined) return perPage > FLAT_MB_PER_PAGE ? 'rising' : perPage < -FLAT_MB_PER_PAGE ? 'falling' : 'flat';
  if (perMinute !== undefined) return perMinute > FLAT_MB_PER_MINUTE ? 'rising' : perMinute < -FLAT_MB_PER_MINUTE ? 'falling' : 'flat';
  return 'flat';
}

function distinct(values: number[]): number {
  return new Set(values).size;
}

/** A least-squares line fitted point by point in constant memory, for fits over a whole run. */
export class RunningSlope {
  n = 0;
  private sx = 0;
  private sy = 0;
  private sxy = 0;
  private sxx = 0;

  add(x: number, y: number): void {
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxy += x * y;
    this.sxx += x * x;
  }

  /** The slope; undefined while every point has the same x. */
  slope(): number | undefined {
    const spread = this.n * this.sxx - this.sx * this.sx;
    return spread > 0 ? (this.n * this.sxy - this.sx * this.sy) / spread : undefined;
  }
}

export function leastSquaresSlope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < n; i++) {
    numerator += (xs[i] - meanX) * (ys[i] - meanY);
    denominator += (xs[i] - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}
