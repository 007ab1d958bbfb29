/**
 * flow's exit codes, the one list of them: README.md and docs/exit-codes.md say the same.
 * Schedulers and CI tell a run's endings apart by them.
 */
export const EXIT = {
  /** The run passed (or a resumed run had already finished). */
  ok: 0,
  /** The workflow failed: a step failed for good, too many items failed, or the disk filled up; or install-browser could not install. */
  failed: 1,
  /** Invalid input or usage, or no browser (nor one install-browser can install here): found before anything ran. */
  invalidInput: 2,
  /** The memory policy's last action, stop, ended the run. */
  stoppedByPolicy: 3,
  /** The browser kept dying, more often than the policy's recover.browserRestarts allows. */
  browserCrashed: 4,
  /** The run worked, but broke a memory assertion of its policy (budgets, maxPeakMb, maxGrowthMbPer100Items). */
  memoryAssertionFailed: 5,
  /** Ctrl-C or SIGTERM: stopped cleanly, everything extracted so far kept. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
