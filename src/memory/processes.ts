import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';
import type { ProcessKind } from './types.js';

const KB_PER_MB = 1024;

/** Descendants of a process, read from /proc (about 4 ms; `ps` would take 100 ms or more). */
export function listDescendants(rootPid: number = process.pid): number[] {
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
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

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

/** PSS and RSS of a process from /proc/PID/smaps_rollup (about 1 ms); undefined once it has ended. */
export function readMemory(pid: number): { pssMb: number; rssMb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / KB_PER_MB;
    return { pssMb: field('Pss'), rssMb: field('Rss') };
  } catch {
    return undefined;
  }
}

/** RSS of a process from /proc/PID/status, a counter the kernel keeps (about 0.05 ms); undefined once it has ended. */
export function readRssMb(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(text)?.[1];
    return kb === undefined ? undefined : Number(kb) / KB_PER_MB;
  } catch {
    return undefined;
  }
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
