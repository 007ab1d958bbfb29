import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * `gc.optimizeFor: memory` holds flow's own heap small too: V8's size-optimised mode kept the
 * runner near 100 MB PSS instead of 150 on a 1,200-page crawl, for about 1 s more of garbage
 * collection in every 200 pages (CPU profiles, BENCHMARKS.md). V8 reads the flag at each
 * collection, so setting it once the policy is known is enough.
 */
export function optimizeRunnerHeapFor(mode: 'speed' | 'memory'): void {
  if (mode === 'memory') setFlagsFromString('--optimize-for-size');
}

/**
 * Collects garbage in flow's own process. Node hides `gc` unless started with --expose-gc;
 * the flag can be set at run time and `gc` read from a fresh context (flow's own code, never
 * a workflow's).
 */
export function collectRunnerGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
