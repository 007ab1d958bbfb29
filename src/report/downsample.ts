/** Most points a drawn series keeps: a one-hour run at 1 s sampling draws 1000, not 3600. */
export const MAX_DRAWN_POINTS = 1000;

/**
 * Which indices of a series to draw: all of them when there are few, otherwise the lowest and
 * the highest of each of (max - 2) / 2 equal buckets, plus the first and the last, in order. A
 * peak or a dip therefore always survives, which an average or every-nth pick would lose.
 */
export function minMaxIndices(values: readonly number[], max = MAX_DRAWN_POINTS): number[] {
  const n = values.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor((max - 2) / 2);
  const kept = [0];
  const size = (n - 2) / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor(b * size);
    const end = 1 + Math.floor((b + 1) * size);
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      if (values[i] < values[low]) low = i;
      if (values[i] > values[high]) high = i;
    }
    kept.push(Math.min(low, high));
    if (low !== high) kept.push(Math.max(low, high));
  }
  kept.push(n - 1);
  return kept;
}
