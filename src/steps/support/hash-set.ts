/**
 * A set of 64-bit hashes (two 32-bit words) in one typed array, open addressing with linear
 * probing: 11 to 23 bytes an entry, where a Set of strings costs about 100. The low word is
 * never 0 (0 marks a free slot): callers make it odd or otherwise non-zero.
 */
export class HashSet64 {
  private slots = new Uint32Array(2 * 1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the hash; false when it was there already. */
  add(high: number, low: number): boolean {
    if (this.count * 10 >= (this.slots.length / 2) * 7) this.grow();
    return this.place(high >>> 0, low >>> 0);
  }

  has(high: number, low: number): boolean {
    high >>>= 0;
    low >>>= 0;
    const mask = this.slots.length / 2 - 1;
    for (let slot = high & mask; ; slot = (slot + 1) & mask) {
      const l = this.slots[2 * slot + 1];
      if (l === 0) return false;
      if (l === low && this.slots[2 * slot] === high) return true;
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
