import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { BrowserSession } from '../browser/session.js';
import { ALONE, type Distribution, type ItemShare } from '../distribute/types.js';
import { stepModule } from '../steps/registry.js';
import type { StepContext, StepModule, StepNode } from '../steps/types.js';
import { checkComputedParam } from './computed-params.js';
import { failureDetails, InterruptedError, plainMessage, StepError, stepTimedOut } from './errors.js';
import type { RunEvents } from './events.js';
import { resolveDeep } from './expressions.js';
import { itemKey, type ItemLedger } from './items.js';
import type { Scope } from './scope.js';
import type { SecretMasker } from './secrets.js';
import { sleep } from './sleep.js';
import type { StepFailure } from './run-record.js';

const DEFAULT_TIMEOUT_MS = 30_000;

/** What every lane of one run shares. */
export interface RunServices {
  session: BrowserSession;
  events: RunEvents;
  items: ItemLedger;
  masker: SecretMasker;
  runDir: string;
  signal: AbortSignal;
  /** How loops at the top of the workflow share their items with other flow processes. */
  distribution: Distribution;
  loadSteps(file: string): Promise<{ steps: StepNode[]; params: string[] }>;
  onFailure(failure: StepFailure): void;
}

let laneCounter = 0;
/**
 * Steps that never wait on the page (set, log) resolve at once; a loop of them would keep
 * Node from ever handling Ctrl-C. Every this many milliseconds a step start yields first.
 */
const YIELD_EVERY_MS = 20;
let lastYield = performance.now();

/**
 * A thread of execution with a page of its own, opened on first use. The main lane runs the
 * workflow; a loop with concurrency runs each item in a lane of its own.
 */
export class Lane {
  readonly id = `lane-${++laneCounter}`;
  private page: Page | undefined;
  private lastUrl: string | undefined;
  /** Items this lane runs now that took a turn at the session's gate. */
  private turns = 0;

  /**
   * @param withinTurn The lane runs inside an item that took a turn (a loop within a loop):
   * its items run in that turn, or an inner loop could wait for turns its outer items hold.
   * @param gated Its items take turns: lanes made for a loop's concurrency. The main lane's
   * items run one at a time anyway.
   */
  constructor(
    private readonly services: RunServices,
    private readonly gated = false,
    private readonly withinTurn = false,
  ) {}

  async runSteps(steps: StepNode[], scope: Scope): Promise<void> {
    for (const step of steps) await this.runStep(step, scope);
  }

  /** Closes the lane's page, whatever state the lane ended in. */
  async close(): Promise<void> {
    if (this.page) await this.services.session.closePage(this.page, 'its steps ended');
    this.page = undefined;
  }

  /** Waits for a turn; a lane that must wait gives its page up meanwhile, so what it held is free for the lanes running. */
  private async takeTurn(): Promise<void> {
    const { session } = this.services;
    if (!session.hasTurn() && this.page && session.isOpen(this.page)) {
      await session.closePage(this.page, `waiting for its turn: the memory budget runs ${session.allowance} item(s) at once`);
    }
    await session.takeTurn();
    this.turns++;
  }

  private openPage(): Page | undefined {
    return this.services.session.isOpen(this.page) ? this.page : undefined;
  }

  private async runStep(step: StepNode, scope: Scope): Promise<void> {
    const { events, signal } = this.services;
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (signal.aborted) throw signal.reason;
    const module = stepModule(step.kind)!;
    if (step.options.if !== undefined && !truthy(this.evaluate(step.options.if, scope))) {
      events.emit('step-end', { step, laneId: this.id, status: 'skipped', durationMs: 0, retries: 0 });
      if (step.options.else) await this.runSteps(step.options.else, scope);
      return;
    }
    const attempts = 1 + (step.options.retry?.times ?? 0);
    const started = performance.now();
    const shown = { title: step.title };
    for (let attempt = 1; ; attempt++) {
      events.emit('step-start', { step, laneId: this.id });
      try {
        await this.attempt(module, step, scope, shown);
        events.emit('step-end', { step, laneId: this.id, status: 'passed', durationMs: performance.now() - started, retries: attempt - 1, page: this.openPage(), title: shown.title });
        return;
      } catch (error) {
        if (error instanceof InterruptedError || signal.aborted) throw signal.reason ?? error;
        const cause = error instanceof StepError ? error.reason : plainMessage(error);
        if (attempt < attempts) {
          events.emit('step-retry', { step, attempt, error: cause });
          await sleep(step.options.retry?.delayMs ?? 0, signal);
          continue;
        }
        const item = scope.frame.path || undefined;
        events.emit('step-end', { step, laneId: this.id, status: 'failed', durationMs: performance.now() - started, error: cause, retries: attempt - 1, page: this.openPage(), item, title: shown.title });
        const failure = error instanceof StepError ? error : await this.describeFailure(step, cause, error);
        this.services.onFailure({
          stepId: failure.step.id,
          title: failure.step.title,
          file: failure.step.loc.file,
          line: failure.step.loc.line,
          url: failure.url,
          message: failure.reason,
          screenshot: failure.screenshot,
          at: new Date().toISOString(),
          optional: Boolean(step.options.optional),
          ...(item && { item }),
        });
        if (step.options.optional) {
          events.emit('log', { message: `optional step failed, carrying on: ${cause}`, step });
          return;
        }
        throw failure;
      }
    }
  }

