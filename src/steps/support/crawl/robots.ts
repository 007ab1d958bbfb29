/** The name flow's crawler answers to in robots.txt groups; `*` groups apply when none names it. */
const AGENT = 'flow';
const FETCH_TIMEOUT_MS = 10_000;

interface Rule {
  allow: boolean;
  pattern: RegExp;
  length: number;
}

export type RobotsRules = (url: URL) => boolean;

/**
 * The rules of a robots.txt (RFC 9309) for flow: the group naming flow, or else the `*` group;
 * the longest matching Allow or Disallow path wins, Allow on a tie; `*` and `$` as wildcards.
 */
export function parseRobots(text: string): RobotsRules {
  const groups = new Map<string, Rule[]>();
  let agents: string[] = [];
  let readingAgents = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^([a-z-]+)\s*:\s*(.*)$/i.exec(line);
    if (!match) continue;
    const field = match[1].toLowerCase();
    const value = match[2].trim();
    if (field === 'user-agent') {
      if (!readingAgents) agents = [];
      readingAgents = true;
      agents.push(value.toLowerCase());
      for (const agent of agents) if (!groups.has(agent)) groups.set(agent, []);
      continue;
    }
    readingAgents = false;
    if ((field === 'allow' || field === 'disallow') && value) {
      const rule = { allow: field === 'allow', pattern: pathPattern(value), length: value.length };
      for (const agent of agents) groups.get(agent)!.push(rule);
    }
  }
  const rules = groups.get(AGENT) ?? groups.get('*') ?? [];
  return (url) => {
    const path = url.pathname + url.search;
    let best: Rule | undefined;
    for (const rule of rules) {
      if (!rule.pattern.test(path)) continue;
      if (!best || rule.length > best.length || (rule.length === best.length && rule.allow)) best = rule;
    }
    return best?.allow ?? true;
  };
}

function pathPattern(path: string): RegExp {
  const anchored = path.endsWith('$');
  const body = (anchored ? path.slice(0, -1) : path)
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}${anchored ? '$' : ''}`);
}

/**
 * robots.txt of each origin, fetched once (with Node's fetch: it is read before any page opens,
 * needs no page of its own, and is not subject to the policy's request blocking). A missing
 * file (4xx) allows everything; an unreachable one (5xx, no answer) forbids everything, as
 * RFC 9309 asks, and says so.
 */
export class RobotsCache {
  private readonly byOrigin = new Map<string, Promise<RobotsRules>>();

  constructor(private readonly log: (message: string) => void) {}

  async allows(url: URL): Promise<boolean> {
    let rules = this.byOrigin.get(url.origin);
    if (!rules) this.byOrigin.set(url.origin, (rules = this.fetch(url.origin)));
    return (await rules)(url);
  }

  private async fetch(origin: string): Promise<RobotsRules> {
    const address = `${origin}/robots.txt`;
    try {
      const response = await fetch(address, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
      if (response.ok) return parseRobots(await response.text());
      if (response.status < 500) return () => true;
      this.log(`${address} answered HTTP ${response.status}: no page of ${origin} is visited (robots: ignore to crawl it anyway)`);
    } catch (error) {
      this.log(`${address} could not be read (${(error as Error).message}): no page of ${origin} is visited (robots: ignore to crawl it anyway)`);
    }
    return () => false;
  }
}
