import type { Frontier, Verdict } from './frontier.js';
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

export type LeftOut = Exclude<Verdict, 'queued' | 'seen'>;

/**
 * Judges a link once: its normalised URL and whether it is to be visited (queued) or why not
 * (counted by reason in the frontier); undefined when it was seen before or is no web address.
 * Marked seen before robots.txt is awaited, so two pages linking to it at once do not both
 * queue it.
 */
export async function admit(frontier: Frontier, rules: LinkRules, href: string, base?: string): Promise<{ url: string; verdict: 'queued' | LeftOut } | undefined> {
  const normalised = rules.normalise(href, base);
  if (!normalised || !frontier.firstSight(normalised)) return undefined;
  const url = new URL(normalised);
  const verdict = !rules.inScope(url) ? 'out-of-scope' : !rules.passes(normalised) ? 'excluded' : isNonHtmlUrl(url) ? 'not-html' : rules.robots && !(await rules.robots.allows(url)) ? 'robots' : 'queued';
  if (verdict !== 'queued') frontier.leaveOut(verdict);
  return { url: normalised, verdict };
}
