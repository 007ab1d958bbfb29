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

/** A glob as a regular expression matching the whole text. */
export function globToRegExp(glob: string, flags = ''): RegExp {
  let source = '';
  let inBraces = false;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '{') {
      source += '(?:';
      inBraces = true;
    } else if (char === '}' && inBraces) {
      source += ')';
      inBraces = false;
    } else if (char === ',' && inBraces) source += '|';
    else source += char.replace(/[.+?^$()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, flags);
}

/** Whether a URL passes include (any of them, when given) and no exclude. */
export function urlFilter(include: string[] = [], exclude: string[] = []): (url: string) => boolean {
  const yes = include.map(urlPattern);
  const no = exclude.map(urlPattern);
  return (url) => (yes.length === 0 || yes.some((pattern) => pattern.test(url))) && !no.some((pattern) => pattern.test(url));
}
