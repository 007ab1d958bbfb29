import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NewEntry } from '../journal/writer.js';
import { JournalWriter } from '../journal/writer.js';
import { journalPath } from '../journal/resume.js';
import { reduceJournalFile } from '../journal/reduce.js';
import { writeRunSummary } from '../output/summary.js';
import { writeReport } from '../report/render.js';
import { InputError } from '../runner/diagnostics.js';
import type { RunRecord } from '../runner/run-record.js';
import { SecretMasker } from '../runner/secrets.js';
import { shownPath } from '../runner/yaml-source.js';
import { mergedDatasetPath, partEntries, planMerge, writeMergedDataset } from './merge.js';

/** Journal lines written before the buffer goes to disk: a merge of long runs never holds their journals in memory. */
const FLUSH_EVERY = 2000;

export interface MergeResult {
  outDir: string;
  datasetPath: string;
  reportPath: string;
  record: RunRecord;
  duplicates: number;
}

/**
 * `flow merge`: one run made of shards or queue workers, in the way of Playwright's
 * merge-reports: the parts' journals are replayed into one journal, each line naming its part,
 * and run.json and the report are derived from it as from any journal. The dataset holds each
 * item's records once, by part (shard order, or workers by start time) and then in each part's
 * journal order.
 */
export function mergeRuns(dirs: string[], out: string): MergeResult {
  const plan = planMerge(dirs);
  const outDir = resolve(out);
  const first = plan.parts[0];
  const datasetPath = mergedDatasetPath(outDir, first);
  const held = [journalPath(outDir), join(outDir, 'run.json'), datasetPath].filter((file) => existsSync(file));
  if (held.length) throw new InputError([{ file: shownPath(outDir), message: 'this folder already holds a run; flow merge will not overwrite it', hint: 'give another --out folder' }]);
  if (plan.parts.some((part) => resolve(part.dir) === outDir)) throw new InputError([{ file: shownPath(outDir), message: '--out is one of the folders being merged', hint: 'give a new folder' }]);
  mkdirSync(outDir, { recursive: true });

  const { format } = first.start.output;
  const written = writeMergedDataset(plan, datasetPath, format);
  const journal = new JournalWriter(journalPath(outDir), new SecretMasker(), () => 0, (error) => {
    throw error;
  });
  let lastT = 0;
  try {
    journal.append({ ...first.start, t: 0, at: new Date(Date.parse(first.start.at) - first.offsetMs).toISOString(), runId: `merged-${first.start.runId}`, runDir: outDir, args: { vars: first.start.args.vars }, output: { dataset: datasetPath, format } });
    let lines = 0;
    for (const part of plan.parts) {
      for (const entry of partEntries(part)) {
        lastT = Math.max(lastT, entry.t);
        journal.append(entry as unknown as NewEntry);
        if (++lines % FLUSH_EVERY === 0) journal.flush();
      }
    }
    const items = plan.kept.filter(({ commit }) => commit.entry.type === 'item-end');
    journal.append({
      type: 'merge',
      t: lastT,
      mode: plan.mode,
      parts: plan.parts.map((part) => ({ label: part.label, runDir: part.dir, status: part.end?.status ?? 'killed', commits: part.commits.length, kept: plan.kept.filter((kept) => kept.part === part).length })),
      records: written.count,
      itemsDone: items.filter(({ commit }) => commit.entry.type === 'item-end' && commit.entry.status === 'done').length,
      itemsFailed: items.filter(({ commit }) => commit.entry.type === 'item-end' && commit.entry.status === 'failed').length,
      duplicates: plan.duplicates,
      offset: written.offset,
    });
    const ends = plan.parts.map((part) => part.end?.at).filter((at): at is string => Boolean(at));
    journal.append({ type: 'run-end', t: lastT, at: ends.sort().at(-1) ?? new Date().toISOString(), status: 'passed', exitCode: 0, samplerCostMs: 0, journalCostMs: 0 });
  } finally {
    journal.close();
  }
  const record = reduceJournalFile(journal.path);
  writeRunSummary(record, outDir);
  const reportPath = join(outDir, 'report.html');
  writeReport(record, reportPath);
  return { outDir, datasetPath, reportPath, record, duplicates: plan.duplicates };
}
