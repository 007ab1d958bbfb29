export type ScopeKind = 'same-origin' | 'same-host' | 'same-domain' | 'prefix';

/**
 * Second-level labels under which registries sell names (example.co.uk): without a public-suffix
 * list these are the common ones; elsewhere the registrable domain is the last two labels.
 */
const TWO_PART_SUFFIXES = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gob', 'nic', 'ltd', 'plc', 'sch', 'nhs', 'police', 'mil', 'asn', 'id']);

/** example.co.uk for shop.example.co.uk; an IP address or single label is its own domain. */
export function registrableDomain(hostname: string): string {
  if (/^[\d.]+$/.test(hostname) || hostname.startsWith('[')) return hostname;
  const labels = hostname.split('.');
  const take = labels.length >= 3 && labels.at(-1)!.length === 2 && TWO_PART_SUFFIXES.has(labels.at(-2)!) ? 3 : 2;
  return labels.slice(-take).join('.');
}

/** Whether a URL is inside the crawl, judged against its start URLs (any of them). */
export function scopeRule(kind: ScopeKind, starts: string[]): (url: URL) => boolean {
  const bases = starts.map((start) => new URL(start));
  switch (kind) {
    case 'same-origin': {
      const origins = new Set(bases.map((base) => base.origin));
      return (url) => origins.has(url.origin);
    }
    case 'same-host': {
      const hosts = new Set(bases.map((base) => base.hostname));
      return (url) => hosts.has(url.hostname);
    }
    case 'same-domain': {
      const domains = new Set(bases.map((base) => registrableDomain(base.hostname)));
      return (url) => domains.has(registrableDomain(url.hostname));
    }
    case 'prefix': {
      // Under the start's folder: /docs/intro.html starts the folder /docs/.
      const prefixes = bases.map((base) => base.origin + base.pathname.replace(/[^/]*$/, ''));
      return (url) => prefixes.some((prefix) => url.href.startsWith(prefix));
    }
  }
}
