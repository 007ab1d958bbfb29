import { writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readResumePoint } from '../../journal/resume.js';
import { RunEvents } from '../../runner/events.js';
import { SecretMasker } from '../../runner/secrets.js';
import { runWorkflowFile, type RunResult } from '../../runner/run.js';
import { shownPath } from '../../runner/yaml-source.js';
import { formatDuration } from '../../runner/duration.js';
import { InputError } from '../../runner/diagnostics.js';
import { EXIT } from '../exit-codes.js';
import { attachProgress, progressMode } from '../progress.js';
import { shownOrigin } from '../../policy/show.js';
import { policyFlags } from './flags.js';
import { parseShard } from '../../distribute/shard.js';
import { parseQueueUrl } from '../../distribute/redis.js';
import { remoteBrowserNote } from '../../report/measure.js';
import { environmentWith } from '../env-file.js';
import { junitXml } from '../../report/junit.js';

export interface RunCommandOptions {
  var: string[];
  out?: string;
  resume?: string;
  overwrite?: boolean;
  policy?: string;
  maxPages?: string;
  block?: string;
  budget?: string;
  reporter?: 'junit';
  reporterOut?: string;
  headed?: boolean;
  quiet?: boolean;
  json?: boolean;
  shard?: string;
  queue?: string;
  envFile?: string;
}

/** `flow resume RUN_DIR`: the workflow is the one the run's journal names. */
export async function resumeCommand(runDir: string, options: Omit<RunCommandOptions, 'var' | 'out' | 'policy' | 'maxPages' | 'block' | 'budget' | 'overwrite' | 'shard' | 'queue'>): Promise<number> {
  const point = readResumePoint(resolve(runDir));
  return runCommand(point.start.workflow.file, { ...options, var: [], resume: runDir });
}

