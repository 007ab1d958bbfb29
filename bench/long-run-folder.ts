import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files of a run folder whose growth over a long run matters. */
export const RUN_FILES = ['journal.jsonl', 'run.json', 'report.html'] as const;

export interface RunFolderFacts {
  /** Bytes of each file; undefined when the run did not write it. */
  sizes: Record<(typeof RUN_FILES)[number], number | undefined>;
  /** CPU ms flow spent writing its journal (run.json `journalCostMs`). */
  journalCostMs?: number;
}

export function runFolderFacts(dir: string): RunFolderFacts {
  const sizes = Object.fromEntries(RUN_FILES.map((name) => [name, existsSync(join(dir, name)) ? statSync(join(dir, name)).size : undefined])) as RunFolderFacts['sizes'];
  const record = sizes['run.json'] === undefined ? undefined : (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { journalCostMs?: unknown });
  const cost = record?.journalCostMs;
  return { sizes, journalCostMs: typeof cost === 'number' ? cost : undefined };
}
