import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

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
