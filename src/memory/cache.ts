import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CacheTrimResult {
  beforeMb: number;
  afterMb: number;
  filesRemoved: number;
}

/** The HTTP cache inside a Chromium user-data folder. */
export function profileCacheDir(profileDir: string): string {
  return join(profileDir, 'Default', 'Cache');
}

/**
 * Trims a profile's cache folder oldest-first down to `maxBytes`, or empties it. Index files
 * stay: Chromium treats an entry whose file is gone as a miss.
 */
export function trimCacheFolder(cacheDir: string, maxBytes: number, mode: 'trim' | 'clear'): CacheTrimResult {
  const files = listFiles(cacheDir).filter((file) => !/(^|\/)(index|index-dir\/.*|the-real-index)$/.test(file.path));
  const total = files.reduce((sum, file) => sum + file.size, 0);
  let remaining = total;
  let removed = 0;
  for (const file of files.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    if (mode === 'trim' && remaining <= maxBytes) break;
    try {
      rmSync(file.path, { force: true });
      remaining -= file.size;
      removed++;
    } catch {
      // A file Chromium holds open stays; the next trim gets it.
    }
  }
  return { beforeMb: total / 1048576, afterMb: remaining / 1048576, filesRemoved: removed };
}

function listFiles(dir: string): Array<{ path: string; size: number; mtimeMs: number }> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      return stat.isDirectory() ? listFiles(path) : [{ path, size: stat.size, mtimeMs: stat.mtimeMs }];
    } catch {
      return [];
    }
  });
}
