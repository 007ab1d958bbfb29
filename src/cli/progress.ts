import { Listr } from 'listr2';
import type { RunEventMap, RunEvents } from '../runner/events.js';
import type { RunEvent } from '../runner/run-record.js';
import { totalOf, type MemorySample } from '../memory/types.js';
import type { StepNode, StepSection } from '../steps/types.js';
import { formatLocation } from '../runner/source.js';
import { describeBudget } from '../memory/rules/budget.js';

export type ProgressMode = 'live' | 'plain' | 'json' | 'quiet';

export function progressMode(options: { quiet?: boolean; json?: boolean }): ProgressMode {
  if (options.json) return 'json';
  if (options.quiet) return 'quiet';
  return process.stdout.isTTY && !process.env.CI ? 'live' : 'plain';
}

interface LiveState {
  step?: StepNode;
  loop?: { step: StepNode; done: number; total?: number };
  /** The figures a control step gave last (a crawl's counts). */
  section?: StepSection;
  pagesOpen: number;
  pagesVisited: number;
  /** The page loaded last: a step's title shows its expressions as written, this what they gave. */
  url?: string;
  records: number;
  /** Records by the step that extracted them (step id → title and count), for runs with several. */
  recordsByStep: Map<string, { title: string; records: number }>;
  titles: Map<string, string>;
  memory?: MemorySample;
  /** The memory budget, and how many items it lets run at once now. */
  budget?: { mb: number; concurrency?: number };
  notes: string[];
}

/**
 * Shows a run as it goes: a live listr2 view on a terminal, one line per notable event
 * otherwise, or one JSON object per event with --json.
 */
export function attachProgress(events: RunEvents, mode: ProgressMode, title: string): { run<T>(work: () => Promise<T>): Promise<T> } {
  if (mode === 'json') return { run: (work) => (attachJson(events), work()) };
  if (mode === 'quiet') return { run: (work) => work() };
  if (mode === 'plain') return { run: (work) => (attachPlain(events), work()) };

  const state: LiveState = { pagesOpen: 0, pagesVisited: 0, records: 0, recordsByStep: new Map(), titles: new Map(), notes: [] };
  track(events, state);
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      let result!: T;
      const list = new Listr(
        [
          {
            title,
            task: async (_, task) => {
              const timer = setInterval(() => {
                task.output = liveLines(state).join('\n');
              }, 250);
              try {
                result = await work();
              } finally {
                clearInterval(timer);
                task.output = liveLines(state).join('\n');
              }
            },
            rendererOptions: { outputBar: Infinity, persistentOutput: false },
          },
        ],
        { exitOnError: false, rendererOptions: { formatOutput: 'truncate' }, registerSignalListeners: false },
      );
      await list.run();
      return result;
    },
  };
}

function track(events: RunEvents, state: LiveState): void {
  events.on('step-start', ({ step }) => {
    state.step = step;
    state.titles.set(step.id, step.title);
  });
  events.on('loop-progress', ({ step, done, total }) => (state.loop = { step, done, total }));
  events.on('section', ({ section }) => (state.section = section));
  events.on('page-opened', ({ pagesOpen }) => (state.pagesOpen = pagesOpen));
  events.on('page-closed', ({ pagesOpen }) => (state.pagesOpen = pagesOpen));
  events.on('page-loaded', ({ pagesVisited, url }) => {
    state.pagesVisited = pagesVisited;
    state.url = url;
  });
  events.on('record', ({ count, added }) => {
    state.records = count;
    for (const [id, records] of Object.entries(added)) {
      const entry = state.recordsByStep.get(id) ?? { title: state.titles.get(id) ?? id, records: 0 };
      entry.records += records;
      state.recordsByStep.set(id, entry);
    }
  });
  events.on('sample', (sample) => (state.memory = sample));
  events.on('memory', (event) => {
    if (event.type === 'budget') state.budget = { mb: event.budgetMb, concurrency: event.what === 'concurrency' ? event.to : state.budget?.concurrency };
    if (event.type === 'alert' || event.type === 'action' || event.type === 'recycle' || event.type === 'leak' || event.type === 'budget') state.notes = [...state.notes.slice(-2), describeMemoryEvent(event)];
  });
  events.on('browser', (event) => {
    if (event.event !== 'started') state.notes = [...state.notes.slice(-2), describeBrowserEvent(event)];
  });
}

/** A crash, or the browser back after one: said live, since the run goes on after it. */
function describeBrowserEvent(event: RunEventMap['browser'][0]): string {
  return `${{ crashed: 'the browser died', restarted: 'the browser is back', 'page-crashed': 'a page crashed', started: 'the browser started' }[event.event]}${event.reason ? `: ${event.reason}` : ''}`;
}

