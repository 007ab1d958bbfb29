// What the benchmarks' hand-written crawlers (bench/bare-crawl.mjs, bench/crawlee/crawl.mjs) do
// alike, so that they visit the pages flow's crawl step visits (bench/site-crawl.yaml): the same
// Chromium flags, the same normalisation, the same scope, and the same rule for which answers
// are pages.

/** As root Chromium needs --no-sandbox; the rest stop it dialling hosts this network refuses. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const NOT_PAGES = new Set('pdf doc docx xls xlsx png jpg jpeg gif webp svg zip gz tar mp3 mp4 css js json xml csv txt'.split(' '));

/** As flow with `dropQuery: [utm_*]`: fragment and utm_* dropped, host lower-cased and default port dropped by the URL parser; undefined for what is not http(s). */
export function normalise(href, base) {
  let url;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  if (url.search) {
    const params = [...url.searchParams].filter(([name]) => !name.toLowerCase().startsWith('utm_'));
    url.search = new URLSearchParams(params).toString();
  }
  return url.href;
}

/** Whether a normalised URL is to be visited from `start`: the same origin, and not a file that is not a page by its extension. */
export function inScope(href, start) {
  const url = new URL(href);
  const dot = url.pathname.lastIndexOf('.');
  const extension = dot > url.pathname.lastIndexOf('/') ? url.pathname.slice(dot + 1).toLowerCase() : '';
  return url.origin === new URL(start).origin && !NOT_PAGES.has(extension);
}

/** As flow's crawl: a page is an answer below 400 that is HTML (or says nothing of its type); a 4xx, a 5xx or another type is not recorded. */
export function isPageAnswer(response) {
  const status = response?.status() ?? 200;
  const type = (response?.headers()['content-type'] ?? 'text/html').split(';')[0].trim().toLowerCase();
  return status < 400 && (type === 'text/html' || type === 'application/xhtml+xml');
}

/** Playwright's error for a navigation that turned into a download: not a page, and not worth trying again. */
export const isDownload = (error) => /Download is starting/i.test(String(error?.message ?? error));
