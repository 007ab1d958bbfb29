import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the journal, resume and crash tests share: the real CLI in a child process of its own
 * (its own process group, so a kill -9 takes Chromium with it), Chromium's processes found
 * through /proc, sites generated into a temporary folder, datasets compared without the port.
 */
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const cli = join(root, 'bin/flow.js');
const env = { ...process.env, NO_COLOR: '1', CI: '1' };

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Flow {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process (and, after a kill, its group) is gone. */
  exited: Promise<Exited>;
  /** kill -9 of flow and every process in its group and tree (Chromium). */
  killHard(): Promise<Exited>;
}

/** Starts `flow ARGS` in a process group of its own. */
export function startFlow(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Flow {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const pid = child.pid!;
  const timer = setTimeout(() => killGroup(pid), options.timeoutMs ?? 180_000);
  const exited = new Promise<Exited>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return {
    child,
    pid,
    exited,
    async killHard() {
      const tree = descendants(pid);
      killGroup(pid);
      for (const p of tree) signal(p, 'SIGKILL');
      const result = await exited;
      await waitFor(() => tree.every((p) => !alive(p)), 10_000, 'Chromium to die with flow');
      return result;
    },
  };
}

/** Runs `flow ARGS` to its end. */
export async function flow(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Exited> {
  const run = startFlow(args, options);
  const result = await run.exited;
  // Anything it left behind in its group (it should leave nothing) does not outlive the test.
  killGroup(run.pid);
  return result;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

export function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /s.test(stat);
  } catch {
    return false;
  }
}

/** Every live descendant of `pid`, from /proc/*\/stat. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(name));
      parents.set(ppid, list);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      visit(child);
    }
  };
  visit(pid);
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Chromium's processes under flow: the browser is the one without --type=. */
export function chromiumProcesses(flowPid: number): Array<{ pid: number; type: string }> {
  return descendants(flowPid)
    .map((pid) => ({ pid, line: cmdline(pid) }))
    .filter(({ line }) => /chrom/i.test(line))
    .map(({ pid, line }) => ({ pid, type: /--type=(\S+)/.exec(line)?.[1] ?? 'browser' }));
}

/** Chromium's browser process: the child of flow's node process whose command line has no --type=. */
export function browserPid(flowPid: number): number | undefined {
  return chromiumProcesses(flowPid).find((p) => p.type === 'browser' && parentOf(p.pid) === flowPid)?.pid;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export function rendererPids(flowPid: number): number[] {
  return chromiumProcesses(flowPid)
    .filter((p) => p.type === 'renderer')
    .map((p) => p.pid);
}

export async function waitFor<T>(check: () => T | undefined | false, timeoutMs: number, what: string, everyMs = 15): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Whole lines of a file (a missing file has none); a last line without its newline is left out. */
export function wholeLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  lines.pop();
  return lines.filter(Boolean);
}

export function lineCount(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The parsed whole lines of a JSON-lines file that may still be being written (a journal, a dataset). */
export function jsonLines(path: string): Array<Record<string, unknown>> {
  return wholeLines(path).map((line) => JSON.parse(line) as Record<string, unknown>);
}

export type JournalLine = Record<string, unknown> & { type: string; t: number };

export function journal(runDir: string): JournalLine[] {
  return jsonLines(join(runDir, 'journal.jsonl')) as JournalLine[];
}

export function runJson(runDir: string): any {
  return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
}

/** Each run serves its site on a new port: records are compared with it left out. */
export function withoutPort(line: string): string {
  return line.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
}

/** A dataset's lines, each parsed (a line that does not parse fails the test), the port left out, sorted. */
export function datasetMultiset(path: string): string[] {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  assertEndsWhole(text, path);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => withoutPort(JSON.stringify(JSON.parse(line))))
    .sort();
}

function assertEndsWhole(text: string, path: string): void {
  if (text && !text.endsWith('\n')) throw new Error(`${path} ends in a torn line: ${JSON.stringify(text.slice(-80))}`);
}

/** A little deterministic generator (mulberry32), so a "random" moment is the same on every run of the test. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ItemSiteOptions {
  /** Milliseconds after load before #ready appears on each item page (0: at once). */
  readyAfterMs?: number;
  /** Bytes of filler text in each page, to make records large. */
  fillerBytes?: number;
  /** Pages from this index on show #ready only once the site holds gate.txt (see openGate): the run waits there. */
  gateFrom?: number;
}

