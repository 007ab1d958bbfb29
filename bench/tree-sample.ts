import { listDescendants, readMemory, readRssMb } from '../src/memory/processes.js';

export interface TreeSample {
  /** Milliseconds since the process was spawned. */
  t: number;
  /** Pages done: records in the dataset by then. */
  pages: number;
  /** The runner (flow's Node process) alone: RSS from /proc/PID/status. */
  runnerRssMb: number;
  /** PSS summed over the runner and every descendant (Chromium's processes). */
  treePssMb: number;
  processes: number;
}

/** One reading of a process tree from outside it, from /proc; undefined once the root has ended. */
export function sampleTree(rootPid: number, t: number, pages: number): TreeSample | undefined {
  const runnerRssMb = readRssMb(rootPid);
  if (runnerRssMb === undefined) return undefined;
  const pids = [rootPid, ...listDescendants(rootPid)];
  const treePssMb = pids.reduce((sum, pid) => sum + (readMemory(pid)?.pssMb ?? 0), 0);
  return { t, pages, runnerRssMb, treePssMb, processes: pids.length };
}
