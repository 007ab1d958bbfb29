import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunEvents } from '../../src/runner/events.js';
import { runWorkflowFile } from '../../src/runner/run.js';

export interface FlowOptions {
  /** Top-level keys written before `steps:` (policy, memory, browser, ...). */
  head?: string;
  /** Files written beside the workflow. */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** Listens to the run as the progress view would. */
  events?: RunEvents;
}

/**
 * Runs workflows the way `flow run` does, each from a folder of its own, serving `site`, and
 * reads back what a user would look at: the exit code, the dataset, the log, the run record.
 */
export function flowRunner(site: string, prefix: string) {
  const tmp = mkdtempSync(join(tmpdir(), `flow-${prefix}-`));
  let workflows = 0;
  return {
    tmp,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
    async run(steps: string, options: FlowOptions = {}) {
      const dir = join(tmp, `workflow-${++workflows}`);
      mkdirSync(dir);
      for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
      const file = join(dir, 'flow.yaml');
      writeFileSync(file, `version: 1\nserve: ${JSON.stringify(site)}\nreport: false\n${options.head ?? ''}\nsteps:\n${steps}`);
      const events = options.events ?? new RunEvents();
      const logs: string[] = [];
      events.on('log', ({ message }) => logs.push(message));
      const result = await runWorkflowFile(file, { outDir: join(dir, 'run'), events, env: { ...process.env, ...options.env } });
      const records = existsSync(result.datasetPath)
        ? readFileSync(result.datasetPath, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [];
      return { ...result, file, logs, records, failures: result.record.failures.map((failure) => failure.message) };
    },
  };
}
