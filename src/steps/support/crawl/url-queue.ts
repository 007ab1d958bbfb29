/** Bytes of URL text per chunk: big enough to be few, small enough that growing never copies much. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export interface QueuedUrl {
  /** Position in the queue, from 0 in the order URLs were added: the crawl's item index. */
  index: number;
  url: string;
  depth: number;
  referrer: string | undefined;
}

/**
 * The URLs a crawl is to visit, first in first out, packed: URL text as UTF-8 in large
 * buffers, depth and referrer (the position of the page that linked here) in typed arrays.
 * About the URL's length plus 18 bytes each, not a few hundred as objects of strings would.
 * Taken entries stay, as the text of the referrers of later ones.
 */
export class UrlQueue {
  private chunks: Buffer[] = [];
  private used = CHUNK_BYTES;
  private where = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private depths = new Uint16Array(1024);
  private referrers = new Int32Array(1024);
  private count = 0;
  private head = 0;

  /** URLs added and not yet taken. */
  get waiting(): number {
    return this.count - this.head;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a URL (at most CHUNK_BYTES long) at `depth`, found on the page at position `referrer` (-1 for a seed); gives its position. */
  push(url: string, depth: number, referrer: number): number {
    const bytes = Buffer.byteLength(url);
    if (this.used + bytes > CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafe(CHUNK_BYTES));
      this.used = 0;
    }
    if (this.count === this.where.length) this.grow();
    const chunk = this.chunks.length - 1;
    this.chunks[chunk].write(url, this.used, 'utf8');
    this.where[this.count] = chunk * CHUNK_BYTES + this.used;
    this.lengths[this.count] = bytes;
    this.depths[this.count] = Math.min(depth, 0xffff);
    this.referrers[this.count] = referrer;
    this.used += bytes;
    return this.count++;
  }

  /** The next URL to visit, or undefined when none waits. */
  shift(): QueuedUrl | undefined {
    if (this.head === this.count) return undefined;
    const index = this.head++;
    const referrer = this.referrers[index];
    return { index, url: this.urlAt(index), depth: this.depths[index], referrer: referrer < 0 ? undefined : this.urlAt(referrer) };
  }

  private urlAt(index: number): string {
    const at = this.where[index];
    const chunk = Math.floor(at / CHUNK_BYTES);
    const start = at - chunk * CHUNK_BYTES;
    return this.chunks[chunk].toString('utf8', start, start + this.lengths[index]);
  }

  private grow(): void {
    const size = this.where.length * 2;
    this.where = copyInto(new Float64Array(size), this.where);
    this.lengths = copyInto(new Uint32Array(size), this.lengths);
    this.depths = copyInto(new Uint16Array(size), this.depths);
    this.referrers = copyInto(new Int32Array(size), this.referrers);
  }
}

function copyInto<T extends Float64Array | Uint32Array | Uint16Array | Int32Array>(target: T, source: T): T {
  target.set(source as never);
  return target;
}