function liveLines(state: LiveState): string[] {
  const lines: string[] = [];
  if (state.step) lines.push(`step: ${state.step.title}  (${formatLocation(state.step.loc)})`);
  if (state.url) lines.push(`page: ${state.url}`);
  if (state.loop) lines.push(`loop: ${state.loop.step.title}  item ${state.loop.done}${state.loop.total ? ` of ${state.loop.total}` : ''}`);
  if (state.section) lines.push(...sectionLines(state.section));
  const mb = totalOf(state.memory);
  const label = state.memory?.totalPssMb !== undefined ? 'PSS' : 'RSS';
  const budget = state.budget ? ` of ${state.budget.mb} MB budget${state.budget.concurrency !== undefined ? ` · concurrency ${state.budget.concurrency}` : ''}` : '';
  lines.push(`pages open ${state.pagesOpen} · visited ${state.pagesVisited} · records ${state.records}${mb !== undefined ? ` · memory ${mb.toFixed(0)} MB ${label}${budget}` : ''}`);
  if (state.recordsByStep.size > 1) lines.push(`records by step: ${[...state.recordsByStep.values()].map((entry) => `${entry.title} ${entry.records}`).join(' · ')}`);
  lines.push(...state.notes);
  return lines;
}

/** A step's figures in two lines: the counts that are not zero and the rate, then the histogram. */
export function sectionLines(section: StepSection): string[] {
  const counts = section.counts.filter(({ value }) => value > 0).map(({ label, value }) => `${label} ${value}`);
  if (section.rate) counts.push(`${section.rate.value} ${section.rate.label}`);
  const lines = [counts.join(' · ')];
  if (section.histogram?.bars.length) lines.push(`${section.histogram.title}: ${section.histogram.bars.map(({ label, value }) => `${label}: ${value}`).join(', ')}`);
  return lines;
}

/** A top-level step of its file: its id is `file#/steps/N` with nothing nested after. */
function isTopLevel(step: StepNode): boolean {
  return /#\/steps\/\d+$/.test(step.id);
}

function attachPlain(events: RunEvents): void {
  const shownLoops = new Map<string, number>();
  events.on('step-end', ({ step, status, durationMs, error, title }) => {
    if (status === 'failed') console.log(`✖ ${title ?? step.title} (${formatLocation(step.loc)}): ${error}`);
    else if (status === 'passed' && isTopLevel(step)) console.log(`✔ ${title ?? step.title} (${Math.round(durationMs)} ms)`);
  });
  events.on('loop-progress', ({ step, done, total }) => {
    const every = total ? Math.max(1, Math.round(total / 4)) : 25;
    if ((done % every !== 0 && done !== total) || shownLoops.get(step.id) === done) return;
    shownLoops.set(step.id, done);
    console.log(`  ${step.title}: ${done}${total ? ` of ${total}` : ''} done`);
  });
  events.on('log', ({ message, step }) => console.log(`  ${step ? `[${step.kind}] ` : ''}${message}`));
  events.on('memory', (event) => console.log(`  memory: ${describeMemoryEvent(event)}`));
  events.on('browser', (event) => event.event !== 'started' && console.log(`  browser: ${describeBrowserEvent(event)}`));
}

function attachJson(events: RunEvents): void {
  const write = (type: string, data: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ type, time: new Date().toISOString(), ...data })}\n`);
  const where = (step: StepNode) => ({ step: step.title, kind: step.kind, file: step.loc.file, line: step.loc.line });
  const steps = new Map<string, StepNode>();
  events.on('step-start', ({ step, laneId }) => {
    steps.set(step.id, step);
    write('step-start', { ...where(step), lane: laneId });
  });
  events.on('step-end', ({ step, laneId, status, durationMs, error, retries }) => write('step-end', { ...where(step), lane: laneId, status, durationMs: Math.round(durationMs), error, retries }));
  events.on('step-retry', ({ step, attempt, error }) => write('step-retry', { ...where(step), attempt, error }));
  events.on('loop-progress', ({ step, done, total }) => write('loop-progress', { ...where(step), done, total }));
  events.on('page-loaded', ({ url, pagesVisited }) => write('page-loaded', { url, pagesVisited }));
  events.on('record', ({ count, added }) => {
    const bySteps = Object.entries(added).map(([id, records]) => ({ ...(steps.has(id) ? where(steps.get(id)!) : { step: id }), records }));
    write('record', { count, added: bySteps });
  });
  events.on('log', ({ message, step }) => write('log', { message, ...(step ? where(step) : {}) }));
  events.on('memory', (event) => write(`memory-${event.type}`, { ...event }));
  events.on('browser', (event) => write(`browser-${event.event}`, { ...event }));
}

export function describeMemoryEvent(event: RunEvent): string {
  switch (event.type) {
    case 'alert':
      return `${event.level === 'limit' ? 'over the limit' : 'warning'}: ${event.message}`;
    case 'action':
      return `${event.action}: ${event.effect} (${event.reason})`;
    case 'recycle':
      return `fresh ${event.what} (${event.reason}) in ${Math.round(event.durationMs)} ms`;
    case 'gc':
      return `garbage collected in ${event.pages} page(s) (${event.reason})`;
    case 'leak':
      return `possible leak: ${event.message}${event.file ? ` at ${event.file}:${event.line}` : ''}`;
    case 'crash':
      return `${event.what === 'browser' ? 'the browser' : 'a page'} crashed: ${event.message}`;
    case 'budget':
      return describeBudget(event);
  }
}
