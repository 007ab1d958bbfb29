import { EventEmitter } from 'node:events';
import type { Page } from 'playwright-core';
import type { MemorySample } from '../memory/types.js';
import type { StepNode } from '../steps/types.js';
import type { RunEvent, StepFailure } from './run-record.js';

/** What the runner tells the progress view, the memory manager and the run record. */
export interface RunEventMap {
  'step-start': [{ step: StepNode; laneId: string; item?: { index: number; total?: number } }];
  /** `item`: the loop item the step ran in (its journal path), when in one; `title`: the step's title with its expressions' values. */
  'step-end': [{ step: StepNode; laneId: string; status: 'passed' | 'failed' | 'skipped'; durationMs: number; error?: string; retries: number; page?: Page; item?: string; title?: string }];
  'step-retry': [{ step: StepNode; attempt: number; error: string }];
  'loop-progress': [{ step: StepNode; done: number; total?: number }];
  'page-opened': [{ page: Page; pagesOpen: number }];
  'page-closed': [{ page: Page; pagesOpen: number; reason: string }];
  'page-loaded': [{ page: Page; url: string; pagesVisited: number }];
  /** Records were written to the dataset: `count` in all now. */
  /** Records written: the dataset's count after them, and how many each step (by id) added. */
  record: [{ count: number; added: Record<string, number> }];
  /** A request the policy blocked, and the step acting on its page. */
  blocked: [{ type: string; stepId?: string }];
  browser: [{ event: 'started' | 'crashed' | 'restarted' | 'page-crashed'; reason?: string; mode?: string; version?: string; executablePath?: string }];
  failure: [StepFailure];
  log: [{ message: string; step?: StepNode }];
  memory: [RunEvent];
  /** A lane's page flow had closed (page limit, a memory action, a recycle) opened again at its last URL. */
  'page-reopened': [{ step: StepNode; url: string; reason: string }];
  sample: [MemorySample];
}

export class RunEvents extends EventEmitter<RunEventMap> {}
