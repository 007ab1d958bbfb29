import { UrlQueue, type QueuedUrl } from './url-queue.js';
import { UrlSet } from './url-set.js';

/** Longer addresses are not pages anyone links to by hand; they are left out rather than stored. */
export const MAX_URL_LENGTH = 8192;

/** Why a link was not queued: each URL is counted once, the first time it is judged. */
export type Verdict = 'queued' | 'seen' | 'out-of-scope' | 'excluded' | 'robots' | 'not-html';

export interface FrontierCounts {
  /** Distinct URLs judged: queued or left out. */
  discovered: number;
  queued: number;
  visited: number;
  failed: number;
  'out-of-scope': number;
  excluded: number;
  robots: number;
  'not-html': number;
}

/**
 * What a crawl has seen and what it still has to visit: every URL judged once (kept as a hash),
 * the ones to visit in a packed first-in-first-out queue, and how many went which way.
 */
export class Frontier {
  private readonly seen = new UrlSet();
  private readonly queue = new UrlQueue();
  readonly counts: FrontierCounts = { discovered: 0, queued: 0, visited: 0, failed: 0, 'out-of-scope': 0, excluded: 0, robots: 0, 'not-html': 0 };

  /** Whether the URL was judged already; marks it judged. */
  firstSight(url: string): boolean {
    if (url.length > MAX_URL_LENGTH || !this.seen.add(url)) return false;
    this.counts.discovered++;
    return true;
  }

  /** Records a URL seen for the first time as left out, for the reason given. */
  leaveOut(reason: Exclude<Verdict, 'queued' | 'seen'>): void {
    this.counts[reason]++;
  }

  /** Queues a URL seen for the first time; `referrer` is the position of the page that linked to it (-1 for a seed). */
  enqueue(url: string, depth: number, referrer: number): void {
    this.queue.push(url, depth, referrer);
    this.counts.queued++;
  }

  /** Marks a page's final address (after redirects) seen, so a link to it is not visited again. */
  markSeen(url: string): void {
    if (url.length <= MAX_URL_LENGTH && this.seen.add(url)) this.counts.discovered++;
  }

  next(): QueuedUrl | undefined {
    return this.queue.shift();
  }

  get waiting(): number {
    return this.queue.waiting;
  }
}
