import { existsSync, readFileSync, statSync } from 'node:fs';
import { reduceJournalFile } from '../journal/reduce.js';
import { journalPath } from '../journal/resume.js';
import { join, resolve } from 'node:path';
import { InputError } from '../runner/diagnostics.js';
import type { JsonSchema } from '../runner/json-schema.js';
import type { RunRecord } from '../runner/run-record.js';
import { compileSchema } from '../runner/schema-validator.js';
import { shownPath } from '../runner/yaml-source.js';

const SCHEMA_FILE = new URL('../../schemas/run-record.schema.json', import.meta.url);
const MAX_SHOWN_PROBLEMS = 3;

/**
 * A run as its journal tells it (a run folder holds journal.jsonl): true counts even when flow
 * was killed. A run.json file given by name is read as it is.
 */
export function readRun(runDirOrFile: string): RunRecord {
  const given = resolve(runDirOrFile);
  const journal = journalOf(given);
  if (!journal) return readRunRecord(given);
  try {
    return reduceJournalFile(journal);
  } catch (error) {
    throw new InputError([{ file: shownPath(journal), message: `this run's journal cannot be read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

/** The journal `readRun` reads for a run folder or a journal file given by name, if there is one. */
export function journalOf(runDirOrFile: string): string | undefined {
  const given = resolve(runDirOrFile);
  const journal = isDirectory(given) ? journalPath(given) : given.endsWith('.jsonl') ? given : undefined;
  return journal && existsSync(journal) ? journal : undefined;
}

/** Reads the run record of a run folder (its `run.json`) or of a given file. */
export function readRunRecord(runDirOrFile: string): RunRecord {
  const given = resolve(runDirOrFile);
  const file = isDirectory(given) ? join(given, 'run.json') : given;
  const shown = shownPath(file);
  const fail = (message: string, hint?: string): never => {
    throw new InputError([{ file: shown, message, ...(hint && { hint }) }]);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(`there is no run record here`, 'give the folder of a run (it holds run.json), e.g. runs/2025-05-01T12-00-00');
    fail(`the run record cannot be read (${code ?? 'unknown error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('this is not a run record: it is not valid JSON', 'a run that was killed while saving can leave a broken run.json; run the workflow again');
  }
  const record = value as Partial<RunRecord> | null;
  if (!record || typeof record !== 'object' || record.format !== 'flow-run-record') {
    fail('this is not a run record: flow writes run records to run.json in each run folder');
  }
  if (record!.formatVersion !== 1) {
    fail(`this run record has format version ${JSON.stringify(record!.formatVersion)}, and this flow reads version 1`, 'use the flow version that made the run');
  }
  const problems = compileSchema(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as JsonSchema)(record);
  if (problems.length) {
    const shownProblems = problems.slice(0, MAX_SHOWN_PROBLEMS).map((problem) => `${fieldName(problem.instancePath)} ${problem.message ?? 'is not valid'}`);
    fail(`this run record is damaged: ${shownProblems.join('; ')}${problems.length > MAX_SHOWN_PROBLEMS ? ` (and ${problems.length - MAX_SHOWN_PROBLEMS} more)` : ''}`);
  }
  return record as RunRecord;
}

/** '/samples/3/totalRssMb' → 'samples[3].totalRssMb'. */
function fieldName(pointer: string): string {
  if (!pointer) return 'the record';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
