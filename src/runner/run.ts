import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYamlValue } from 'yaml';
import { browserInstallHelp, BrowserNotFoundError, findBrowser } from '../browser/find.js';
import { BrowserStartError } from '../browser/find-errors.js';
import { startBrowser, type BrowserHandle } from '../browser/launch.js';
import { BrowserSession } from '../browser/session.js';
import { MemoryManager } from '../memory/manager.js';
import { chromiumPidsFromCdp } from '../memory/processes.js';
import { MemorySampler } from '../memory/sampler.js';
import { runStats } from '../memory/run-stats.js';
import { openDataset } from '../output/dataset.js';
import { writeReport } from '../report/render.js';
import { resolvePolicy, workflowPolicyInputs, type EffectivePolicy, type PolicyInputs } from '../policy/resolve.js';
import { startStaticServer, type StaticServer } from '../serve/static.js';
import { InputError, type Diagnostic } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { InterruptedError, plainMessage, StepError, StoppedByPolicyError } from './errors.js';
import { RunEvents } from './events.js';
import { resolveDeep } from './expressions.js';
import { Lane } from './lane.js';
import { RunRecorder } from './recorder.js';
import type { RunRecord, RunStatus } from './run-record.js';
import { Scope } from './scope.js';
import { SecretMasker } from './secrets.js';
import { loadWorkflow } from './validate.js';
import type { Workflow } from './workflow.js';

export const FLOW_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunOptions {
  /** `--var name=value`, values read as YAML scalars (5 is a number, true a boolean). */
  vars?: Record<string, string>;
  /** The run folder; default runs/<time>-<name>/ under the working folder. */
  outDir?: string;
  policyFile?: string;
  /** Policy settings from command-line flags: dotted setting path → value and flag. */
  policyFlags?: PolicyInputs['flags'];
  headed?: boolean;
  /** Stops the run cleanly when aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** Where the run reports what it does; the progress view listens here. */
  events?: RunEvents;
  /** Called once the run folder is known, before the browser starts. */
  onStart?: (context: { workflow: Workflow; policy: EffectivePolicy; runDir: string }) => void;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  exitCode: 0 | 1 | 130;
  status: RunStatus;
  runDir: string;
  datasetPath: string;
  recordPath: string;
  reportPath?: string;
  records: number;
  error?: string;
  failure?: StepError;
  record: RunRecord;
}

