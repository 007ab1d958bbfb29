import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYamlValue } from 'yaml';
import { browserInstallHelp, BrowserNotFoundError, findBrowser } from '../browser/find.js';
import { BrowserStartError } from '../browser/find-errors.js';
import { startBrowser, type BrowserHandle } from '../browser/launch.js';
import { BrowserKeptCrashingError, BrowserSession } from '../browser/session.js';
import { EXIT, type ExitCode } from '../cli/exit-codes.js';
import { redisDistribution, type QueueSpec } from '../distribute/redis.js';
import { parseShard, shardDistribution, shardLabel, type ShardSpec } from '../distribute/shard.js';
import { ALONE_DISTRIBUTION, type Distribution } from '../distribute/types.js';
import type { RunArgs } from '../journal/entries.js';
import { reduceJournalFile } from '../journal/reduce.js';
import { journalPath, journalSteps, readResumePoint, resumeProblems, workflowShapeHash, type ResumePoint } from '../journal/resume.js';
import { JournalWriter } from '../journal/writer.js';
import { DiskFullError } from '../output/durable.js';
import { describeAssertion, hasAssertions, stepsForKey } from '../memory/assertions.js';
import { resolveBudget } from '../memory/cgroup.js';
import { MemoryManager } from '../memory/manager.js';
import { optimizeRunnerHeapFor } from '../memory/runner-gc.js';
import { stepNeedingPixels } from './pixels.js';
import { stepModule } from '../steps/registry.js';
import { CONTAINER_BUDGET_SHARE } from '../policy/settings.js';
import { shownOrigin } from '../policy/show.js';
import { chromiumPidsFromCdp } from '../memory/processes.js';
import { MemorySampler } from '../memory/sampler.js';
import { openDataset } from '../output/dataset.js';
import { datasetColumns } from './dataset-columns.js';
import { SnapshotWatch, snapshotTarget } from '../memory/snapshot-watch.js';
import { walkSteps } from './validate.js';
import type { StepNode } from '../steps/types.js';
import { SUMMARY_FILE, writeRunSummary } from '../output/summary.js';
import { writeReport } from '../report/render.js';
import { resolvePolicy, workflowPolicyInputs, type EffectivePolicy, type PolicyInputs } from '../policy/resolve.js';
import { startStaticServer, type StaticServer } from '../serve/static.js';
import { InputError, type Diagnostic } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { InterruptedError, plainMessage, StepError, StepProblem, StoppedByPolicyError } from './errors.js';
import { RunEvents } from './events.js';
import { resolveDeep } from './expressions.js';
import { Lane } from './lane.js';
import { ItemLedger } from './items.js';
import { RunRecorder } from './recorder.js';
import type { RecordPolicy, RunRecord, RunStatus } from './run-record.js';
import { Scope } from './scope.js';
import { MIN_SECRET_LENGTH, SecretMasker } from './secrets.js';
import { loadWorkflow } from './validate.js';
import type { Workflow } from './workflow.js';
import { shownPath } from './yaml-source.js';

export const FLOW_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunOptions {
  /** `--var name=value`, values read as YAML scalars (5 is a number, true a boolean). */
  vars?: Record<string, string>;
  /** The run folder; default runs/<time>-<name>/ under the working folder. */
  outDir?: string;
  /** Continue the run in this folder from where its journal stops. */
  resume?: string;
  /** Start afresh in an --out folder that holds a run, replacing it. */
  overwrite?: boolean;
  policyFile?: string;
  /** Policy settings from command-line flags: dotted setting path → value and flag. */
  policyFlags?: PolicyInputs['flags'];
  headed?: boolean;
  /** Do this shard's share of the items of loops outside any loop item (`--shard i/N`). */
  shard?: ShardSpec;
  /** Be one of many workers sharing the items of loops outside any loop item through this Redis (`--queue`). */
  queue?: QueueSpec;
  /** Stops the run cleanly when aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** Where the run reports what it does; the progress view listens here. */
  events?: RunEvents;
  /** Called once the run folder is known, before the browser starts. */
  onStart?: (context: { workflow: Workflow; policy: EffectivePolicy; runDir: string; resumed: boolean }) => void;
  env?: NodeJS.ProcessEnv;
  /** Learns the run's secrets; the CLI masks the console with it. */
  masker?: SecretMasker;
}

export interface RunResult {
  exitCode: ExitCode;
  status: RunStatus;
  runDir: string;
  datasetPath: string;
  recordPath: string;
  reportPath?: string;
  records: number;
  error?: string;
  failure?: StepError;
  record: RunRecord;
  /** Resumed a run that had already finished: nothing was done. */
  alreadyFinished?: boolean;
}

