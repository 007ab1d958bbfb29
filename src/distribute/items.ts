import type { ItemShare, Lease } from './types.js';

export interface Pick {
  index: number;
  lease?: Lease;
}

/**
 * The items of a list this process does, one at a time: all of them, a shard's share, or those
 * a shared queue hands out (every worker offers the whole list; each item is accepted once).
 */
export async function listShare(share: ItemShare, items: unknown[]): Promise<{ total: number; next(): Promise<Pick | undefined> }> {
  const queue = share.queue;
  if (queue) {
    await queue.offer(items.map((value, index) => ({ value, data: index })));
    return {
      total: items.length,
      next: async () => {
        const lease = await queue.take();
        return lease && { index: lease.data as number, lease };
      },
    };
  }
  const mine = items.flatMap((value, index) => (share.owns(value) ? [index] : []));
  let at = 0;
  return { total: mine.length, next: async () => (at < mine.length ? { index: mine[at++] } : undefined) };
}
