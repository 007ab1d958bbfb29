/**
 * The time a step has left for its waits. It ends a little before the step's own time limit, so
 * that a step explains what it was waiting for before the runner's plain "took too long" fires.
 */
export class Deadline {
  readonly total: number;
  private readonly end: number;

  constructor(limitMs: number) {
    this.total = Math.max(1, limitMs - Math.min(1000, limitMs * 0.1));
    this.end = Date.now() + this.total;
  }

  left(): number {
    return Math.max(0, this.end - Date.now());
  }
}

/** A duration as a person reads it in a message: "30 s", "1.5 s", "200 ms". */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
