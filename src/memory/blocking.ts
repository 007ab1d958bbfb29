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
  return { urlPatterns, interceptTypes };
}

export function isBlocking(rules: BlockRules): boolean {
  return rules.urlPatterns.length > 0 || rules.interceptTypes.length > 0;
}

/** Our names for CDP's resource types, for counting what was blocked. */
export function resourceTypeName(cdpType: string | undefined): string {
  const lower = (cdpType ?? 'other').toLowerCase();
  return lower === 'xhr' ? 'xhr' : lower;
}

/**
 * Applies the rules to one page through its own CDP session and counts each blocked request
 * by type through `onBlocked` (Chromium reports both kinds as failed with ERR_BLOCKED_BY_CLIENT).
 */
export async function applyBlocking(page: Page, rules: BlockRules, onBlocked: (type: string) => void): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  session.on('Network.loadingFailed', (event) => {
    if (event.blockedReason || event.errorText === 'net::ERR_BLOCKED_BY_CLIENT') onBlocked(resourceTypeName(event.type));
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