export async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  if (options.resume && (options.out || options.overwrite)) {
    throw new InputError([{ file: 'command line', message: '--resume continues the run in its own folder; it cannot go with --out or --overwrite', hint: 'leave --out and --overwrite out' }]);
  }
  if (options.reporterOut && !options.reporter) {
    throw new InputError([{ file: 'command line', message: '--reporter-out says where a reporter writes, but no --reporter was given', hint: 'add --reporter junit' }]);
  }
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const queue = options.queue === undefined ? undefined : parseQueueUrl(options.queue);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      process.stderr.write('\nflow: stopping at once\n');
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\nflow: ${signal} received — closing pages and the browser, keeping what was extracted (press again to quit at once)\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const events = new RunEvents();
  const mode = progressMode(options);
  // One choke point for the console: whatever flow or listr2 prints passes the masker.
  const masker = new SecretMasker();
  maskConsole(masker);
  try {
    const progress = attachProgress(events, mode, `flow run ${basename(file)}`);
    const result = await progress.run(() =>
      runWorkflowFile(file, {
        vars: options.resume && options.var.length === 0 ? undefined : parseVars(options.var),
        outDir: options.out,
        resume: options.resume,
        overwrite: options.overwrite,
        policyFile: options.policy,
        policyFlags: policyFlags(options),
        headed: options.headed,
        shard,
        queue,
        env: environmentWith(options.envFile),
        signal: controller.signal,
        events,
        masker,
      }),
    );
    const junit = options.reporter === 'junit' ? writeJunit(result, options.reporterOut, masker) : undefined;
    printSummary(result, mode === 'json', junit);
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The run as JUnit XML, at --reporter-out or junit.xml in the run folder; one that cannot be written is said, and the run keeps its exit code. */
function writeJunit(result: RunResult, out: string | undefined, masker: SecretMasker): string | undefined {
  const path = resolve(out ?? join(result.runDir, 'junit.xml'));
  try {
    writeFileSync(path, junitXml(result.record, (text) => masker.mask(text)));
    return path;
  } catch (error) {
    process.stderr.write(`flow: the JUnit report could not be written to ${shownPath(path)}: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

/** Every write to stdout and stderr from here on has the run's secrets masked. */
function maskConsole(masker: SecretMasker): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' || Buffer.isBuffer(chunk) ? masker.mask(chunk.toString()) : chunk, ...rest)) as typeof stream.write;
  }
}

function parseVars(pairs: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InputError([{ file: 'command line', message: `--var ${pair}: write it as name=value` }]);
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return vars;
}

/**
 * A page without its stylesheets or scripts behaves differently: menus and dialogs built with
 * them do not open, text CSS hides is visible. Said beside a failure, since it may be the cause.
 */
function blockedResourcesNote(result: RunResult): string {
  const { policy } = result.record;
  const parts = policy.settings.block.types.filter((type) => type === 'stylesheet' || type === 'script');
  if (parts.length === 0) return '';
  const what = parts.map((type) => `${type}s`).join(' and ');
  return `  note:       this run blocks ${what} (block.types, from ${shownOrigin(policy.origins['block.types'])}); pages behave differently without them\n`;
}

function printSummary(result: RunResult, json: boolean, junit: string | undefined): void {
  const { record } = result;
  if (result.alreadyFinished) {
    const line = `This run already finished (${record.run.status} at ${record.run.endedAt}): there is nothing to resume. Its dataset: ${shownPath(result.datasetPath)}`;
    if (json) process.stdout.write(`${JSON.stringify({ type: 'summary', status: result.status, exitCode: result.exitCode, alreadyFinished: true, runDir: result.runDir, dataset: result.datasetPath, records: result.records })}\n`);
    else process.stdout.write(`${line}\n`);
    return;
  }
  const peak = record.stats?.total.maxMb ?? Math.max(0, ...record.samples.map((s) => s.totalPssMb ?? s.totalRssMb));
  const label = record.samples.some((s) => s.totalPssMb !== undefined) ? 'PSS' : 'RSS';
  const emptyFields = record.steps.filter((step) => step.emptyFields?.length);
  if (json) {
    const empty = emptyFields.map((step) => ({ step: step.title, file: step.file, line: step.line, fields: step.emptyFields }));
    process.stdout.write(`${JSON.stringify({ type: 'summary', status: result.status, exitCode: result.exitCode, runDir: result.runDir, dataset: result.datasetPath, report: result.reportPath, records: result.records, pagesVisited: record.counts.pagesVisited, itemsDone: record.counts.itemsDone, itemsFailed: record.counts.itemsFailed, crashes: record.counts.browserCrashes + record.counts.pageCrashes, durationMs: record.run.durationMs, peakMb: peak, memoryMeasure: label, emptyFields: empty, error: result.error, ...(junit && { junit }) })}\n`);
    return;
  }
  const out = result.exitCode === 0 ? process.stdout : process.stderr;
  if (result.failure) out.write(`\n${result.failure.describe()}\n${blockedResourcesNote(result)}`);
  else if (result.error) out.write(`\nflow: ${result.error}\n`);
  const verdict = { passed: '✔ passed', failed: '✖ failed', interrupted: '■ interrupted', running: '…', killed: '✖ killed' }[result.status];
  const { itemsFailed, itemsDone, browserCrashes, pageCrashes } = record.counts;
  const itemNote = itemsFailed ? `, ${itemsFailed} of ${itemsFailed + itemsDone} items failed` : '';
  const crashNote = browserCrashes + pageCrashes ? `, recovered from ${[browserCrashes && `${browserCrashes} browser crash${browserCrashes > 1 ? 'es' : ''}`, pageCrashes && `${pageCrashes} page crash${pageCrashes > 1 ? 'es' : ''}`].filter(Boolean).join(' and ')}` : '';
  const resumedNote = record.run.segments.length > 1 ? ` (resumed ${record.run.segments.length - 1} time${record.run.segments.length > 2 ? 's' : ''})` : '';
  out.write(
    [
      ...emptyFields.map((step) => {
        const fields = step.emptyFields!;
        const named = fields.length === 1 ? `field ${fields[0]} was` : `fields ${fields.join(', ')} were`;
        return `\n⚠ ${shownPath(step.file)}:${step.line}: ${named} empty in every record of "${step.title}". Check the selector; with required: true the step fails on the first page where it finds nothing.`;
      }),
      '',
      `${verdict} in ${formatDuration(record.run.activeMs)}${resumedNote} — ${record.counts.pagesVisited} pages, ${result.records} records${itemNote}${crashNote}, peak memory ${peak.toFixed(0)} MB ${label}${remoteBrowserNote(record) ? " (flow's own: the browser is remote, docs/browsers.md)" : ''}`,
      `  run folder: ${shownPath(result.runDir)}`,
      `  dataset:    ${shownPath(result.datasetPath)}`,
      ...(result.reportPath ? [`  report:     ${shownPath(result.reportPath)}`] : []),
      ...(junit ? [`  junit:      ${shownPath(junit)}`] : []),
      ...(result.status === 'interrupted' || result.status === 'failed' ? [`  resume:     flow resume ${shownPath(result.runDir)}`] : []),
      '',
    ].join('\n'),
  );
}
