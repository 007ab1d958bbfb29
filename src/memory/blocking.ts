import type { CDPSession, Page } from 'playwright-core';
import type { ResourceType } from '../policy/settings.js';

/**
 * File endings by resource type. Chromium checks `Network.setBlockedURLs` patterns itself, so
 * a blocked request never reaches Node; `page.route` would pause every request instead and
 * turn the HTTP cache off (see NOTES.md). What the endings miss (an image at /image?id=7, a
 * stylesheet at /css2?family=...) is caught by intercepting only requests of the blocked types,
 * each one a round trip to Node that fails it.
 */
const ENDINGS: Partial<Record<ResourceType, string[]>> = {
  image: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'apng'],
  media: ['mp4', 'webm', 'ogg', 'ogv', 'mp3', 'wav', 'm4a', 'm4v', 'mov', 'aac', 'flac', 'm3u8', 'mpd'],
  font: ['woff', 'woff2', 'ttf', 'otf', 'eot'],
  stylesheet: ['css'],
  script: ['js', 'mjs'],
};

/** CDP's resource type names, for intercepting requests by type. */
const CDP_TYPES: Partial<Record<ResourceType, string>> = {
  image: 'Image',
  media: 'Media',
  font: 'Font',
  stylesheet: 'Stylesheet',
  script: 'Script',
  texttrack: 'TextTrack',
  xhr: 'XHR',
  fetch: 'Fetch',
  eventsource: 'EventSource',
  websocket: 'WebSocket',
  manifest: 'Manifest',
  ping: 'Ping',
  other: 'Other',
};

export interface BlockRules {
  types: readonly ResourceType[];
  urlPatterns: string[];
  interceptTypes: string[];
}

export function blockRules(types: readonly ResourceType[], urls: readonly string[]): BlockRules {
  const urlPatterns = [...urls];
  const interceptTypes: string[] = [];
  for (const type of types) {
    for (const ending of ENDINGS[type] ?? []) urlPatterns.push(`*.${ending}`, `*.${ending}?*`);
    const cdpType = CDP_TYPES[type];
    if (cdpType) interceptTypes.push(cdpType);
  }
  return { types, urlPatterns, interceptTypes };
}

export function isBlocking(rules: BlockRules): boolean {
  return rules.urlPatterns.length > 0 || rules.interceptTypes.length > 0;
}

/**
 * The type a blocked request is counted under: its own, or, when that is not a blocked type,
 * the blocked type whose file ending it has. A page's icon is requested as 'other', but
 * /favicon.ico was blocked because images were.
 */
export function blockedTypeName(cdpType: string | undefined, url: string | undefined, types: readonly ResourceType[]): string {
  const own = (cdpType ?? 'other').toLowerCase();
  if (!url || (types as readonly string[]).includes(own)) return own;
  const ending = /\.(\w+)$/.exec(pathOf(url))?.[1]?.toLowerCase();
  return types.find((type) => ending && ENDINGS[type]?.includes(ending)) ?? own;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/**
 * Applies the rules to one page through its own CDP session and counts each blocked request
 * by type through `onBlocked` (Chromium reports both kinds as failed with ERR_BLOCKED_BY_CLIENT).
 */
export async function applyBlocking(page: Page, rules: BlockRules, onBlocked: (type: string) => void): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  // Addresses of requests whose type is not blocked, to count them by file ending if they are.
  const urls = new Map<string, string>();
  session.on('Network.requestWillBeSent', (event) => {
    if (!(rules.types as readonly string[]).includes((event.type ?? 'other').toLowerCase())) urls.set(event.requestId, event.request.url);
  });
  session.on('Network.loadingFinished', (event) => urls.delete(event.requestId));
  session.on('Network.loadingFailed', (event) => {
    const url = urls.get(event.requestId);
    urls.delete(event.requestId);
    if (event.blockedReason || event.errorText === 'net::ERR_BLOCKED_BY_CLIENT') onBlocked(blockedTypeName(event.type, url, rules.types));
  });
  await session.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
  if (rules.urlPatterns.length) await session.send('Network.setBlockedURLs', { urls: rules.urlPatterns });
  if (rules.interceptTypes.length) {
    session.on('Fetch.requestPaused', (event) => {
      session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' }).catch(() => undefined);
    });
    await session.send('Fetch.enable', { patterns: rules.interceptTypes.map((resourceType) => ({ resourceType: resourceType as 'XHR', requestStage: 'Request' as const })) });
  }
  return session;
}
