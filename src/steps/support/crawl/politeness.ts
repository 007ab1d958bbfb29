import { sleep } from '../../../runner/sleep.js';

/**
 * Spaces out visits to each host by `delayMs`: each visit books the next free moment of its
 * host, so lanes crawling one site at once still wait their turn.
 */
export class HostPacer {
  private readonly nextFree = new Map<string, number>();

  constructor(private readonly delayMs: number) {}

  async wait(url: string, signal: AbortSignal): Promise<void> {
    if (this.delayMs <= 0) return;
    const host = new URL(url).host;
    const now = Date.now();
    const at = Math.max(now, this.nextFree.get(host) ?? 0);
    this.nextFree.set(host, at + this.delayMs);
    if (at > now) await sleep(at - now, signal);
  }
}
