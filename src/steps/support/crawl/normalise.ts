import { globToRegExp } from '../glob.js';

export interface NormaliseOptions {
  /** Query parameters to drop, as names or globs such as `utm_*`. */
  dropQuery?: string[];
  /** Sort the query parameters, so `?b=1&a=2` and `?a=2&b=1` are one page. */
  sortQuery?: boolean;
}

export type Normaliser = (href: string, base?: string) => string | undefined;

/**
 * One spelling per page, so each is visited once: the fragment dropped, the host lower-cased
 * and the default port dropped (both done by the URL parser), chosen query parameters dropped,
 * the query sorted if asked. Only http(s) addresses are pages; anything else gives undefined.
 */
export function normaliser(options: NormaliseOptions = {}): Normaliser {
  const drop = (options.dropQuery ?? []).map((pattern) => globToRegExp(pattern, 'i'));
  return (href, base) => {
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    if (url.search && (drop.length || options.sortQuery)) {
      const params = [...url.searchParams].filter(([name]) => !drop.some((pattern) => pattern.test(name)));
      if (options.sortQuery) params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      url.search = new URLSearchParams(params).toString();
    }
    return url.href;
  };
}
