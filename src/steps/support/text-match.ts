import { globToRegExp } from './glob.js';

/**
 * How a URL or a title is matched: text it contains, a glob when it holds `*` (`**` crosses
 * slashes), or a regular expression written between slashes, such as /orders\/\d+$/i.
 */
export interface TextPattern {
  test(text: string): boolean;
  /** Says what is expected, for messages: `contain "/checkout"`, `match /\d+/`. */
  readonly wording: string;
}

const REGEX_FORM = /^\/(.+)\/([dgimsuvy]*)$/s;

export function regexFrom(pattern: string): RegExp {
  const written = REGEX_FORM.exec(pattern);
  try {
    // Without g and y: a test must not depend on where the previous one stopped.
    return written ? new RegExp(written[1], written[2].replace(/[gy]/g, '')) : new RegExp(pattern);
  } catch (error) {
    throw new Error(`${pattern} is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

export function textPattern(pattern: string): TextPattern {
  if (REGEX_FORM.test(pattern)) {
    const regex = regexFrom(pattern);
    return { test: (text) => regex.test(text), wording: `match ${pattern}` };
  }
  if (pattern.includes('*')) {
    const regex = globToRegExp(pattern);
    return { test: (text) => regex.test(text), wording: `match ${pattern}` };
  }
  return { test: (text) => text.includes(pattern), wording: `contain "${pattern}"` };
}


/** Text as a reader sees it: runs of spaces and line breaks count as one space. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
