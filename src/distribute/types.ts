/**
 * How the items of a loop outside any loop item are shared out between flow processes. One
 * process alone does all of them; `--shard i/N` does the items whose key hashes to its share;
 * `--queue redis://...` takes items from a queue other workers take from too. Loops inside an
 * item are never shared: their item is done whole by whoever does it.
 */
export interface WorkShare {
  /** Whether this process does the item with this key (a shard's share); true when alone or with a queue. */
  owns(key: string): boolean;
  /** A queue other processes take from too, when there is one. */
  readonly queue?: SharedQueue;
}

/** Work shared through a queue: each entry is offered once by anyone, and done by whoever holds its lease. */
export interface SharedQueue {
  /**
   * Offers entries; each key is accepted once across every worker, in the order offered. Gives
   * each entry's position in the queue (the loop's item index), or -1 for a key offered before.
   */
  offer(entries: Array<{ key: string; data: unknown }>): Promise<number[]>;
  /**
   * The next entry to do, under a lease this worker renews while it runs. Waits while the queue
   * is empty but others hold leases (their items may bring more, or their lease may run out);
   * undefined once every entry is done.
   */
  take(): Promise<Lease | undefined>;
}

export interface Lease {
  key: string;
  index: number;
  data: unknown;
  /** How many times the entry was taken, this time included: above 1 after a worker died holding it. */
  attempt: number;
  /** Names this worker and attempt: the one that completes with it is the item's winner. */
  token: string;
  /** Says the item is finished (its records committed): 'won' unless the lease was lost to another worker first. */
  complete(): Promise<'won' | 'lost'>;
  /** Gives the entry back at once (the run was interrupted), so another worker need not wait for the lease to run out. */
  release(): Promise<void>;
}

/** A whole process's share of the work: the WorkShare of each loop outside any loop item. */
export interface Distribution {
  /** Shown in the journal and the summary: `shard 2/3`, `worker host-123 on redis://host:6379/0`. */
  readonly label: string;
  /** This worker's name in a shared queue: host, process id and a random part. */
  readonly worker?: string;
  /** The share of the loop named `loop` (its position, and the round it runs in: the same on every machine); `limit` caps the items a queue hands out in all. */
  forLoop(loop: string, limit?: number): WorkShare;
  close(): Promise<void>;
}

/** One process doing everything: the default. */
export const ALONE: WorkShare = { owns: () => true };

export const ALONE_DISTRIBUTION: Distribution = { label: 'alone', forLoop: () => ALONE, close: async () => {} };

/** What a loop step sees of its share: items named by their values, keys made by the runner. */
export interface ItemShare {
  /** Whether this process does the item with this value. */
  owns(value: unknown): boolean;
  /** A queue other processes take from too: offer the items (each with what the loop needs to run it), take them one at a time. */
  readonly queue?: {
    offer(items: Array<{ value: unknown; data: unknown }>): Promise<number[]>;
    take(): Promise<Lease | undefined>;
  };
}
