import type { Frontier } from './frontier.js';
import { isNonHtmlUrl } from './non-html.js';
import type { Normaliser } from './normalise.js';
import type { RobotsCache } from './robots.js';

export interface LinkRules {
  normalise: Normaliser;
  inScope(url: URL): boolean;
  /** include / exclude patterns. */
  passes(url: string): boolean;
  /** Absent with robots: ignore. */
  robots?: RobotsCache;
}

/**
 * Judges a link once: its normalised URL when it is to be visited, undefined when it was seen
 * before or is left out (counted by reason in the frontier). Marked seen before robots.txt is
 * awaited, so two pages linking to it at once do not both queue it.
 */
export async function admit(frontier: Frontier, rules: LinkRules, href: string, base?: string): Promise<string | undefined> {
  const normalised = rules.normalise(href, base);
  if (!normalised || !frontier.firstSight(normalised)) return undefined;
  const url = new URL(normalised);
  if (!rules.inScope(url)) return leftOut(frontier, 'out-of-scope');
  if (!rules.passes(normalised)) return leftOut(frontier, 'excluded');
  if (isNonHtmlUrl(url)) return leftOut(frontier, 'not-html');
  if (rules.robots && !(await rules.robots.allows(url))) return leftOut(frontier, 'robots');
  return normalised;
}

function leftOut(frontier: Frontier, reason: 'out-of-scope' | 'excluded' | 'not-html' | 'robots'): undefined {
  frontier.leaveOut(reason);
  return undefined;
}
