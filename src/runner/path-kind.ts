import { accessSync, constants, statSync } from 'node:fs';

/** What stands at a path a user named. */
export type PathKind = 'missing' | 'file' | 'folder' | 'device' | 'pipe' | 'socket';

/** Why a path cannot be used as the file or folder expected there. */
export interface PathProblem {
  kind: PathKind;
  /** Words that follow the path in a sentence: "does not exist", "is a folder, not a file". */
  says: string;
  /** How to fix it; absent for a missing path, whose fix depends on what the path is relative to. */
  hint?: string;
}

const NOUNS: Record<Exclude<PathKind, 'missing'>, string> = {
  file: 'a file',
  folder: 'a folder',
  device: 'a device',
  pipe: 'a named pipe (FIFO)',
  socket: 'a socket',
};

export function pathKind(path: string): PathKind {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 'missing';
  }
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  if (stats.isFIFO()) return 'pipe';
  if (stats.isSocket()) return 'socket';
  return 'device';
}

/**
 * Checks a path before flow reads it: a device such as /dev/zero never ends and a named pipe
 * waits for a writer, so reading either would hang. Undefined when the path is what is expected.
 */
export function pathProblem(path: string, expected: 'file' | 'folder'): PathProblem | undefined {
  const kind = pathKind(path);
  if (kind === expected) return undefined;
  if (kind === 'missing') return { kind, says: 'does not exist' };
  if (kind === 'folder') return { kind, says: 'is a folder, not a file', hint: 'give the path of a file inside it' };
  if (kind === 'file') return { kind, says: 'is a file, not a folder', hint: 'give the path of the folder that holds it' };
  const hint = expected === 'file' ? `reading ${NOUNS[kind]} may never end, so flow reads only ordinary files; give the path of a file saved on disk` : 'give the path of a folder';
  return { kind, says: `is ${NOUNS[kind]}, not ${NOUNS[expected]}`, hint };
}

/** A regular file this user may run: a browser named by a path. */
export function isProgram(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
