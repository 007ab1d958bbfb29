import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repairJsonDataset } from '../../output/dataset.js';
import { readRun, renderComparison, writeReport } from '../../report/render.js';
import { journalOf } from '../../report/read.js';
import { writeRunSummary } from '../../output/summary.js';
import { EXIT } from '../exit-codes.js';
import { shownPath } from '../../runner/yaml-source.js';

function runFolder(run: string): string {
  const path = resolve(run);
  try {
    return statSync(path).isDirectory() ? path : resolve(path, '..');
  } catch {
    return path;
  }
}

export function reportCommand(run: string, options: { template?: string; out?: string }): number {
  const record = readRun(run);
  // A run killed outright never wrote its run.json, or left the one of an earlier segment: made again from the journal.
  const journal = journalOf(run);
  if (journal && record.run.status !== 'running') {
    try {
      writeRunSummary(record, dirname(journal));
    } catch (error) {
      console.log(`The run record could not be written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // A run killed outright left its JSON dataset without the closing bracket.
  if (record.run.status === 'killed' && record.output.format === 'json' && existsSync(record.output.dataset) && repairJsonDataset(record.output.dataset)) {
    console.log(`The run ended abruptly; closed its JSON dataset so it parses: ${shownPath(record.output.dataset)}`);
  }
  const out = resolve(options.out ?? join(runFolder(run), 'report.html'));
  writeReport(record, out, { templateDir: options.template ? resolve(options.template) : undefined });
  if (record.run.status === 'killed') console.log(`The run was killed before it finished: ${record.counts.records} records, ${record.counts.itemsDone} items done. Continue it with flow resume ${shownPath(runFolder(run))}`);
  console.log(`Report: ${shownPath(out)}`);
  return EXIT.ok;
}

export function compareCommand(runA: string, runB: string, options: { out?: string }): number {
  const a = readRun(runA);
  const b = readRun(runB);
  const out = resolve(options.out ?? join(runFolder(runB), 'compare.html'));
  writeFileSync(out, renderComparison(a, b));
  console.log(`Comparison: ${shownPath(out)}`);
  return EXIT.ok;
}
