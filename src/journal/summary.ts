import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { RunRecord } from '../runner/run-record.js';

/**
 * run.json: the run as its journal tells it, without the samples (the report reads those from
 * the journal). Written whole to a temporary file and renamed, so a reader never sees half of
 * it, and no temporary file is left when the disk is full.
 */
export function writeRunSummary(record: RunRecord, path: string): void {
  const temporary = `${path}.tmp`;
  const { samples: _samples, ...summary } = record;
  try {
    writeFileSync(temporary, JSON.stringify(summary));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
