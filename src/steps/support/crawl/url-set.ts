/**
 * The URLs a crawl has seen, kept as 64-bit hashes in one typed array (open addressing, linear
 * probing): 11 to 23 bytes a URL, where a Set of strings costs about 100. Two different URLs
 * share a hash with odds of about 1 in 20 million at 1,000,000 URLs; the later one would be
 * taken for seen.
 */
export class UrlSet {
  private slots = new Uint32Array(2 * 1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the URL; false when it was there already. */
  add(url: string): boolean {
    const [high, low] = hash(url);
    if (this.count * 10 >= (this.slots.length / 2) * 7) this.grow();
    return this.place(high, low);
  }

  has(url: string): boolean {
    const [high, low] = hash(url);
    const mask = this.slots.length / 2 - 1;
    for (let slot = high & mask; ; slot = (slot + 1) & mask) {
      const h = this.slots[2 * slot];
      const l = this.slots[2 * slot + 1];
      if (l === 0) return false;
      if (h === high && l === low) return true;
    }
  }

  private place(high: number, low: number): boolean {
    const mask = this.slots.length / 2 - 1;
    for (let slot = high & mask; ; slot = (slot + 1) & mask) {
      const l = this.slots[2 * slot + 1];
      if (l === 0) {
        this.slots[2 * slot] = high;
        this.slots[2 * slot + 1] = low;
        this.count++;
        return true;
      }
      if (l === low && this.slots[2 * slot] === high) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.place(old[i], old[i + 1]);
  }
}

/** Two independent 32-bit FNV-1a style hashes of the text; the low word is never 0 (0 marks a free slot). */
function hash(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  return [a >>> 0, (b | 1) >>> 0];
}