/** Lets the item pages behind the gate (ItemSiteOptions.gateFrom) show #ready. */
export function openGate(site: string): void {
  writeFileSync(join(site, 'gate.txt'), 'open\n');
}

/**
 * A folder of `count` light item pages, item-0.html ... , and items.json listing them
 * ({"n": 0}, ...), written into `dir`.
 */
export function writeItemSite(dir: string, count: number, options: ItemSiteOptions = {}): { site: string; items: string } {
  const site = join(dir, 'site');
  mkdirSync(site, { recursive: true });
  const ready = options.readyAfterMs
    ? `<script>setTimeout(() => { const p = document.createElement('p'); p.id = 'ready'; p.textContent = 'ready'; document.body.append(p); }, ${options.readyAfterMs});</script>`
    : '<p id="ready">ready</p>';
  const filler = options.fillerBytes ? `<p class="filler">${'x'.repeat(options.fillerBytes)}</p>` : '';
  const gated =
    '<script>const poll = () => fetch("gate.txt", { cache: "no-store" }).then((r) => (r.ok ? document.body.insertAdjacentHTML("beforeend", \'<p id="ready">ready</p>\') : setTimeout(poll, 100)), () => setTimeout(poll, 100)); poll();</script>';
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(site, `item-${i}.html`),
      `<!doctype html><html><head><title>Item ${i}</title></head><body><h1>Item ${i}</h1><p class="price">${(i * 1.25).toFixed(2)}</p><p class="sku">SKU-${String(i).padStart(4, '0')}</p>${filler}${options.gateFrom !== undefined && i >= options.gateFrom ? gated : ready}</body></html>\n`,
    );
  }
  const items = join(dir, 'items.json');
  writeFileSync(items, JSON.stringify(Array.from({ length: count }, (_, n) => ({ n }))));
  return { site, items };
}

export interface ItemWorkflowOptions {
  name?: string;
  /** Top-level keys (browser:, memory:, ...). */
  head?: string;
  /** forEach keys beside file: and concurrency: (continueOnError, maxFailed, ...). */
  loop?: string;
  concurrency?: number;
  /** Steps run for each item after goto, before the extract. */
  before?: string;
  /** Fields extracted from each item page. */
  fields?: string;
  report?: boolean;
}

/** A workflow that goes through items.json, opening each item page and extracting one record. */
export function itemWorkflow(dir: string, site: string, options: ItemWorkflowOptions = {}): string {
  const file = join(dir, 'flow.yaml');
  const indent = (text: string, spaces: number) => text.trim().split('\n').map((line) => `${' '.repeat(spaces)}${line}`).join('\n');
  writeFileSync(
    file,
    `version: 1
name: ${options.name ?? 'items'}
serve: ${JSON.stringify(site)}
${options.report ? '' : 'report: false\n'}${options.head ?? ''}
steps:
  - forEach:
      file: items.json
      concurrency: ${options.concurrency ?? 2}
${options.loop ? `${indent(options.loop, 6)}\n` : ''}      steps:
        - goto: \${{ serve.url }}/item-\${{ item.n }}.html
${options.before ? `${indent(options.before, 8)}\n` : ''}        - extract:
            fields: ${options.fields ?? '{ title: h1, price: .price, sku: .sku }'}
            add: { url: "\${{ serve.url }}/item-\${{ item.n }}.html" }
output: items.jsonl
`,
  );
  return file;
}
