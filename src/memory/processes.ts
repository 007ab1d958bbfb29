import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';
import type { ProcessKind } from './types.js';

const KB_PER_MB = 1024;

/** Descendants of a process, read from /proc (about 1 ms here; `ps` would take 100 ms or more). */
export function listDescendants(rootPid: number = process.pid): number[] {
  return descendantsWithParents(rootPid).map(([pid]) => pid);
}

/** Descendants of a process with each one's parent, parents before their children. */
function descendantsWithParents(rootPid: number): Array<[number, number]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields that follow start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while being listed.
    }
  }
  const found: Array<[number, number]> = [];
  const queue: Array<[number, number]> = (children.get(rootPid) ?? []).map((pid) => [pid, rootPid]);
  while (queue.length) {
    const [pid, ppid] = queue.shift()!;
    found.push([pid, ppid]);
    queue.push(...(children.get(pid) ?? []).map((child): [number, number] => [child, pid]));
  }
  return found;
}

/**
 * Flow's descendants kept up to date without reading every process's stat at each call. A
 * scan of /proc costs about 1 ms here and grows with the machine's processes; between scans the
 * kernel's last handed-out pid (ns_last_pid) tells what can be new: pids are handed out in
 * increasing order until they wrap, so only the pids after the one seen last can have started,
 * and each is read (its parent decides whether it is ours). Threads take pids too, and a
 * thread's stat shows its process's parent: a pid whose exit signal is -1 is a thread, skipped. Scanned again in full when the pids wrapped, when more are new than a scan costs to
 * read, when ns_last_pid cannot be read, and when a process that ended had children (they were
 * given to another parent).
 *
 * Not /proc/PID/task/TID/children: a child is listed under the thread that started it, and
 * Chromium starts its utility processes from pool threads that come and go; a child whose
 * thread ends during the walk moves to one already read, and is missed. It is also one read per
 * thread, over a hundred for a browser with three pages.
 */
export class Descendants {
  /** Known descendants and their parents. */
  private readonly parents = new Map<number, number>();
  private seenUpTo: number | undefined;
  /** Full scans made. */
  scans = 0;

  constructor(private readonly rootPid: number = process.pid) {}

  /** The descendants now. `ended`: pids the caller found gone (or a zombie) since the last call. */
  list(ended: readonly number[] = []): number[] {
    for (const pid of ended) this.parents.delete(pid);
    const orphans = ended.length > 0 && [...this.parents.values()].some((ppid) => ended.includes(ppid));
    const last = readLastPid();
    const started = orphans ? undefined : processesStarted(this.seenUpTo, last);
    if (started) {
      for (const { pid, ppid } of started) if (ppid === this.rootPid || this.parents.has(ppid)) this.parents.set(pid, ppid);
    } else {
      this.scans++;
      this.parents.clear();
      for (const [pid, ppid] of descendantsWithParents(this.rootPid)) this.parents.set(pid, ppid);
    }
    // Read before the scan or the reads: a process started meanwhile has a later pid, read next time.
    this.seenUpTo = last;
    return [...this.parents.keys()];
  }
}

/** The kernel's last handed-out pid in this pid namespace, processes and threads alike; undefined where it cannot be read. */
export function readLastPid(): number | undefined {
  try {
    const pid = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Processes (threads left out) that started after pid `from` was handed out, up to `to`, with
 * their parents; undefined when that cannot be known from the pids alone: either end unknown,
 * pids wrapped, or more new pids than reading them one by one is worth.
 */
export function processesStarted(from: number | undefined, to: number | undefined): Array<{ pid: number; ppid: number }> | undefined {
  if (from === undefined || to === undefined || to < from || to - from > MAX_NEW_PIDS_READ) return undefined;
  const started: Array<{ pid: number; ppid: number }> = [];
  for (let pid = from + 1; pid <= to; pid++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name: state, ppid, ..., exit_signal (the 36th): -1 for a thread, which takes a pid but is no process.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[35] !== '-1') started.push({ pid, ppid: Number(fields[1]) });
  }
  return started;
}

/** New pids read one by one at most (about 0.01 ms each): past this, a scan of /proc costs less. */
export const MAX_NEW_PIDS_READ = 64;

/**
 * Classifies a Chromium process by its command line. Chromium rewrites its process title, so a
 * child's cmdline may be one space-joined string rather than NUL-separated arguments.
 * Returns undefined for processes that are not Chromium's.
 */
export function classifyProcess(pid: number): ProcessKind | undefined {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
  return classifyCommandLine(cmdline);
}

export function classifyCommandLine(cmdline: string): ProcessKind | undefined {
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return /(chrom(e|ium)|headless_shell)/i.test(cmdline.split(' ')[0]) ? 'browser' : undefined;
  if (type === 'renderer') return 'renderer';
  if (type === 'gpu-process') return 'gpu';
  if (type === 'utility') {
    const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1] ?? '';
    if (sub.includes('NetworkService')) return 'network';
    if (sub.includes('StorageService')) return 'storage';
    return 'utility';
  }
  return 'other';
}

