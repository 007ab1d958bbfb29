import { globToRegExp } from '../glob.js';

/**
 * A URL pattern as Playwright writes them: a glob where `**` is any text and `*` any text
 * without a slash, `{a,b}` either; or a regular expression written between slashes, `/\.html$/`.
 */
export function urlPattern(pattern: string): RegExp {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    try {
      return new RegExp(regex[1], regex[2]);
    } catch (error) {
      throw new Error(`${pattern} is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  return globToRegExp(pattern);
}

/** Whether a URL passes include (any of them, when given) and no exclude. */
export function urlFilter(include: string[] = [], exclude: string[] = []): (url: string) => boolean {
  const yes = include.map(urlPattern);
  const no = exclude.map(urlPattern);
  return (url) => (yes.length === 0 || yes.some((pattern) => pattern.test(url))) && !no.some((pattern) => pattern.test(url));
}
