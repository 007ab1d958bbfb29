/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts. The listener goes when
 * the wait ends either way: a run's signal lives as long as the run, and every wait left its
 * listener on it otherwise.
 */
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
