/**
 * A glob as Playwright writes URL patterns, as a regular expression matching the whole text:
 * `**` is any text, `*` any text without a slash, `{a,b}` either. One converter for every step
 * that matches a URL (wait, assert, crawl).
 */
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
