import type { Page } from 'playwright-core';
import { seconds } from '../steps/support/deadline.js';
import type { StepNode } from '../steps/types.js';
import { HINTS } from './hints.js';
import { formatLocation } from './source.js';

/** A step that failed for good (after its retries), with what a reader needs to find it. */
export class StepError extends Error {
  constructor(
    readonly step: StepNode,
    readonly reason: string,
    readonly url: string | undefined,
    readonly screenshot: string | undefined,
    readonly hint?: string,
  ) {
    super(`${step.title} failed at ${formatLocation(step.loc)}: ${reason}`);
  }

  /** The readable block printed for a failed run. */
  describe(): string {
    const lines = [`Step failed: ${this.step.title}`, `  where:      ${formatLocation(this.step.loc)}`];
    if (this.url) lines.push(`  page:       ${this.url}`);
    lines.push(`  cause:      ${this.reason}`);
    if (this.hint) lines.push(`  hint:       ${this.hint}`);
    if (this.screenshot) lines.push(`  screenshot: ${this.screenshot} (in the run folder)`);
    return lines.join('\n');
  }
}

/**
 * A failure a step explains itself: what to try, and the page it concerns when that is not where
 * the page is (a goto that never arrived leaves the page on about:blank).
 */
export class StepProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly url?: string,
  ) {
    super(message);
  }
}

/** The step ran out of its time limit before it could say why. */
export function stepTimedOut(timeoutMs: number): StepProblem {
  return new StepProblem(`the step took longer than its ${seconds(timeoutMs)} timeout`, HINTS.slow);
}

/** The page a failure concerns and what to try, from the step's own words or from Playwright's kind of error. */
export function failureDetails(error: unknown, page: Page | undefined): { url?: string; hint?: string } {
  const url = (error instanceof StepProblem && error.url) || page?.url();
  if (error instanceof StepProblem) return { url, hint: error.hint };
  if (!(error instanceof Error)) return { url };
  if (error.name === 'TimeoutError') return { url, hint: HINTS.slow };
  if (/net::ERR_/.test(error.message)) return { url, hint: HINTS.navigation };
  return { url };
}

/** The run was stopped by Ctrl-C or SIGTERM. */
export class InterruptedError extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName}`);
  }
}

/** A policy threshold's last rung said stop. */
export class StoppedByPolicyError extends Error {}

/** Playwright's messages carry a call log after the first lines; a reader needs the first. */
export function plainMessage(error: unknown): string {
  const text = withoutColours(error instanceof Error ? error.message : String(error));
  const first = text.split('\n').filter((line) => line.trim() && !line.startsWith('Call log:') && !/^\s+-/.test(line));
  return first.slice(0, 3).join(' ').replace(/\s+/g, ' ').replace(/^(page|locator|frame|elementHandle|browserContext|browser|keyboard|mouse)\.\w+: (Error: )?/, '').trim();
}

/** Playwright colours its call logs with terminal codes (ESC[2m ... ESC[22m) even when nothing is a terminal. */
export function withoutColours(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
