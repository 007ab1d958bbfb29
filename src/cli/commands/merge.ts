import { mergeRuns } from '../../distribute/merge-run.js';
import { shownPath } from '../../runner/yaml-source.js';
import { EXIT } from '../exit-codes.js';

/** `flow merge RUN_DIR... --out DIR`: refusals are InputErrors (exit 2), printed where every command's are. */
export function mergeCommand(runs: string[], options: { out: string }): number {
  const result = mergeRuns(runs, options.out);
  const { record } = result;
  const parts = record.parts ?? [];
  const lines = [
    `merged ${parts.length} ${record.merge?.mode === 'queue' ? 'workers' : 'shards'}: ${record.counts.records} records, ${record.counts.itemsDone} items done${record.counts.itemsFailed ? `, ${record.counts.itemsFailed} failed` : ''}${result.duplicates ? `; ${result.duplicates} commits left out as copies of items another part committed` : ''}`,
    ...parts.map(({ label, record: part }) => `  ${label}: ${part.run.status}, ${part.counts.itemsDone} items, ${part.counts.records} records, peak ${part.stats ? `${part.stats.total.maxMb.toFixed(0)} MB` : 'not measured'}`),
    `  run folder: ${shownPath(result.outDir)}`,
    `  dataset:    ${shownPath(result.datasetPath)}`,
    `  report:     ${shownPath(result.reportPath)}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return EXIT.ok;
}
