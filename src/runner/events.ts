import { EventEmitter } from 'node:events';
import type { Page } from 'playwright-core';
import type { MemorySample } from '../memory/types.js';
import type { StepNode, StepSection } from '../steps/types.js';
import type { RunEvent, StepFailure } from './run-record.js';

/** What the runner tells the progress view, the memory manager and the run record. */
export interface RunEventMap {
  'step-start': [{ step: StepNode; laneId: string; item?: { index: number; total?: number } }];
  'step-end': [{ step: StepNode; laneId: string; status: 'passed' | 'failed' | 'skipped'; durationMs: number; error?: string; retries: number; page?: Page }];
  'step-retry': [{ step: StepNode; attempt: number; error: string }];
  'loop-progress': [{ step: StepNode; done: number; total?: number }];
  /** A control step's figures (StepSection), whole. */
  section: [{ step: StepNode; section: StepSection }];
  'page-opened': [{ page: Page; pagesOpen: number }];
  'page-closed': [{ page: Page; pagesOpen: number; reason: string }];
  'page-loaded': [{ page: Page; url: string; pagesVisited: number }];
  /** Records were written to the dataset: `count` in all now. */
  record: [{ count: number }];
  /** A request the policy blocked, and the step acting on its page. */
  blocked: [{ type: string; stepId?: string }];
  browser: [{ event: 'started' | 'crashed' | 'restarted' | 'page-crashed'; reason?: string; mode?: string; version?: string; executablePath?: string }];
  failure: [StepFailure];
  log: [{ message: string; step?: StepNode }];
  memory: [RunEvent];
  sample: [MemorySample];
}

export class RunEvents extends EventEmitter<RunEventMap> {}
