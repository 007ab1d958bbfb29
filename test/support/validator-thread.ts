import { Worker } from 'node:worker_threads';
import type { ValidateResult } from './validate-worker.js';

const WORKER = new URL('./validate-worker.ts', import.meta.url).href;
const TSX_API = import.meta.resolve('tsx/esm/api');

/** The worker is TypeScript; on Node 20 a worker does not inherit tsx's loader, so it loads it itself. */
function startWorker(): Worker {
  return new Worker(`import(${JSON.stringify(TSX_API)}).then(({ tsImport }) => tsImport(${JSON.stringify(WORKER)}, ${JSON.stringify(WORKER)}))`, { eval: true });
}

export type ThreadOutcome = ValidateResult | { hung: true } | { crashed: string };

/**
 * `flow validate` in a worker thread, one request at a time. A request that takes longer than
 * its time limit, or that kills the thread, is reported as such and the thread is replaced.
 */
export class ValidatorThread {
  private worker: Worker | undefined;
  private nextId = 0;

  async validate(files: string[], timeLimitMs: number): Promise<ThreadOutcome> {
    const worker = (this.worker ??= startWorker());
    const id = ++this.nextId;
    let timer: NodeJS.Timeout | undefined;
    let onMessage: ((result: ValidateResult) => void) | undefined;
    let onError: ((error: Error) => void) | undefined;
    let onExit: ((code: number) => void) | undefined;
    const outcome = await new Promise<ThreadOutcome>((resolve) => {
      onMessage = (result) => result.id === id && resolve(result);
      onError = (error) => resolve({ crashed: error.stack ?? String(error) });
      onExit = (code) => resolve({ crashed: `the thread exited with code ${code}` });
      timer = setTimeout(() => resolve({ hung: true }), timeLimitMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, files });
    });
    clearTimeout(timer);
    worker.off('message', onMessage!);
    worker.off('error', onError!);
    worker.off('exit', onExit!);
    if (!('code' in outcome)) await this.close();
    return outcome;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
