const SERVED = '${{ serve.url }}';

/**
 * URLs as the journal keeps them: the address of the folder flow serves changes from run to run
 * (a free port), so it is written as `${{ serve.url }}` and put back on resume.
 */
export function portableUrls(servedUrl: string | undefined) {
  return {
    save: (url: string) => (servedUrl && url.startsWith(servedUrl) ? SERVED + url.slice(servedUrl.length) : url),
    load: (url: string) => (servedUrl && url.startsWith(SERVED) ? servedUrl + url.slice(SERVED.length) : url),
  };
}
