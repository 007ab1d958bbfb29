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

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
