import { HashSet64 } from '../hash-set.js';

/**
 * The URLs a crawl has seen, kept as 64-bit hashes (HashSet64), not as strings. Two different
 * URLs share a hash with odds of about 1 in 20 million at 1,000,000 URLs; the later one would
 * be taken for seen.
 */
export class UrlSet {
  private readonly hashes = new HashSet64();

  get size(): number {
    return this.hashes.size;
  }

  /** Adds the URL; false when it was there already. */
  add(url: string): boolean {
    const [high, low] = hash(url);
    return this.hashes.add(high, low);
  }

  has(url: string): boolean {
    const [high, low] = hash(url);
    return this.hashes.has(high, low);
  }
}

/** Two independent 32-bit FNV-1a style hashes of the text; the low word is never 0. */
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
