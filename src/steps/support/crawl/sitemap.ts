import { gunzipSync } from 'node:zlib';

/** Sitemap index files may nest; past this many sitemaps read, the rest are left out (logged). */
const MAX_SITEMAPS = 1000;
const FETCH_TIMEOUT_MS = 30_000;

/**
 * Every page URL a sitemap lists, following sitemap index files, gzip-compressed or not (by
 * the .gz name or the gzip magic bytes). Read with Node's fetch: before any page opens, and
 * without the policy blocking XML or archives as a page's resources might.
 */
export async function readSitemap(address: string, log: (message: string) => void): Promise<string[]> {
  const pages: string[] = [];
  const queue = [address];
  const read = new Set<string>();
  while (queue.length) {
    const next = queue.shift()!;
    if (read.has(next)) continue;
    if (read.size >= MAX_SITEMAPS) {
      log(`read ${MAX_SITEMAPS} sitemaps; ${queue.length + 1} more are left out`);
      break;
    }
    read.add(next);
    const response = await fetch(next, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`the sitemap ${next} answered HTTP ${response.status}`);
    const xml = decode(Buffer.from(await response.arrayBuffer()), next);
    const isIndex = /<sitemapindex[\s>]/i.test(xml);
    for (const loc of locations(xml)) {
      const url = new URL(loc, next).href;
      if (isIndex) queue.push(url);
      else pages.push(url);
    }
  }
  return pages;
}

function decode(body: Buffer, address: string): string {
  const gzipped = body[0] === 0x1f && body[1] === 0x8b;
  try {
    return (gzipped ? gunzipSync(body) : body).toString('utf8');
  } catch (error) {
    throw new Error(`the sitemap ${address} looks gzip-compressed but could not be unpacked: ${(error as Error).message}`);
  }
}

/** The text of every <loc>, entities decoded. */
function locations(xml: string): string[] {
  return [...xml.matchAll(/<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]]+?)\s*(?:\]\]>)?\s*<\/loc>/gi)].map((match) =>
    match[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'"),
  );
}
