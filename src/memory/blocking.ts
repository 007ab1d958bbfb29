import type { CDPSession, Page } from 'playwright-core';
import { pageCdpSession } from '../browser/page-cdp.js';
import type { ResourceType } from '../policy/settings.js';
import { BUDGET_BLOCK_TYPES } from './rules/budget.js';

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
  texttrack: ['vtt', 'srt', 'ttml', 'dfxp'],
  manifest: ['webmanifest'],
};

/**
 * CDP's resource type names, for intercepting requests by type. Chromium's Fetch filter refuses
 * TextTrack, Manifest and WebSocket ("Unknown resource type in fetch filter"), and refusing one
 * pattern fails every page: text tracks and manifests are blocked by their endings alone, and
 * WebSockets by Playwright's WebSocket routing, since no CDP block reaches them.
 */
const CDP_TYPES: Partial<Record<ResourceType, string>> = {
  image: 'Image',
  media: 'Media',
  font: 'Font',
  stylesheet: 'Stylesheet',
  script: 'Script',
  xhr: 'XHR',
  fetch: 'Fetch',
  eventsource: 'EventSource',
  ping: 'Ping',
  other: 'Other',
};

export interface BlockRules {
  types: readonly ResourceType[];
  urlPatterns: string[];
  interceptTypes: string[];
  webSockets: boolean;
}

export function blockRules(types: readonly ResourceType[], urls: readonly string[]): BlockRules {
  const urlPatterns = [...urls];
  const interceptTypes: string[] = [];
  for (const type of types) {
    for (const ending of ENDINGS[type] ?? []) urlPatterns.push(`*.${ending}`, `*.${ending}?*`);
    const cdpType = CDP_TYPES[type];
    if (cdpType) interceptTypes.push(cdpType);
  }
  return { types, urlPatterns, interceptTypes, webSockets: types.includes('websocket') };
}

