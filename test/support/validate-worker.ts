import { parentPort } from 'node:worker_threads';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { printProblem } from '../../src/cli/output.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { InputError } from '../../src/runner/diagnostics.js';

/** A request: validate these files as `flow validate` would. */
export interface ValidateRequest {
  id: number;
  files: string[];
}

/** What `flow validate` would have printed and returned. */
export interface ValidateResult {
  id: number;
  code: number;
  stdout: string;
  stderr: string;
  /** CPU time of the whole process meanwhile (the main thread only waits): unlike the time on the clock, it does not grow when other programs load the machine. */
  ms: number;
}

/**
 * Runs `flow validate` in this worker thread, its output captured, for the fuzz test: thousands
 * of cases in one process, and a case that hangs can be ended by terminating the worker.
 */
function validateCaptured({ id, files }: ValidateRequest): ValidateResult {
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (name: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      out[name] += String(chunk);
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  const started = process.cpuUsage();
  let code: number;
  try {
    code = validateCommand(files);
  } catch (error) {
    // As src/cli/main.ts does with an error that reaches it.
    printProblem(error);
    code = error instanceof InputError ? EXIT.invalidInput : EXIT.failed;
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
  const used = process.cpuUsage(started);
  return { id, code, ...out, ms: (used.user + used.system) / 1000 };
}

// Node prints a process warning (the yaml library emits some) on stderr after the call returns.
const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`));

parentPort!.on('message', async (request: ValidateRequest) => {
  const result = validateCaptured(request);
  await new Promise((resolve) => setImmediate(resolve));
  result.stderr += warnings.splice(0).join('');
  parentPort!.postMessage(result);
});
