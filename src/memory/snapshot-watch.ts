import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { BrowserSession } from '../browser/session.js';
import { InputError } from '../runner/diagnostics.js';
import { plainMessage } from '../runner/errors.js';
import type { RunEvents } from '../runner/events.js';
import type { StepNode } from '../steps/types.js';
import type { MemorySettings } from '../policy/settings.js';
import type { SettingOrigin } from '../policy/resolve.js';
import { shownPath } from '../runner/yaml-source.js';
import { collectRunnerGarbage } from './runner-gc.js';
import { heapGrowth, summarizeHeap, takeHeapSnapshot, type HeapGrowth, type HeapSummary } from './heap-snapshot.js';

/** A class whose objects' retained size grew by this much between the snapshots is a finding. */
const CLASS_GROWTH_MB = 1;
/** As are this many more detached DOM nodes. */
const DETACHED_GROWTH = 100;

export interface SnapshotWatchOptions {
  settings: MemorySettings['leaks'];
  /** The step leaks.snapshots names (snapshotTarget). */
  target: StepNode;
  session: BrowserSession;
  events: RunEvents;
  now(): number;
  /** A path in the run folder for a kept snapshot. */
  runPath(name: string): string;
}

/**
 * The step leaks.snapshots names, found by label, by title or by its line in the workflow;
 * undefined when the setting is off. Called before the browser starts: a name that matches no
 * step is refused there, where the setting was written.
 */
export function snapshotTarget(settings: MemorySettings['leaks'], steps: StepNode[], origin: SettingOrigin | undefined): StepNode | undefined {
  const wanted = settings.snapshots.trim();
  if (!wanted) return undefined;
  const line = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  const found = steps.find((step) => step.options.label === wanted) ?? steps.find((step) => step.title === wanted) ?? (line === undefined ? undefined : steps.find((step) => step.loc.line === line));
  if (found) return found;
  const labels = steps.filter((step) => step.options.label).map((step) => `"${step.options.label}"`);
  throw new InputError([
    {
      file: origin?.file ? shownPath(origin.file) : 'command line',
      line: origin?.line,
      col: origin?.col,
      message: `leaks.snapshots names the step "${wanted}", but no step has that label, title or line`,
      hint: `give the step a label: and name it here${labels.length ? ` (labels: ${labels.slice(0, 10).join(', ')})` : ''}, or give its line number`,
    },
  ]);
}

/**
 * leaks.snapshots: heap snapshots of the tab a named step runs in, after its first run there and
 * after snapshotRounds more, compared by class of object, in the spirit of memlab. Every lane
 * waits while a snapshot is taken, so the page is caught between two steps.
 */
export class SnapshotWatch {
  private readonly runs = new WeakMap<Page, { count: number; before?: HeapSummary; beforeMs: number }>();
  private pending: Promise<void> = Promise.resolve();
  private done = false;

  constructor(private readonly options: SnapshotWatchOptions) {
    options.events.on('step-end', ({ step, page, status }) => {
      if (this.done || step.id !== options.target.id || status !== 'passed' || !page) return;
      const entry = this.runs.get(page) ?? { count: 0, beforeMs: 0 };
      this.runs.set(page, entry);
      entry.count++;
      if (entry.count === 1 || entry.count === 1 + options.settings.snapshotRounds) this.pending = this.pending.then(() => this.snapshot(page, entry));
    });
  }

  /** Waits for a snapshot under way: the browser must not close under it. */
  async finish(): Promise<void> {
    await this.pending;
  }

  private async snapshot(page: Page, entry: { count: number; before?: HeapSummary; beforeMs: number }): Promise<void> {
    if (this.done || page.isClosed()) return;
    const { session, settings } = this.options;
    const first = entry.count === 1;
    const began = performance.now();
    let summary: HeapSummary;
    try {
      const text = await session.exclusive(() => takeHeapSnapshot(page));
      if (settings.keepSnapshots) writeFileSync(this.options.runPath(`heap/${first ? 'before' : 'after'}.heapsnapshot`), text);
      summary = summarizeHeap(text);
      // The snapshot's text and graph are flow's garbage now: collected at once, they are not mistaken for a leak of flow's own.
      collectRunnerGarbage();
    } catch (error) {
      this.log(`a heap snapshot of the page after "${this.options.target.title}" could not be taken: ${plainMessage(error)}`);
      return;
    }
    const tookMs = performance.now() - began;
    if (first) {
      entry.before = summary;
      entry.beforeMs = tookMs;
      return;
    }
    this.done = true;
    this.report(heapGrowth(entry.before!, summary), entry.beforeMs + tookMs);
  }

  private report(growth: HeapGrowth, costMs: number): void {
    const { settings } = this.options;
    const step = this.options.target;
    const grown = growth.classes.filter((c) => c.retainedMb >= CLASS_GROWTH_MB && c.count > 0);
    const detached = growth.detached.count >= DETACHED_GROWTH;
    const what = `over ${settings.snapshotRounds} more runs of "${step.title}" in one tab (heap snapshots, ${(costMs / 1000).toFixed(1)} s)`;
    const classes = growth.classes
      .filter((c) => c.count > 0)
      .map((c) => `${c.name} +${c.retainedMb.toFixed(1)} MB (+${c.count} objects)`)
      .join(', ');
    const detachedText = `detached DOM nodes ${growth.detached.count >= 0 ? '+' : ''}${growth.detached.count} (${growth.detached.retainedMb.toFixed(1)} MB)`;
    if (!grown.length && !detached) {
      this.log(`${what}: no class of object grew by ${CLASS_GROWTH_MB} MB or more; ${detachedText}`);
      return;
    }
    const amount = Math.max(0, ...grown.map((c) => c.retainedMb), detached ? growth.detached.retainedMb : 0);
    this.options.events.emit('memory', {
      type: 'leak',
      t: this.options.now(),
      at: new Date().toISOString(),
      kind: 'heap-snapshot',
      stepId: step.id,
      file: step.loc.file,
      line: step.loc.line,
      amount,
      message: `${what}, retained size grew most for: ${classes || 'no class'}; ${detachedText}. Look for what keeps them alive: a list or cache on window, listeners never removed, elements removed from the page but still referenced${settings.keepSnapshots ? '; the snapshots are in heap/ for Chrome DevTools or memlab' : '; keepSnapshots: true saves the snapshots for Chrome DevTools or memlab'}`,
    });
  }

  private log(message: string): void {
    this.options.events.emit('log', { message, step: this.options.target });
  }
}
