import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../runner/diagnostics.js';
import { InputError } from '../runner/diagnostics.js';
import { keyWords, type ResumeLedger } from '../runner/items.js';
import { HashSet64 } from '../steps/support/hash-set.js';
import type { Workflow } from '../runner/workflow.js';
import { shownPath } from '../runner/yaml-source.js';
import type { StepNode } from '../steps/types.js';
import type { JournalStep, RunEndEntry, RunStartEntry } from './entries.js';
import { readJournal } from './read.js';
import { processIsFlow } from './reduce.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** Where a run stopped, as its journal tells it: what to skip, and where the dataset ends. */
export interface ResumePoint extends ResumeLedger {
  start: RunStartEntry;
  /** The end of the last flow process that worked on the run, if it ended rather than died. */
  end?: RunEndEntry;
  dataset: { offset: number; count: number };
  /** The journal's last time: the resumed run's clock goes on from the wall clock, so the pause shows. */
  lastT: number;
  visited: number;
  /** Notes control steps left, by `${frame}|${step id}`, in the order written. */
  notes: Map<string, Array<{ kind: string; data: unknown }>>;
}

export function journalPath(runDir: string): string {
  return join(runDir, JOURNAL_FILE);
}

/** Reads a run folder's journal for resuming; a folder without one is refused plainly. */
export function readResumePoint(runDir: string): ResumePoint {
  const path = journalPath(runDir);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError([{ file: shownPath(runDir), message: 'this folder holds no run journal (journal.jsonl), so there is nothing to resume', hint: 'give the run folder that flow run printed, e.g. runs/20260101-120000-crawl' }]);
  }
  let start: RunStartEntry | undefined;
  let end: RunEndEntry | undefined;
  const finished = new Set<string>();
  const committedUnits = new Set<string>();
  const dataset = { offset: 0, count: 0 };
  let lastT = 0;
  let visited = 0;
  const notes = new Map<string, Array<{ kind: string; data: unknown }>>();
  const uniqueKeys = new HashSet64();
  let lastPid: number | undefined;
  for (const entry of readJournal(path)) {
    lastT = Math.max(lastT, entry.t);
    switch (entry.type) {
      case 'run-start':
        start = entry;
        break;
      case 'segment':
        end = undefined;
        lastPid = entry.pid;
        break;
      case 'item-end':
        if (entry.status === 'done') finished.add(entry.item);
        for (const key of entry.keys ?? []) uniqueKeys.add(...keyWords(key));
        dataset.offset = entry.offset;
        dataset.count = entry.count;
        visited = Math.max(visited, entry.visited);
        break;
      case 'records':
        committedUnits.add(entry.unit);
        for (const key of entry.keys ?? []) uniqueKeys.add(...keyWords(key));
        dataset.offset = entry.offset;
        dataset.count = entry.count;
        break;
      case 'step':
        visited = Math.max(visited, entry.visited);
        break;
      case 'note': {
        const key = `${entry.frame}|${entry.step}`;
        let list = notes.get(key);
        if (!list) notes.set(key, (list = []));
        list.push({ kind: entry.kind, data: entry.data });
        break;
      }
      case 'run-end':
        end = entry;
        break;
    }
  }
  if (!start) throw new InputError([{ file: shownPath(path), message: 'the journal has no run-start line: it is damaged or not a flow journal', hint: 'start a new run with flow run' }]);
  // A second flow in the same folder would write the dataset and journal beside the first, each at its own offset.
  if (!end && lastPid !== undefined && lastPid !== process.pid && processIsFlow(lastPid)) {
    throw new InputError([{ file: shownPath(runDir), message: `this run is still running (flow, process ${lastPid}): a second flow resuming it would write the same dataset and journal at once`, hint: `let it finish, or stop it (Ctrl-C, or kill ${lastPid}) and then resume` }]);
  }
  return { start, end, finished, committedUnits, dataset, lastT, visited, notes, uniqueKeys };
}

/** The workflow's steps as the journal lists them, each with a hash of what it does. */
export function journalSteps(steps: StepNode[]): JournalStep[] {
  const out: JournalStep[] = [];
  const visit = (list: StepNode[], depth: number) => {
    for (const step of list) {
      out.push({ id: step.id, kind: step.kind, title: step.title, file: step.loc.file, line: step.loc.line, depth, container: Object.keys(step.blocks).length > 0, hash: stepHash(step) });
      for (const block of Object.values(step.blocks)) visit(block, depth + 1);
      if (step.options.else) visit(step.options.else, depth + 1);
    }
  };
  visit(steps, 0);
  return out;
}

/** What a step does, nested steps apart: its kind, parameters and options. Comments, spacing and position do not count. */
function stepHash(step: StepNode): string {
  const blocks = new Set(Object.keys(step.blocks));
  const params = Object.fromEntries(Object.entries(step.params).filter(([key]) => !blocks.has(key)));
  const { else: _else, ...options } = step.options;
  return createHash('sha256').update(JSON.stringify({ kind: step.kind, params, options })).digest('hex').slice(0, 16);
}

/** A hash of what else decides the records: variables and the output. */
export function workflowShapeHash(workflow: Workflow): string {
  return createHash('sha256').update(JSON.stringify({ vars: workflow.vars, output: workflow.output })).digest('hex').slice(0, 16);
}

/**
 * Why resuming `point` with this workflow would mix records of two different workflows: a
 * step changed, was added or removed, or the variables or output changed. Comments, spacing
 * and the memory policy may change.
 */
export function resumeProblems(point: ResumePoint, workflow: Workflow, steps: JournalStep[], shapeHash: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const file = shownPath(workflow.file);
  const hint = 'undo the change to resume this run, or start a new run (without --resume) to use the changed workflow';
  if (point.start.workflow.file !== workflow.file) {
    problems.push({ file, message: `this run was started from ${shownPath(point.start.workflow.file)}, not from this file`, hint: `resume it with flow resume ${shownPath(point.start.runDir)}` });
    return problems;
  }
  const before = new Map(point.start.workflow.steps.map((step) => [step.id, step]));
  const now = new Map(steps.map((step) => [step.id, step]));
  for (const step of steps) {
    const old = before.get(step.id);
    if (!old) problems.push({ file: shownPath(step.file), line: step.line, message: `the step ${step.title} is new since the run started`, hint });
    else if (old.hash !== step.hash || old.kind !== step.kind) problems.push({ file: shownPath(step.file), line: step.line, message: `the step ${step.title} changed since the run started: resuming would mix records of two versions of it`, hint });
  }
  for (const old of point.start.workflow.steps) {
    if (!now.has(old.id)) problems.push({ file, message: `the step ${old.title} (line ${old.line} when the run started) is gone from the workflow`, hint });
  }
  if (point.start.workflow.shape !== shapeHash) problems.push({ file, message: 'its vars: or output: changed since the run started', hint });
  return problems.slice(0, 5);
}