/**
 * PSS and RSS of a process from /proc/PID/smaps_rollup (0.3-1.5 ms, the more the larger it is),
 * PSS split by kind of page where the kernel tells it (Linux 5.13 on); undefined once it has ended.
 */
export function readMemory(pid: number): { pssMb: number; rssMb: number; ussMb: number; pss?: MemoryParts } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / KB_PER_MB;
    const pss = text.includes('\nPss_Anon:') ? { anonMb: field('Pss_Anon'), fileMb: field('Pss_File'), shmemMb: field('Pss_Shmem') } : undefined;
    return { pssMb: field('Pss'), rssMb: field('Rss'), ussMb: field('Private_Clean') + field('Private_Dirty') + field('Private_Hugetlb'), pss };
  } catch {
    return undefined;
  }
}

/** Resident memory of a process by the kind of page, as /proc/PID/status and smaps_rollup split it. */
export interface MemoryParts {
  anonMb: number;
  fileMb: number;
  shmemMb: number;
}

/** A process's resident memory from /proc/PID/status. */
export interface Resident {
  rssMb: number;
  /** RssAnon, RssFile and RssShmem: counters the kernel keeps, cheap to read. */
  rss: MemoryParts;
}

/** Resident memory from /proc/PID/status (about 0.02 ms); undefined once the process has ended (a zombie has no memory lines). */
export function readResident(pid: number): Resident | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb: Record<string, number> = {};
  for (const [, name, value] of text.matchAll(STATUS_FIELDS)) kb[name] = Number(value);
  if (kb.VmRSS === undefined) return undefined;
  return { rssMb: kb.VmRSS / KB_PER_MB, rss: { anonMb: (kb.RssAnon ?? 0) / KB_PER_MB, fileMb: (kb.RssFile ?? 0) / KB_PER_MB, shmemMb: (kb.RssShmem ?? 0) / KB_PER_MB } };
}

const STATUS_FIELDS = /^(VmRSS|RssAnon|RssFile|RssShmem):\s+(\d+)/gm;

/** RSS of a process from /proc/PID/status, a counter the kernel keeps (about 0.02 ms); undefined once it has ended. */
export function readRssMb(pid: number): number | undefined {
  return readResident(pid)?.rssMb;
}

export const hasProcFs = (() => {
  try {
    readFileSync('/proc/self/smaps_rollup');
    return true;
  } catch {
    return false;
  }
})();

const CDP_KINDS: Record<string, ProcessKind> = {
  browser: 'browser',
  renderer: 'renderer',
  GPU: 'gpu',
  'network.mojom.NetworkService': 'network',
  'storage.mojom.StorageService': 'storage',
};

/**
 * Chromium's processes as the browser lists them (`SystemInfo.getProcessInfo` on a browser CDP
 * session): used when the browser is not our descendant, as when attaching to a running Chrome.
 * The pids are those of the browser's machine (or container): they are used only when the
 * browser process of that number here is a Chromium with remote debugging on. Otherwise the
 * browser is remote, and the list is empty rather than other processes' memory.
 */
export async function chromiumPidsFromCdp(session: CDPSession): Promise<Array<{ pid: number; kind: ProcessKind }>> {
  const { processInfo } = await session.send('SystemInfo.getProcessInfo');
  const browser = processInfo.find((info) => info.type === 'browser');
  if (!browser || (hasProcFs && !isLocalDebuggableChromium(browser.id))) return [];
  return processInfo.map((info) => ({ pid: info.id, kind: CDP_KINDS[info.type] ?? 'utility' }));
}

function isLocalDebuggableChromium(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return classifyCommandLine(cmdline) === 'browser' && cmdline.includes('--remote-debugging-');
  } catch {
    return false;
  }
}
