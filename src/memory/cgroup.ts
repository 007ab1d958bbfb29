import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MB = 1048576;
/** cgroup v1 writes "no limit" as a huge number (9223372036854771712 here): anything past this is none. */
const NO_LIMIT_BYTES = 2 ** 60;

export interface ContainerLimit {
  mb: number;
  /** Where it was read, for the journal: e.g. "cgroup v1 memory.limit_in_bytes of /process_api/7". */
  source: string;
}

export interface CgroupFiles {
  /** The text of /proc/self/cgroup. */
  procSelfCgroup: string;
  /** Where the cgroup file systems are mounted: /sys/fs/cgroup. */
  root: string;
}

/**
 * The memory limit of the cgroup flow runs in, or of the nearest ancestor that has one (the
 * smallest, if several do): cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`. Inside a
 * container /proc/self/cgroup may name a path of the host's that is not mounted, so the root
 * of the mount is read too. Undefined when there is no limit or no cgroup to read.
 */
export function containerMemoryLimit(files: CgroupFiles = systemCgroupFiles()): ContainerLimit | undefined {
  let best: ContainerLimit | undefined;
  const consider = (file: string, version: string, path: string) => {
    const bytes = readLimit(file);
    if (bytes !== undefined && (!best || bytes / MB < best.mb)) best = { mb: bytes / MB, source: `cgroup ${version} ${file.split('/').pop()} of ${path}` };
  };
  for (const line of files.procSelfCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined) continue;
    if (controllers === '') {
      for (const dir of ancestors(path)) consider(join(files.root, dir, 'memory.max'), 'v2', dir);
    } else if (controllers.split(',').includes('memory')) {
      for (const dir of ancestors(path)) consider(join(files.root, 'memory', dir, 'memory.limit_in_bytes'), 'v1', dir);
    }
  }
  return best;
}

function systemCgroupFiles(): CgroupFiles {
  let procSelfCgroup = '';
  try {
    procSelfCgroup = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    // Not Linux: no cgroups, no container limit.
  }
  return { procSelfCgroup, root: '/sys/fs/cgroup' };
}

/** "/a/b" → "/a/b", "/a", "/". */
function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return Array.from({ length: parts.length + 1 }, (_, i) => `/${parts.slice(0, parts.length - i).join('/')}`);
}

function readLimit(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  const bytes = Number(text);
  return text !== 'max' && Number.isFinite(bytes) && bytes > 0 && bytes < NO_LIMIT_BYTES ? bytes : undefined;
}

/** The budget a run works to, and where it came from, in words for the journal. */
export interface ResolvedBudget {
  mb: number;
  reason: string;
}

/**
 * budgetMb as the run uses it: a number as written (0: none), or for `auto` a share of the
 * container's memory limit when there is one, else none: outside a container flow keeps to its
 * other settings, as it always did.
 */
export function resolveBudget(setting: number | 'auto', setAt: string, share: number, limit: () => ContainerLimit | undefined = containerMemoryLimit): ResolvedBudget | undefined {
  if (setting !== 'auto') return setting > 0 ? { mb: setting, reason: `budgetMb ${setting} MB, set at ${setAt}` } : undefined;
  const found = limit();
  if (!found) return undefined;
  return { mb: Math.floor(found.mb * share), reason: `${Math.round(share * 100)}% of the container's memory limit of ${Math.round(found.mb)} MB (${found.source})` };
}