export function isBlocking(rules: BlockRules): boolean {
  return rules.urlPatterns.length > 0 || rules.interceptTypes.length > 0 || rules.webSockets;
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

/** Playwright's names of the types the budget may block: counted in every page it watches. */
const BLOCKABLE_TYPES = new Set<string>(BUDGET_BLOCK_TYPES);

interface PageBlock {
  page: Page;
  cdp: CDPSession;
  /** The rules sent last, and the chain of sends: each send reads the rules when its turn comes, so the last one sent is the newest. */
  sent?: BlockRules;
  queue: Promise<void>;
  intercepting: boolean;
  socketsRouted: boolean;
}

export interface PageBlockingOptions {
  /** Rules may be added while the run goes (the budget may block images, media and fonts): the requests that blocking could save are counted, and pages open when a block comes get it. */
  mayGrow: boolean;
  /** A request the rules blocked, by type (Chromium reports both kinds as failed with ERR_BLOCKED_BY_CLIENT). */
  onBlocked(page: Page, type: string): void;
}

/**
 * The run's block rules, applied to each page through a CDP session of its own. The rules can
 * grow while the run goes: pages prepared after get the new ones, and pages open get them on
 * their session at once. A page gets a session only once something is blocked: a session with
 * the network domain on makes Chromium build every request's events twice, and blocking by
 * type routes every request through its interceptor (300 light pages at 8 at a time: 11.1 s
 * plain, 12.0 s with images, media and fonts blocked, most of it Chromium's CPU). Until then
 * the budget counts what blocking could save from Playwright's own request events, which cost
 * Chromium nothing more.
 */
export class PageBlocking {
  private rules: BlockRules;
  /** Pages prepared and still open, with the budget watching. */
  private readonly open = new Set<Page>();
  /** Pages blocking has reached or is reaching: their session, once attached. */
  private readonly blocked = new Map<Page, Promise<PageBlock>>();
  private blockable = 0;

  constructor(
    private readonly urls: readonly string[],
    types: readonly ResourceType[],
    private readonly options: PageBlockingOptions,
  ) {
    this.rules = blockRules(types, urls);
  }

  /** The types blocked now. */
  get types(): readonly ResourceType[] {
    return this.rules.types;
  }

  /** Requests for images, media and fonts the pages made, blocked or not: what blocking them could save. */
  get blockableRequests(): number {
    return this.blockable;
  }

  async prepare(page: Page): Promise<void> {
    if (!isBlocking(this.rules) && !this.options.mayGrow) return;
    if (this.options.mayGrow) {
      page.on('request', (request) => {
        if (BLOCKABLE_TYPES.has(request.resourceType())) this.blockable++;
      });
      this.open.add(page);
    }
    page.once('close', () => {
      this.open.delete(page);
      this.blocked.delete(page);
    });
    if (isBlocking(this.rules)) await this.block(page);
  }

  /** Sends the page the rules, on a session attached once: a block that comes while the page is being prepared must not attach it twice. */
  private block(page: Page): Promise<void> {
    let reached = this.blocked.get(page);
    if (!reached) {
      reached = this.attach(page);
      this.blocked.set(page, reached);
    }
    return reached.then((entry) => this.send(entry));
  }

  private async attach(page: Page): Promise<PageBlock> {
    const cdp = await pageCdpSession(page);
    // Addresses of requests whose type is not blocked, to count them by file ending if they are.
    const urls = new Map<string, string>();
    cdp.on('Network.requestWillBeSent', (event) => {
      if (!(this.rules.types as readonly string[]).includes((event.type ?? 'other').toLowerCase())) urls.set(event.requestId, event.request.url);
    });
    cdp.on('Network.loadingFinished', (event) => urls.delete(event.requestId));
    cdp.on('Network.loadingFailed', (event) => {
      const url = urls.get(event.requestId);
      urls.delete(event.requestId);
      if (event.blockedReason || event.errorText === 'net::ERR_BLOCKED_BY_CLIENT') this.options.onBlocked(page, blockedTypeName(event.type, url, this.rules.types));
    });
    const entry: PageBlock = { page, cdp, queue: cdp.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 }).then(() => undefined), intercepting: false, socketsRouted: false };
    return entry;
  }

  /** Blocks these types too, from now on, in every page; resolves once the pages open have the new rules. */
  async add(types: readonly ResourceType[]): Promise<void> {
    const added = types.filter((type) => !this.rules.types.includes(type));
    if (!added.length) return;
    this.rules = blockRules([...this.rules.types, ...added], this.urls);
    const pages = new Set([...this.open, ...this.blocked.keys()]);
    // A page that closes meanwhile takes its session with it: nothing left to block there.
    await Promise.all([...pages].map((page) => this.block(page).catch(() => undefined)));
  }

  private send(entry: PageBlock): Promise<void> {
    entry.queue = entry.queue.then(() => this.apply(entry));
    return entry.queue;
  }

  private async apply(entry: PageBlock): Promise<void> {
    const { page, cdp, sent } = entry;
    const rules = this.rules;
    if (rules === sent) return;
    if (rules.webSockets && !entry.socketsRouted) {
      // The page's side of the socket is closed before it connects: the server never hears of it.
      await page.routeWebSocket(
        () => true,
        (route) => {
          this.options.onBlocked(page, 'websocket');
          route.close({ code: 1008, reason: 'blocked by flow' }).catch(() => undefined);
        },
      );
      entry.socketsRouted = true;
    }
    if (rules.urlPatterns.length || sent?.urlPatterns.length) await cdp.send('Network.setBlockedURLs', { urls: rules.urlPatterns });
    if (rules.interceptTypes.length) {
      if (!entry.intercepting) {
        cdp.on('Fetch.requestPaused', (event) => {
          cdp.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' }).catch(() => undefined);
        });
        entry.intercepting = true;
      }
      // Enabling again replaces the patterns.
      await cdp.send('Fetch.enable', { patterns: rules.interceptTypes.map((resourceType) => ({ resourceType: resourceType as 'XHR', requestStage: 'Request' as const })) });
    }
    entry.sent = rules;
  }
}
