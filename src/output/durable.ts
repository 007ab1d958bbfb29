import { fstatSync, ftruncateSync, statfsSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { shownPath } from '../runner/yaml-source.js';

/** The disk (or a quota) is full: said with the file and the room needed, so the user can free it and resume. */
export class DiskFullError extends Error {
  constructor(
    readonly file: string,
    readonly neededBytes: number,
    readonly code: string,
  ) {
    const free = freeBytes(file);
    super(
      `the disk is full: flow could not write ${shownPath(file)} (${code}; ${megabytes(free)} free, at least ${megabytes(Math.max(neededBytes, 1048576))} needed). Nothing written so far is lost: free some space, then resume the run with flow resume ${shownPath(dirname(file))}`,
    );
  }
}

/**
 * Writes all of `text` at the end of `fd`, or nothing: a write cut short by a full disk is
 * undone (the file is cut back to where it was), so every line in the file stays whole.
 */
export function appendWhole(fd: number, text: string, file: string): void {
  const bytes = Buffer.from(text);
  const start = fstatSync(fd).size;
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    try {
      if (written > 0) ftruncateSync(fd, start);
    } catch {
      // The file could not be cut back: a reader ignores a torn last line anyway.
    }
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') throw new DiskFullError(file, bytes.length, code);
    throw error;
  }
}

function freeBytes(file: string): number {
  try {
    const stats = statfsSync(dirname(file));
    return stats.bavail * stats.bsize;
  } catch {
    return 0;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