  /** Runs the step once; `shown` gets its title with the values its expressions gave, for the progress lines. */
  private async attempt(module: StepModule, step: StepNode, scope: Scope, shown: { title: string }): Promise<void> {
    const skip = new Set([...(module.blocks ?? []), ...(module.lazy ?? [])]);
    const params: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(step.params)) {
      if (skip.has(key)) {
        params[key] = value;
        continue;
      }
      const checked = checkComputedParam(module, key, value, this.evaluate(value, scope));
      if (checked.problem) throw new StepError(step, this.services.masker.mask(checked.problem), this.openPage()?.url(), undefined);
      params[key] = checked.value;
    }
    if (module.title && step.title.includes('${{')) shown.title = this.services.masker.mask(module.title(params));
    // Control steps run for as long as their blocks do; only their own explicit timeout bounds them.
    const timeoutMs = step.options.timeoutMs ?? (module.blocks?.length ? undefined : DEFAULT_TIMEOUT_MS);
    const leased: { page?: Page } = {};
    const ctx = this.context(step, scope, timeoutMs ?? DEFAULT_TIMEOUT_MS, leased);
    try {
      await bounded(module.run(params, ctx, step), timeoutMs, this.services.signal);
    } finally {
      if (leased.page) {
        if (this.services.session.isOpen(leased.page)) this.lastUrl = leased.page.url();
        this.services.session.release(leased.page);
      }
    }
  }

  private evaluate(value: unknown, scope: Scope, extra?: Record<string, unknown>): unknown {
    return resolveDeep(value, extra ? { ...scope.snapshot(), ...extra } : scope.snapshot());
  }

  private context(step: StepNode, scope: Scope, timeoutMs: number, leased: { page?: Page }): StepContext {
    const { session, events, items, masker, runDir, signal } = this.services;
    const stepDir = dirname(resolve(step.loc.file));
    /** Occurrences of each item key in this loop run: a list may hold the same value twice. */
    const keys = new Map<string, number>();
    const servedUrl = () => (scope.get('serve') as { url?: string } | undefined)?.url;
    return {
      page: async () => {
        if (leased.page && session.isOpen(leased.page)) return leased.page;
        // A page closed to save memory is reopened at its address; one lost to a crash is not: what the
        // steps before did on it (a click, a form filled) is gone, so the step fails and a loop item
        // that ran on it is tried again from its start.
        if (session.lostToCrash(this.page) && !stepModule(step.kind)?.navigates) {
          const url = this.lastUrl;
          this.page = undefined;
          throw new Error(`the page crashed before this step${url && url !== 'about:blank' ? ` (it showed ${url})` : ''}: its renderer or the browser died, and what the steps before did on it is gone`);
        }
        const { page, reopened, closedBecause } = await session.lease(this.page, this.id);
        leased.page = page;
        this.page = page;
        if (reopened && this.lastUrl && this.lastUrl !== 'about:blank' && !stepModule(step.kind)?.navigates) {
          const reason = closedBecause ?? 'closed to save memory';
          events.emit('page-reopened', { step, url: this.lastUrl, reason });
          events.emit('log', { message: `reopened the page at ${this.lastUrl} for this step: flow had closed it (${reason})`, step });
          await page.goto(this.lastUrl, { timeout: timeoutMs });
        }
        return page;
      },
      currentPage: () => this.openPage(),
      get: (name) => scope.get(name),
      set: (name, value) => scope.set(name, value),
      evaluate: (value, extra) => this.evaluate(value, scope, extra),
      emit: async (record, options) => items.emit(scope.frame, step, record, options?.unique),
      item: async (index, value, run, lease) => {
        let key = lease?.key;
        if (!key) {
          const base = itemKey(value, servedUrl());
          const seen = keys.get(base) ?? 0;
          keys.set(base, seen + 1);
          key = seen ? `${base}~${seen}` : base;
        }
        const turn = this.gated && !this.withinTurn;
        if (turn) await this.takeTurn();
        try {
          return await items.runItem(scope.frame, step, index, key, (frame) => run(this.context(step, scope.child({}, frame), timeoutMs, leased)), lease);
        } finally {
          if (turn) {
            this.turns--;
            session.endTurn();
          }
        }
      },
      share: (options) => this.share(step, scope, options?.limit),
      note: (kind, data) => items.note(scope.frame, step, kind, data),
      notes: () => items.notes(scope.frame, step),
      round: (index, run) => run(this.context(step, scope.child({}, items.roundFrame(scope.frame, step, index)), timeoutMs, leased)),
      runBlock: (steps, vars) => {
        // The block's steps lease the page themselves. A control step that kept it leased here would
        // use it afterwards unleased, and a context recycle could close it under its next navigation;
        // released, its next page() leases it again, or a fresh one if it was recycled meanwhile.
        if (leased.page) session.release(leased.page);
        leased.page = undefined;
        return this.runSteps(steps, vars ? scope.child(vars) : scope);
      },
      inNewLane: async (fn, vars) => {
        const lane = new Lane(this.services, true, this.withinTurn || this.turns > 0);
        try {
          await fn(lane.context(step, scope.child(vars), timeoutMs, {}));
        } finally {
          await lane.close();
        }
      },
      loadSteps: (file) => this.services.loadSteps(resolve(stepDir, file)),
      maxPages: session.maxPages,
      timeoutMs,
      resolvePath: (path) => resolve(stepDir, path),
      runPath: (name) => {
        const path = join(runDir, name);
        mkdirSync(dirname(path), { recursive: true });
        return path;
      },
      log: (message) => events.emit('log', { message: masker.mask(message), step }),
      progress: (done, total) => events.emit('loop-progress', { step, done, total }),
      report: (section) => events.emit('section', { step, section: masker.maskDeep(section) }),
      signal,
    };
  }

  /**
   * Only loops outside any loop item are shared: a loop inside an item is done whole by whoever
   * does the item. Rounds of a sequential loop (paginate, repeat) run on every process alike, so
   * a loop in a round is shared, round by round: its name says which round.
   */
  private share(step: StepNode, scope: Scope, limit: number | undefined): ItemShare {
    const { frame } = scope;
    const name = `${frame.path ? `${frame.path}/` : ''}${this.services.items.shortId(step)}`;
    const work = frame.pending ? ALONE : this.services.distribution.forLoop(name, limit);
    const keyOf = (value: unknown) => itemKey(value, (scope.get('serve') as { url?: string } | undefined)?.url);
    const queue = work.queue;
    return {
      owns: (value) => work.owns(keyOf(value)),
      queue: queue && {
        // Keys as item() makes them: a value that comes again in one list gets ~1, ~2, ...
        offer: (entries) => {
          const seen = new Map<string, number>();
          return queue.offer(
            entries.map(({ value, data }) => {
              const base = keyOf(value);
              const n = seen.get(base) ?? 0;
              seen.set(base, n + 1);
              return { key: n ? `${base}~${n}` : base, data };
            }),
          );
        },
        take: () => queue.take(),
      },
    };
  }

  private async describeFailure(step: StepNode, cause: string, error: unknown): Promise<StepError> {
    const page = this.openPage();
    let screenshot: string | undefined;
    if (page && !stepModule(step.kind)?.blocks?.length) {
      const name = `failures/${step.loc.line}-${step.kind}-${Date.now().toString(36)}.png`;
      const path = join(this.services.runDir, name);
      mkdirSync(dirname(path), { recursive: true });
      // A password the workflow typed stays hidden in the picture: pixels cannot be masked after.
      screenshot = await page.screenshot({ path, timeout: 5000, mask: [page.locator('input[type=password]')] }).then(() => name, () => undefined);
    }
    const { url, hint } = failureDetails(error, page);
    return new StepError(step, this.services.masker.mask(cause), url && this.services.masker.mask(url), screenshot, hint);
  }
}

function truthy(value: unknown): boolean {
  return Boolean(value) && value !== 'false' && value !== '0';
}

/**
 * A step that waits checks its own deadline and says what it was waiting for; this bound only
 * catches one that hangs, so it leaves the step a moment past its timeout to say it first.
 */
const HANG_GRACE_MS = 1000;

function bounded<T>(work: Promise<T>, timeoutMs: number | undefined, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => reject(stepTimedOut(timeoutMs)), timeoutMs + HANG_GRACE_MS);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}