/** Validates, then runs a workflow file (or resumes a run of it). Invalid input throws InputError before any browser starts. */
export async function runWorkflowFile(path: string, options: RunOptions = {}): Promise<RunResult> {
  const point = options.resume ? readResumePoint(resolve(options.resume)) : undefined;
  if (point?.start.args.queue) {
    throw new InputError([{ file: shownPath(options.resume!), message: 'this run is a worker of a shared queue: its unfinished items went back to the queue when its leases ran out, so there is nothing to resume here', hint: `start another worker instead: flow run ${shownPath(point.start.workflow.file)} --queue ${point.start.args.queue.url}` }]);
  }
  if (point && (options.shard || options.queue)) throw new InputError([{ file: 'command line', message: '--resume continues a run as it started: --shard and --queue cannot change it', hint: 'leave --shard and --queue out' }]);
  const args: RunArgs = point
    ? resumedArgs(point.start.args, options)
    : { vars: options.vars ?? {}, policyFile: options.policyFile && resolve(options.policyFile), policyFlags: options.policyFlags, headed: options.headed, ...(options.shard && { shard: shardLabel(options.shard) }) };
  const workflow = loadWorkflow(path);
  const env = options.env ?? process.env;
  const masker = options.masker ?? new SecretMasker();
  const builtins = environmentOf(workflow, env, masker);
  const overrides = parseVarOverrides(workflow, args.vars);
  const policy = resolvePolicy({
    ...workflowPolicyInputs(workflow),
    ...(args.policyFile && { policyFile: args.policyFile }),
    flags: args.policyFlags,
  });
  const steps = journalSteps(workflow.steps);
  checkBudgetKeys(policy, steps, workflow.file);
  const shape = workflowShapeHash(workflow);
  const allSteps: StepNode[] = [];
  walkSteps(workflow.steps, (step) => allSteps.push(step));
  const snapshotStep = snapshotTarget(policy.settings.leaks, allSteps, policy.origins['leaks.snapshots']);
  if (point) {
    const problems = resumeProblems(point, workflow, steps, shape);
    if (problems.length) throw new InputError(problems);
  }

  // No browser, no run: found before a run folder is made (an attached one is found when attaching).
  if (!workflow.browser.cdp && !workflow.browser.connect && !findBrowser(workflow.browser.executablePath)) {
    throw new BrowserNotFoundError('no Chrome or Chromium found on this machine', browserInstallHelp());
  }

  const controller = new AbortController();
  const forward = () => controller.abort(new InterruptedError(String(options.signal?.reason ?? 'SIGINT')));
  if (options.signal?.aborted) forward();
  options.signal?.addEventListener('abort', forward, { once: true });
  const events = options.events ?? new RunEvents();

  const identity = createHash('sha256').update(JSON.stringify({ steps: steps.map((step) => step.hash), shape })).digest('hex');
  let distribution: Distribution = args.shard ? shardDistribution(parseShard(args.shard)) : ALONE_DISTRIBUTION;
  if (options.queue) {
    if (options.queue.password) masker.add(options.queue.password);
    distribution = await redisDistribution({ spec: options.queue, defaultName: `${slug(workflow.name)}-${identity.slice(0, 8)}`, identity, signal: controller.signal, log: (message) => events.emit('log', { message }) });
    args.queue = { url: options.queue.shown, name: options.queue.name ?? `${slug(workflow.name)}-${identity.slice(0, 8)}`, worker: distribution.worker ?? '' };
  }

  const now = new Date();
  const startedAt = point ? new Date(point.start.at) : now;
  const runDir = point ? resolve(options.resume!) : resolve(options.outDir ?? join('runs', `${stamp(startedAt)}-${slug(workflow.name)}`));
  const datasetFile = join(runDir, workflow.output.path);
  if (point?.end?.status === 'passed') return finishedAlready(point, runDir, datasetFile);
  try {
    if (!point) prepareRunFolder(runDir, datasetFile, options.overwrite ?? false);
  } catch (error) {
    await distribution.close();
    throw error;
  }
  options.onStart?.({ workflow, policy, runDir, resumed: Boolean(point) });

  // The run's clock goes on across resumes: the time flow was not running shows as a gap.
  const clockOffset = now.getTime() - startedAt.getTime();
  const clockOrigin = performance.now();
  const runClock = () => clockOffset + performance.now() - clockOrigin;
  const journal = new JournalWriter(journalPath(runDir), masker, runClock, (error) => controller.abort(error));
  if (!point) {
    journal.commit({
      type: 'run-start',
      t: 0,
      at: startedAt.toISOString(),
      flowVersion: FLOW_VERSION,
      runId: `${stamp(startedAt)}-${slug(workflow.name)}`,
      runDir,
      workflow: { name: workflow.name, file: workflow.file, description: workflow.description, hash: createHash('sha256').update(workflow.source.text).digest('hex'), shape, steps },
      policy: recordPolicy(policy),
      args,
      output: { dataset: datasetFile, format: workflow.output.format },
    });
  }
  journal.commit({ type: 'segment', at: now.toISOString(), pid: process.pid, flowVersion: FLOW_VERSION, resumed: Boolean(point) });

  let server: StaticServer | undefined;
  let handle: BrowserHandle | undefined;
  let session: BrowserSession | undefined;
  let sampler: MemorySampler | undefined;
  let memory: MemoryManager | undefined;
  let snapshots: SnapshotWatch | undefined;
  const dataset = openDataset(datasetFile, workflow.output.format, { mask: (text) => masker.mask(text), resume: point?.dataset, columns: datasetColumns(workflow) });
  const recorder = new RunRecorder(journal, events, () => sampler?.latest, () => ({ samplerCostMs: sampler?.costMs ?? 0, leakChecksCostMs: sampler?.leakChecksCostMs ?? 0 }), () => ({ open: session?.pagesOpen ?? 0, visited: session?.visited ?? point?.visited ?? 0 }));
  if (distribution !== ALONE_DISTRIBUTION) events.emit('log', { message: `this run is ${distribution.label}: its folder is one part of the run, for flow merge` });

  let status: Exclude<RunStatus, 'running' | 'killed'> = 'passed';
  let exitCode: ExitCode = EXIT.ok;
  let error: string | undefined;
  let failure: StepError | undefined;
  try {
    if (workflow.serve) {
      server = await startStaticServer(workflow.serve, { quiet: true });
      builtins.serve = { url: server.url };
    }
    const scope = new Scope(undefined, builtins);
    for (const [name, value] of Object.entries(workflow.vars)) {
      scope.define(name, name in overrides ? overrides[name] : resolveDeep(value, scope.snapshot()));
    }
    const settings = policy.settings;
    const browserSettings = { ...workflow.browser, headless: args.headed ? false : workflow.browser.headless };
    const budget = resolveBudget(settings.budgetMb, shownOrigin(policy.origins.budgetMb), CONTAINER_BUDGET_SHARE);
    // Under a budget V8 keeps heaps small unless the user chose: heavy pages one at a time under 700 MB peaked at 596-605 MB so, 662-701 without, at the same speed.
    const optimizeFor = budget && policy.origins['gc.optimizeFor'].kind === 'default' ? 'memory' : settings.gc.optimizeFor;
    optimizeRunnerHeapFor(optimizeFor);
    const launchExtras = { diskCacheBytes: settings.cache.maxSizeMb ? settings.cache.maxSizeMb * 1024 * 1024 : undefined, smallPageHeaps: optimizeFor === 'memory', noSpareRenderer: budget !== undefined };
    let manager: MemoryManager | undefined;
    handle = await startBrowser(browserSettings, launchExtras);
    events.emit('browser', { event: 'started', mode: handle.mode, version: handle.version, executablePath: handle.executablePath });
    session = new BrowserSession(handle, settings.maxPages, events, {
      preparePage: (page) => manager?.preparePage(page) ?? Promise.resolve(),
      restart: () => startBrowser(browserSettings, launchExtras),
      browserRestarts: settings.recover.browserRestarts,
      onFatal: (fatal) => controller.abort(fatal),
      visitedBefore: point?.visited,
    });
    const activeSession = session;
    // A Chrome flow attached to is not flow's child: the browser itself lists its processes.
    const attached = handle.mode === 'cdp' && handle.browser ? await handle.browser.newBrowserCDPSession() : undefined;
    sampler = new MemorySampler({
      intervalMs: settings.sampling.intervalMs,
      pages: () => activeSession.pages(),
      includePageMetrics: settings.sampling.pageMetrics,
      chromiumProcesses: attached && (() => chromiumPidsFromCdp(attached)),
      now: runClock,
    });
    sampler.onSample((sample) => {
      sample.pagesVisited = activeSession.visited;
      events.emit('sample', sample);
    });
    // A remote browser's processes are not measured here: a budget over flow's own process would mean nothing.
    const ownBrowser = handle.mode === 'launch' || handle.mode === 'profile';
    if (budget && !ownBrowser) events.emit('log', { message: `the memory budget (${budget.reason}) is not applied: the browser is remote, and its processes are not flow's to measure` });
    // The budget may block images, media and fonts only where the user chose no block.types and no step needs them.
    const needsPixels = budget && ownBrowser ? stepNeedingPixels(workflow.steps) : undefined;
    if (needsPixels) events.emit('log', { message: `the memory budget will not block images, media or fonts: ${needsPixels.title} (${shownPath(needsPixels.loc.file)}:${needsPixels.loc.line}) ${stepModule(needsPixels.kind)?.needsPixels ? 'needs what pages look like' : 'includes a file named only as the run goes, whose steps might need them'}` });
    manager = new MemoryManager({
      budget: ownBrowser ? budget : undefined,
      budgetMayBlock: policy.origins['block.types'].kind === 'default' && !needsPixels,
      settings,
      session,
      sampler,
      events,
      now: runClock,
      profileDir: workflow.browser.profile,
      stop: (reason) => controller.abort(new StoppedByPolicyError(reason)),
    });
    memory = manager;
    manager.start();
    if (snapshotStep) {
      const runPath = (name: string) => {
        mkdirSync(dirname(join(runDir, name)), { recursive: true });
        return join(runDir, name);
      };
      snapshots = new SnapshotWatch({ settings: settings.leaks, target: snapshotStep, session, events, now: runClock, runPath });
    }
    sampler.start();

    const shortIds = new Map(steps.map((step, i) => [step.id, `s${i}`]));
    const items = new ItemLedger({
      dataset,
      journal,
      events,
      session,
      settings: settings.recover,
      resume: point,
      shortId: (step) => shortIds.get(step.id) ?? step.id,
      servedUrl: server?.url,
      signal: controller.signal,
      onFatal: (fatal) => controller.abort(fatal),
    });
    const lane = new Lane({
      session,
      events,
      items,
      masker,
      runDir,
      signal: controller.signal,
      distribution,
      loadSteps: async (file) => {
        try {
          const included = loadWorkflow(file);
          return { steps: included.steps, params: Object.keys(included.vars) };
        } catch (problem) {
          // Found only now (the file's name came from an expression): the step fails, saying where in that file.
          if (!(problem instanceof InputError)) throw problem;
          const [first, ...more] = problem.diagnostics;
          const where = `${shownPath(first.file)}${first.line ? `:${first.line}:${first.col ?? 1}` : ''}`;
          throw new StepProblem(`${where}: ${first.message}${more.length ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''}: flow validate ${shownPath(file)})` : ''}`, first.hint);
        }
      },
      onFailure: (entry) => events.emit('failure', entry),
    });
    try {
      await lane.runSteps(workflow.steps, scope);
    } finally {
      await lane.close();
    }
  } catch (caught) {
    if (caught instanceof InputError || caught instanceof BrowserStartError) {
      journal.close();
      dataset.close();
      // Nothing ran: a new run leaves nothing behind to be refused next time.
      if (!point) removeEmptyRun(runDir, [journal.path, dataset.path]);
      throw caught;
    }
    ({ status, exitCode, error, failure } = outcomeOf(caught, controller.signal));
  } finally {
    options.signal?.removeEventListener('abort', forward);
    await snapshots?.finish();
    await memory?.finish();
    await sampler?.stop();
    await session?.close();
    if (!session) await handle?.close();
    await server?.close();
    await distribution.close();
  }
  try {
    dataset.close();
  } catch (closing) {
    if (status === 'passed') ({ status, exitCode, error } = outcomeOf(closing, controller.signal));
  }
  if (status === 'passed') ({ status, exitCode, error } = judgedAssertions(journal, policy.settings, { status, exitCode, error }));
  recorder.finish(status, exitCode, error === undefined ? undefined : masker.mask(error));
  const record = reduceJournalFile(journal.path);
  const recordPath = writeSummary(record, runDir, events);
  const reportPath = workflow.report === false ? undefined : writeRunReport(record, join(runDir, workflow.report), events);
  return { exitCode, status, runDir, datasetPath: dataset.path, recordPath, reportPath, records: dataset.count, error, failure, record };
}

/**
 * A run that passed but broke a memory assertion fails with its own exit code. Assertions are
 * judged on the journal so far, as the report will judge them on the whole.
 */
function judgedAssertions(journal: JournalWriter, settings: EffectivePolicy['settings'], outcome: { status: 'passed'; exitCode: ExitCode; error?: string }): { status: 'passed' | 'failed'; exitCode: ExitCode; error?: string } {
  if (!hasAssertions(settings)) return outcome;
  journal.flush();
  const failed = (reduceJournalFile(journal.path).assertions ?? []).filter((assertion) => assertion.status === 'failed');
  if (!failed.length) return outcome;
  return { status: 'failed', exitCode: EXIT.memoryAssertionFailed, error: `${failed.length} memory assertion${failed.length > 1 ? 's' : ''} failed:\n${failed.map((assertion) => `  ${describeAssertion(assertion)}`).join('\n')}` };
}

/** A budgets key that names no step would never be judged: refused before the run, where it was written. */
function checkBudgetKeys(policy: EffectivePolicy, steps: Array<{ title: string; file: string; line: number }>, workflowFile: string): void {
  const problems: Diagnostic[] = [];
  for (const key of Object.keys(policy.settings.budgets)) {
    if (stepsForKey(key, steps, workflowFile).length) continue;
    const origin = policy.origins[`budgets.${key}`] ?? policy.origins.budgets;
    const suggestion = didYouMean(key, steps.map((step) => step.title));
    problems.push({
      file: origin?.file ? shownPath(origin.file) : 'command line',
      line: origin?.line,
      col: origin?.col,
      message: `budgets: "${key}" names no step of the workflow${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
      hint: 'name a step by its label (label: ...), by its line in the workflow ("12"), or by file and line ("parts/detail.yaml:12")',
    });
  }
  if (problems.length) throw new InputError(problems);
}

/** How a run that threw ended: which status, exit code and words. */
function outcomeOf(caught: unknown, signal: AbortSignal): { status: 'failed' | 'interrupted'; exitCode: ExitCode; error: string; failure?: StepError } {
  const reason: unknown = signal.reason;
  if (reason instanceof StoppedByPolicyError) return { status: 'failed', exitCode: EXIT.stoppedByPolicy, error: reason.message };
  if (reason instanceof BrowserKeptCrashingError) return { status: 'failed', exitCode: EXIT.browserCrashed, error: reason.message };
  for (const cause of [reason, caught]) if (cause instanceof DiskFullError) return { status: 'failed', exitCode: EXIT.failed, error: cause.message };
  if (reason instanceof Error && !(reason instanceof InterruptedError)) return { status: 'failed', exitCode: EXIT.failed, error: plainMessage(reason) };
  if (caught instanceof InterruptedError || reason instanceof InterruptedError) {
    return { status: 'interrupted', exitCode: EXIT.interrupted, error: `interrupted (${(reason as InterruptedError | undefined)?.signalName ?? 'signal'})` };
  }
  if (caught instanceof StepError) return { status: 'failed', exitCode: EXIT.failed, error: caught.message, failure: caught };
  return { status: 'failed', exitCode: EXIT.failed, error: plainMessage(caught) };
}

/** `flow resume` runs what the run was started with; other variables or policy flags would mix two runs. */
function resumedArgs(started: RunArgs, options: RunOptions): RunArgs {
  const given = options.vars ?? {};
  const differing = Object.keys(given).filter((name) => started.vars[name] !== given[name]);
  if (differing.length) {
    throw new InputError([{ file: '--var', message: `a resumed run keeps the variables it started with; ${differing.map((name) => `${name}=${given[name]}`).join(', ')} differs`, hint: `leave --var out: the run started with ${Object.entries(started.vars).map(([k, v]) => `${k}=${v}`).join(' ') || 'no --var'}` }]);
  }
  return { ...started, headed: options.headed ?? started.headed };
}

/** An --out folder that already holds a run is not silently overwritten. */
function prepareRunFolder(runDir: string, datasetFile: string, overwrite: boolean): void {
  const previous = [journalPath(runDir), join(runDir, 'run.json'), datasetFile].filter((file) => existsSync(file));
  if (previous.length && !overwrite) {
    throw new InputError([
      {
        file: shownPath(runDir),
        message: `this folder already holds a run (${previous.map((file) => basename(file)).join(', ')}); flow will not overwrite it`,
        hint: `continue it with flow resume ${shownPath(runDir)}, start afresh in it with --overwrite, or give another --out folder`,
      },
    ]);
  }
  for (const file of previous) rmSync(file, { force: true });
  mkdirSync(runDir, { recursive: true });
}

/** Removes what a run that never started wrote, and its folder if nothing else is in it. */
function removeEmptyRun(runDir: string, files: string[]): void {
  for (const file of files) rmSync(file, { force: true });
  try {
    rmdirSync(runDir);
  } catch {
    // Not empty: the folder held other things before the run.
  }
}

/** Resuming a run that passed does nothing: it says so and gives the run as it was. */
function finishedAlready(point: ResumePoint, runDir: string, datasetFile: string): RunResult {
  const record = reduceJournalFile(journalPath(runDir));
  return { exitCode: EXIT.ok, status: record.run.status, runDir, datasetPath: datasetFile, recordPath: join(runDir, 'run.json'), reportPath: undefined, records: point.dataset.count, record, alreadyFinished: true };
}

/** run.json, written from the journal; one that cannot be written is noted, never the reason a run fails. */
function writeSummary(record: RunRecord, runDir: string, events: RunEvents): string {
  try {
    return writeRunSummary(record, runDir);
  } catch (error) {
    events.emit('log', { message: `the run summary could not be written: ${plainMessage(error)}; flow report ${shownPath(runDir)} makes it again from the journal` });
    return join(runDir, SUMMARY_FILE);
  }
}

function recordPolicy(policy: EffectivePolicy): RecordPolicy {
  return { name: policy.name, version: policy.version, file: policy.file, hash: policy.hash, chain: policy.chain, settings: policy.settings, origins: policy.origins };
}

/** A report that cannot be written is noted, never the reason a run fails. */
function writeRunReport(record: RunRecord, path: string, events: RunEvents): string | undefined {
  try {
    writeReport(record, path);
    return path;
  } catch (error) {
    events.emit('log', { message: `the report could not be written: ${plainMessage(error)}` });
    return undefined;
  }
}

function environmentOf(workflow: Workflow, env: NodeJS.ProcessEnv, masker: SecretMasker): Record<string, unknown> {
  const problems: Diagnostic[] = [];
  const at = (key: string, name: string) => {
    const node = workflow.source.doc.getIn([key, ...(key === 'env' ? [name] : [])], true) as { range?: [number, number, number] } | undefined;
    const seq = key === 'secrets' ? (workflow.source.doc.get('secrets', true) as { items?: Array<{ value?: unknown; range?: [number, number, number] }> } | undefined) : undefined;
    const item = seq?.items?.find((i) => i.value === name);
    const pos = workflow.source.lineCounter.linePos((item ?? node)?.range?.[0] ?? 0);
    return { file: workflow.source.shownPath, line: pos.line, col: pos.col };
  };
  const values: Record<string, unknown> = {};
  for (const [name, fallback] of Object.entries(workflow.env)) {
    const value = env[name] ?? (fallback === null ? undefined : String(fallback));
    if (value === undefined) problems.push({ ...at('env', name), message: `the environment variable ${name} is not set, and it has no default`, hint: `set it before running: ${name}=... npx flow run ${workflow.source.shownPath}` });
    values[name] = value;
  }
  const secrets: Record<string, unknown> = {};
  for (const name of workflow.secrets) {
    const value = env[name];
    if (value === undefined || value === '') problems.push({ ...at('secrets', name), message: `the secret ${name} is not set in the environment`, hint: `set it before running: export ${name}=...` });
    else if (value.length < MIN_SECRET_LENGTH) problems.push({ ...at('secrets', name), message: `the secret ${name} is only ${value.length} character(s) long: flow could not hide it in its output without hiding ordinary text too`, hint: `use a secret of at least ${MIN_SECRET_LENGTH} characters, or pass the value as a variable (env:) if it is not secret` });
    else masker.add(value);
    secrets[name] = value;
  }
  if (problems.length) throw new InputError(problems);
  return { env: values, secrets, run: { name: workflow.name, file: workflow.source.shownPath, startedAt: new Date().toISOString() } };
}

function parseVarOverrides(workflow: Workflow, vars: Record<string, string>): Record<string, unknown> {
  const known = Object.keys(workflow.vars);
  const problems: Diagnostic[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(vars)) {
    if (!known.includes(name)) {
      const suggestion = didYouMean(name, known);
      problems.push({ file: '--var', message: `the workflow has no variable "${name}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, hint: known.length ? `its variables: ${known.join(', ')}` : 'declare it under vars: in the workflow' });
      continue;
    }
    try {
      values[name] = parseYamlValue(text);
    } catch {
      values[name] = text;
    }
  }
  if (problems.length) throw new InputError(problems);
  return values;
}

function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
}
