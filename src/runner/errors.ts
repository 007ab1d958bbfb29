import type { StepNode } from '../steps/types.js';
import { formatLocation } from './source.js';

/** A step that failed for good (after its retries), with what a reader needs to find it. */
export class StepError extends Error {
  constructor(
    readonly step: StepNode,
    readonly reason: string,
    readonly url: string | undefined,
    readonly screenshot: string | undefined,
  ) {
    super(`${step.title} failed at ${formatLocation(step.loc)}: ${reason}`);
  }

  /** The readable block printed for a failed run. */
  describe(): string {
    const lines = [`Step failed: ${this.step.title}`, `  where:      ${formatLocation(this.step.loc)}`];
    if (this.url) lines.push(`  page:       ${this.url}`);
    lines.push(`  cause:      ${this.reason}`);
    if (this.screenshot) lines.push(`  screenshot: ${this.screenshot} (in the run folder)`);
    return lines.join('\n');
  }
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
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n').filter((line) => line.trim() && !line.startsWith('Call log:') && !/^\s+-/.test(line));
  return first.slice(0, 3).join(' ').replace(/\s+/g, ' ').replace(/^(page|locator|frame|elementHandle|browserContext|browser|keyboard|mouse)\.\w+: /, '').trim();
}
