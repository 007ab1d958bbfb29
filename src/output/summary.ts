import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../runner/run-record.js';

export const SUMMARY_FILE = 'run.json';

/**
 * Writes run.json, the run as its journal tells it, without the samples (the report reads them
 * from the journal): whole or not at all, through a temporary file that never stays behind.
 */
export function writeRunSummary(record: RunRecord, runDir: string): string {
  const path = join(runDir, SUMMARY_FILE);
  const temporary = `${path}.tmp`;
  const { samples: _samples, ...summary } = record;
  if (record.parts) summary.parts = record.parts.map(({ label, record: { samples: _partSamples, ...part } }) => ({ label, record: { ...part, samples: [] } }));
  try {
    writeFileSync(temporary, JSON.stringify(summary));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return path;
}