/** Validates, then runs a workflow file. Invalid input throws InputError before any browser starts. */
export async function runWorkflowFile(path: string, options: RunOptions = {}): Promise<RunResult> {
  const workflow = loadWorkflow(path);
  const env = options.env ?? process.env;
  const masker = new SecretMasker();
  const builtins = environmentOf(workflow, env, masker);
  const overrides = parseVarOverrides(workflow, options.vars ?? {});
  const policy = resolvePolicy({
    ...workflowPolicyInputs(workflow),
    ...(options.policyFile && { policyFile: resolve(options.policyFile) }),
    flags: options.policyFlags,
  });

  // No browser, no run: found before a run folder is made (an attached one is found when attaching).
  if (!workflow.browser.cdp && !workflow.browser.connect && !findBrowser(workflow.browser.executablePath)) {
    throw new BrowserNotFoundError('no Chrome or Chromium found on this machine', browserInstallHelp());
  }

  const startedAt = new Date();
  const runDir = resolve(options.outDir ?? join('runs', `${stamp(startedAt)}-${slug(workflow.name)}`));
  mkdirSync(runDir, { recursive: true });
  const events = options.events ?? new RunEvents();
  options.onStart?.({ workflow, policy, runDir });

  const controller = new AbortController();
  const forward = () => controller.abort(new InterruptedError(String(options.signal?.reason ?? 'SIGINT')));
  if (options.signal?.aborted) forward();
  options.signal?.addEventListener('abort', forward, { once: true });

  let server: StaticServer | undefined;
  let handle: BrowserHandle | undefined;
  let session: BrowserSession | undefined;
  const dataset = openDataset(join(runDir, workflow.output.path), workflow.output.format, { mask: (text) => masker.mask(text) });
  const record = newRecord(workflow, policy, runDir, startedAt, dataset.path);
  let sampler: MemorySampler | undefined;
  let memory: MemoryManager | undefined;
  const recorder = new RunRecorder(record, workflow.steps, events, masker, () => sampler?.latest);
  recorder.start();

  let status: RunStatus = 'passed';
  let exitCode: RunResult['exitCode'] = 0;
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
    const browserSettings = { ...workflow.browser, headless: options.headed ? false : workflow.browser.headless };
    const launchExtras = { diskCacheBytes: settings.cache.maxSizeMb ? settings.cache.maxSizeMb * 1024 * 1024 : undefined };
    let manager: MemoryManager | undefined;
    handle = await startBrowser(browserSettings, launchExtras);
    record.browser = { mode: handle.mode, version: handle.version, executablePath: handle.executablePath };
    session = new BrowserSession(handle, settings.maxPages, events, {
      preparePage: (page) => manager?.preparePage(page) ?? Promise.resolve(),
      restart: () => startBrowser(browserSettings, launchExtras),
    });
    const activeSession = session;
    // A Chrome flow attached to is not flow's child: the browser itself lists its processes.
    const attached = handle.mode === 'cdp' && handle.browser ? await handle.browser.newBrowserCDPSession() : undefined;
    sampler = new MemorySampler({
      intervalMs: settings.sampling.intervalMs,
      pages: () => activeSession.pages(),
      includePageMetrics: settings.sampling.pageMetrics,
      chromiumProcesses: attached && (() => chromiumPidsFromCdp(attached)),
    });
    sampler.onSample((sample) => {
      sample.pagesVisited = activeSession.visited;
      record.samples.push(sample);
      events.emit('sample', sample);
    });
    manager = new MemoryManager({
      settings,
      session,
      sampler,
      events,
      record,
      profileDir: workflow.browser.profile,
      stop: (reason) => controller.abort(new StoppedByPolicyError(reason)),
    });
    memory = manager;
    manager.start();
    sampler.start();

    const lane = new Lane({
      session,
      events,
      dataset,
      masker,
      runDir,
      signal: controller.signal,
      loadSteps: async (file) => {
        const included = loadWorkflow(file);
        return { steps: included.steps, params: Object.keys(included.vars) };
      },
      onFailure: (entry) => record.failures.push(entry),
    });
    try {
      await lane.runSteps(workflow.steps, scope);
    } finally {
      await lane.close();
    }
  } catch (caught) {
    if (caught instanceof InputError || caught instanceof BrowserStartError) throw caught;
    const reason: unknown = controller.signal.reason;
    if (reason instanceof StoppedByPolicyError) {
      status = 'failed';
      exitCode = 1;
      error = reason.message;
    } else if (caught instanceof InterruptedError || controller.signal.aborted) {
      status = 'interrupted';
      exitCode = 130;
      error = `interrupted (${(controller.signal.reason as InterruptedError | undefined)?.signalName ?? 'signal'})`;
    } else {
      status = 'failed';
      exitCode = 1;
      if (caught instanceof StepError) failure = caught;
      error = caught instanceof StepError ? caught.message : caught instanceof StoppedByPolicyError ? caught.message : plainMessage(caught);
    }
  } finally {
    options.signal?.removeEventListener('abort', forward);
    await memory?.finish();
    if (sampler) {
      await sampler.stop();
      record.samplerCostMs = sampler.costMs;
      record.stats = runStats(record, sampler.costMs);
    }
    await session?.close();
    if (!session) await handle?.close();
    await server?.close();
    dataset.close();
  }
  recorder.finish(status, exitCode, error);
  const reportPath = workflow.report === false ? undefined : writeRunReport(record, join(runDir, workflow.report), events);
  return { exitCode, status, runDir, datasetPath: dataset.path, recordPath: recorder.path, reportPath, records: dataset.count, error, failure, record };
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

function newRecord(workflow: Workflow, policy: EffectivePolicy, runDir: string, startedAt: Date, dataset: string): RunRecord {
  return {
    format: 'flow-run-record',
    formatVersion: 1,
    flowVersion: FLOW_VERSION,
    workflow: { name: workflow.name, file: workflow.source.shownPath, description: workflow.description },
    policy: { name: policy.name, version: policy.version, file: policy.file, hash: policy.hash, chain: policy.chain, settings: policy.settings, origins: policy.origins },
    browser: { mode: 'launch', version: 'unknown' },
    run: { id: `${stamp(startedAt)}-${slug(workflow.name)}`, dir: runDir, startedAt: startedAt.toISOString(), status: 'running' },
    counts: { stepsRun: 0, stepsFailed: 0, retries: 0, pagesVisited: 0, records: 0, requestsBlocked: {} },
    output: { dataset, format: workflow.output.format },
    steps: [],
    failures: [],
    samples: [],
    events: [],
    samplerCostMs: 0,
  };
}

function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
}
