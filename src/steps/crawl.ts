import type { Page } from 'playwright-core';
import type { ItemShare, Lease } from '../distribute/types.js';
import { durationSchema, orExpression, stepsRef, type JsonSchema } from '../runner/json-schema.js';
import { parseDuration } from '../runner/duration.js';
import { Frontier } from './support/crawl/frontier.js';
import { admit, type LeftOut, type LinkRules } from './support/crawl/links.js';
import { loadPage } from './support/crawl/load-page.js';
import { extension } from './support/crawl/non-html.js';
import { normaliser } from './support/crawl/normalise.js';
import { pageLinks } from './support/crawl/page-links.js';
import { urlFilter } from './support/crawl/patterns.js';
import { HostPacer } from './support/crawl/politeness.js';
import { portableUrls } from './support/crawl/portable.js';
import { RobotsCache } from './support/crawl/robots.js';
import { scopeRule, type ScopeKind } from './support/crawl/scope.js';
import { readSitemap } from './support/crawl/sitemap.js';
import type { QueuedUrl } from './support/crawl/url-queue.js';
import { clip } from './support/names.js';
import { defineStep, type StepContext, type StepNode, type StepSection } from './types.js';

const DEFAULT_MAX_FAILED = '10%';
/** Failed pages named again in the closing summary and the report; each was logged when it failed. */
const FAILED_LISTED = 20;
/** A page to visit; taken from a queue shared with other workers, it comes with its lease. */
type Entry = QueuedUrl & { lease?: Lease };
/** The live view and the journal get the crawl's figures at most this often (and at its end). */
const SECTION_EVERY_MS = 1000;

interface CrawlParams {
  start?: string | string[];
  sitemap?: string | string[];
  follow?: string | string[];
  scope?: ScopeKind;
  include?: string | string[];
  exclude?: string | string[];
  maxDepth?: number;
  maxPages?: number;
  dropQuery?: string[];
  sortQuery?: boolean;
  concurrency?: number;
  delay?: number | string;
  robots?: 'respect' | 'ignore';
  retries?: number;
  continueOnError?: boolean;
  maxFailed?: number | string;
  files?: 'skip' | 'record';
}

type Judged = { urls: string[]; left: Partial<Record<LeftOut, string[]>> };

/**
 * The links a page led to that were judged for the first time, as the journal notes them:
 * every URL judged is in one note, so a resume knows it judged and counts it once.
 */
interface QueuedNote extends Judged {
  /** The page's position (-1: the start pages and the sitemap). */
  from: number;
  depth: number;
}

const urlsSchema = (description: string, examples: unknown[]): JsonSchema =>
  orExpression({ description, examples, anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] });

const patternsSchema = (description: string, examples: unknown[]): JsonSchema => ({
  description,
  examples,
  anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }],
});

export default defineStep<CrawlParams>({
  kind: 'crawl',
  summary: 'Visit a site page by page from start URLs or a sitemap, following its links within a scope, and run steps on every page.',
  navigates: true,
  records: (params) => (params.files === 'record' ? ['file', 'type', 'linkedFrom', 'depth'] : []),
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['steps'],
    properties: {
      start: urlsSchema('Where the crawl starts: one URL, a list, or an expression. The scope is judged against these.', ['${{ serve.url }}/index.html', ['https://example.com/docs/', 'https://example.com/blog/']]),
      sitemap: urlsSchema('A sitemap.xml (or a sitemap index, or a .gz of either) whose page URLs start the crawl too.', ['${{ serve.url }}/sitemap.xml']),
      follow: patternsSchema('Which links to follow: CSS selectors of elements with an href. Default a[href], every link.', ['nav a, main a', ['a.next', 'a.product-link']]),
      scope: {
        enum: ['same-origin', 'same-host', 'same-domain', 'prefix'],
        description:
          'Which links stay in the crawl: same-origin (default: scheme, host and port of a start URL), same-host (any scheme or port), same-domain (sub-domains too: shop.example.co.uk and www.example.co.uk), prefix (under the folder of a start URL).',
        examples: ['prefix'],
      },
      include: patternsSchema('Only URLs matching one of these are visited: globs (** any text, * any text without /) or regular expressions written /.../.', ['**/products/**', '/\\/item-\\d+\\.html$/']),
      exclude: patternsSchema('URLs matching any of these are not visited (globs or /regular expressions/).', ['**/private/**', ['**/*.php', '/\\?print=/']]),
      maxDepth: orExpression({ type: 'integer', minimum: 0, description: 'How many links away from a start URL to go: 0 visits the start pages only. Default: no limit.', examples: [3] }),
      maxPages: orExpression({ type: 'integer', minimum: 1, description: 'Visit at most this many pages. Default: no limit.', examples: [500] }),
      dropQuery: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Query parameters that do not change the page, removed before URLs are compared: names or globs.', examples: [['utm_*', 'sessionid']] },
      sortQuery: { type: 'boolean', description: 'Sort query parameters before URLs are compared, so ?a=1&b=2 and ?b=2&a=1 are one page. Default false.', examples: [true] },
      concurrency: orExpression({ type: 'integer', minimum: 1, description: "How many pages are crawled at once, each in a page of its own. Default 1 (on the current page); capped by the policy's page limit.", examples: [2] }),
      delay: { ...durationSchema, description: 'The least time between two visits to the same host, however many pages run at once. Default 0.', examples: ['500ms', '2s'] },
      robots: { enum: ['respect', 'ignore'], description: "respect (default): pages a site's robots.txt forbids are not visited. ignore: crawl them anyway (only on sites you own or may crawl).", examples: ['ignore'] },
      retries: orExpression({ type: 'integer', minimum: 0, description: 'More attempts, waiting longer each time, for a page that does not load or answers a server error (5xx). Default 2.', examples: [3] }),
      continueOnError: { type: 'boolean', description: 'Go on past a page that failed (logged and counted). Default true; false stops the crawl at the first failed page.', examples: [false] },
      maxFailed: {
        description: `How many pages may fail before the crawl fails after all: a count, or a share of the pages visited such as "5%". Default ${DEFAULT_MAX_FAILED}.`,
        examples: ['5%', 20],
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$' },
        ],
      },
      files: {
        enum: ['skip', 'record'],
        description:
          'Links to files that are not web pages (PDF, pictures, archives, ...) are never opened. skip (default): they are only counted. record: each is written to the dataset once, as { file, type, linkedFrom, depth }.',
        examples: ['record'],
      },
      steps: { ...stepsRef, description: 'The steps run on every page, once it is loaded; url, depth (0 for a start page) and referrer (the page that linked here, null for a start page) are set.' },
    },
  },
  examples: [
    { start: '${{ serve.url }}/index.html', maxDepth: 3, exclude: '**/private/**', steps: [{ extract: { fields: { title: 'h1' }, add: { url: '${{ url }}' } } }] },
    { sitemap: 'https://example.com/sitemap.xml', scope: 'same-domain', concurrency: 2, delay: '500ms', dropQuery: ['utm_*'], maxPages: 1000, steps: [{ extract: { fields: { title: 'title', heading: 'h1' } } }] },
  ],
  blocks: ['steps'],
  scope: () => ['url', 'depth', 'referrer'],
  title: (params) => `crawl ${clip(String(params.start ?? params.sitemap))}`,
  async run(params, ctx, node) {
    const crawl = await Crawl.begin(params, ctx);
    await crawl.run(node.blocks.steps ?? []);
  },
});

/** One crawl as it runs: its rules, its frontier, its lanes. */
class Crawl {
  private readonly frontier = new Frontier();
  private readonly urls: ReturnType<typeof portableUrls>;
  private readonly pacer: HostPacer;
  private readonly failedPages: Array<{ url: string; text: string }> = [];
  private lastSection = 0;
  /**
   * In a resumed run, the pages whose links were judged and noted before it stopped, with the
   * files among them: a page done again replays its note rather than judging its links anew.
   */
  private readonly noted = new Map<number, string[]>();
  private taken = 0;
  private readonly startedAt = performance.now();
  /** Pages visited at each depth, for the closing summary. */
  private readonly byDepth: number[] = [];
  private resumedSkips = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private stop = false;
  /** Alone, or a shard (every shard loads every page for its links, and runs the steps on its own share), or a worker of a shared queue. */
  private readonly share: ItemShare;

  private constructor(
    private readonly params: CrawlParams,
    private readonly ctx: StepContext,
    private readonly rules: LinkRules,
  ) {
    this.pacer = new HostPacer(params.delay === undefined ? 0 : parseDuration(params.delay));
    this.urls = portableUrls((ctx.get('serve') as { url?: string } | undefined)?.url);
    this.share = ctx.share({ limit: params.maxPages === undefined ? undefined : Number(params.maxPages) });
  }

  static async begin(params: CrawlParams, ctx: StepContext): Promise<Crawl> {
    const starts = list(params.start).map((start) => absoluteUrl(start, 'start'));
    const sitemaps = list(params.sitemap).map((sitemap) => absoluteUrl(sitemap, 'sitemap'));
    if (!starts.length && !sitemaps.length) throw new Error('say where the crawl starts: start: (a URL or a list) or sitemap: (a sitemap.xml URL)');
    const rules: LinkRules = {
      normalise: normaliser({ dropQuery: params.dropQuery, sortQuery: params.sortQuery }),
      inScope: scopeRule(params.scope ?? 'same-origin', starts.length ? starts : sitemaps),
      passes: urlFilter(list(params.include), list(params.exclude)),
      robots: params.robots === 'ignore' ? undefined : new RobotsCache((message) => ctx.log(message)),
    };
    const crawl = new Crawl(params, ctx, rules);
    await crawl.seed(starts, sitemaps);
    return crawl;
  }

  /**
   * The frontier as it was: a resumed run takes the seeds and every batch of links queued
   * before it stopped from the journal's notes, in the order they were queued, so each URL gets
   * its old place; pages that were finished are then skipped by their item, queuing nothing.
   */
  private async seed(starts: string[], sitemaps: string[]): Promise<void> {
    const notes = this.ctx.notes();
    const noted = notes.find((note) => note.kind === 'seeds');
    if (noted) {
      for (const url of noted.data as string[]) this.queueJudged(this.urls.load(url), 0, -1);
      const { counts } = this.frontier;
      for (const note of notes) {
        if (note.kind !== 'queued') continue;
        const batch = note.data as QueuedNote;
        for (const url of batch.urls) this.queueJudged(this.urls.load(url), batch.depth, batch.from);
        for (const [reason, urls] of Object.entries(batch.left) as Array<[LeftOut, string[]]>) {
          for (const url of urls) if (this.frontier.firstSight(this.urls.load(url))) counts[reason]++;
        }
        this.noted.set(batch.from, (batch.left['not-html'] ?? []).map(this.urls.load));
      }
      this.ctx.log(`resuming the crawl: ${this.frontier.counts.queued} pages known from the journal`);
      return;
    }
    const candidates = [...starts];
    for (const sitemap of sitemaps) {
      const pages = await readSitemap(sitemap, (message) => this.ctx.log(message));
      this.ctx.log(`the sitemap ${sitemap} lists ${pages.length} pages`);
      candidates.push(...pages);
    }
    const judged = await this.judge(candidates);
    await this.enqueue(judged.urls, 0);
    this.ctx.note('seeds', judged.urls.map(this.urls.save));
    this.noteBatch(-1, 0, { urls: [], left: judged.left });
    for (const file of judged.left['not-html'] ?? []) await this.recordFile(this.ctx, file, null, 0);
  }

  /** Judges links seen for the first time: the ones to visit, and the ones left out, by reason. */
  private async judge(hrefs: string[], base?: string): Promise<Judged> {
    const urls: string[] = [];
    const left: Judged['left'] = {};
    for (const href of hrefs) {
      const judged = await admit(this.frontier, this.rules, href, base);
      if (!judged) continue;
      if (judged.verdict === 'queued') urls.push(judged.url);
      else (left[judged.verdict] ??= []).push(judged.url);
    }
    return { urls, left };
  }

  /** Notes a page's newly judged links, when it had any: what a resume needs to rebuild the queue, the counts and the files. */
  private noteBatch(from: number, depth: number, judged: Judged): void {
    if (!judged.urls.length && !Object.keys(judged.left).length) return;
    const left = Object.fromEntries(Object.entries(judged.left).map(([reason, urls]) => [reason, urls.map(this.urls.save)]));
    this.ctx.note('queued', { from, depth, urls: judged.urls.map(this.urls.save), left } satisfies QueuedNote);
  }

  /**
   * With files: record, a link to a file as a record: once in the run (unique by file), however
   * many pages link to it and however often a page is done again.
   */
  private async recordFile(ctx: StepContext, file: string, linkedFrom: string | null, depth: number, type = extension(new URL(file))): Promise<void> {
    if (this.params.files === 'record') await ctx.emit({ file, type, linkedFrom, depth }, { unique: ['file'] });
  }

  private queueJudged(url: string, depth: number, referrer: number): void {
    if (this.frontier.firstSight(url)) this.frontier.enqueue(url, depth, referrer);
  }

  async run(steps: StepNode[]): Promise<void> {
    const asked = Number(this.params.concurrency ?? 1);
    if (asked > this.ctx.maxPages) this.ctx.log(`crawling ${this.ctx.maxPages} pages at a time, not ${asked}: the memory policy allows ${this.ctx.maxPages} pages`);
    const lanes = Math.max(1, Math.min(asked, this.ctx.maxPages));
    if (lanes === 1) await this.work(this.ctx, steps);
    else {
      const results = await Promise.allSettled(Array.from({ length: lanes }, () => this.ctx.inNewLane((lane) => this.work(lane, steps))));
      const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (rejected) throw rejected.reason;
    }
    this.summarise();
  }

  /** One lane: takes the next queued page until none is left and no other lane can find more. */
  private async work(lane: StepContext, steps: StepNode[]): Promise<void> {
    const maxPages = this.params.maxPages === undefined ? Infinity : Number(this.params.maxPages);
    for (;;) {
      if (this.stop || this.ctx.signal.aborted) return;
      const entry: Entry | undefined = this.share.queue ? await this.takeShared() : this.taken < maxPages ? this.frontier.next() : undefined;
      if (!entry) {
        // A shared queue's take waits for other workers itself: nothing from it means the crawl is done.
        if (this.share.queue || this.inFlight === 0) return this.wakeAll();
        await new Promise<void>((resolve) => (this.wake = chain(this.wake, resolve)));
        continue;
      }
      this.taken++;
      this.inFlight++;
      try {
        await this.visit(lane, entry, steps);
      } catch (error) {
        this.stop = true;
        throw error;
      } finally {
        this.inFlight--;
        this.wakeAll();
      }
    }
  }

  private wakeAll(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async takeShared(): Promise<Entry | undefined> {
    const lease = await this.share.queue!.take();
    if (!lease) return undefined;
    const { url, depth, referrer } = lease.data as { url: string; depth: number; referrer?: string };
    return { index: lease.index, url: this.urls.load(url), depth, referrer: referrer && this.urls.load(referrer), lease };
  }

  /** New URLs to visit: into this crawl's frontier, or offered to the shared queue (where each is accepted once, whoever found it). */
  private async enqueue(urls: string[], depth: number, from?: QueuedUrl): Promise<void> {
    if (!this.share.queue) {
      for (const url of urls) this.frontier.enqueue(url, depth, from ? from.index : -1);
      return;
    }
    const referrer = from && this.urls.save(from.url);
    const placed = await this.share.queue.offer(urls.map((url) => ({ value: this.urls.save(url), data: { url: this.urls.save(url), depth, referrer } })));
    this.frontier.counts.queued += placed.filter((index) => index >= 0).length;
  }

  /** A page of another shard: loaded for its links only; that shard runs the steps on it and counts it. */
  private async discover(lane: StepContext, entry: Entry): Promise<void> {
    try {
      const page = await lane.page();
      const loaded = await loadPage(page, entry.url, { retries: Number(this.params.retries ?? 2), pacer: this.pacer, timeoutMs: lane.timeoutMs, signal: lane.signal, log: () => undefined });
      if (!loaded.html) return;
      const final = this.rules.normalise(loaded.finalUrl);
      if (final) this.frontier.markSeen(final);
      // Files it links to are recorded by the shard the page belongs to.
      await this.queueLinks(lane, page, entry, final ?? entry.url, false);
    } catch (error) {
      if (this.ctx.signal.aborted) throw error;
    }
  }

  private async visit(lane: StepContext, entry: Entry, steps: StepNode[]): Promise<void> {
    const { counts } = this.frontier;
    if (!this.share.owns(this.urls.save(entry.url))) return this.discover(lane, entry);
    let html = true;
    try {
      const status = await lane.item(entry.index, this.urls.save(entry.url), async (inside) => {
        const page = await inside.page();
        const loaded = await loadPage(page, entry.url, { retries: Number(this.params.retries ?? 2), pacer: this.pacer, timeoutMs: inside.timeoutMs, signal: inside.signal, log: (message) => this.ctx.log(message) });
        if (!loaded.html) {
          html = false;
          await this.recordFile(inside, entry.url, entry.referrer ?? null, entry.depth, loaded.contentType.split(';')[0].trim() || 'download');
          return;
        }
        const final = this.rules.normalise(loaded.finalUrl);
        if (final) this.frontier.markSeen(final);
        await this.queueLinks(inside, page, entry, final ?? entry.url);
        await inside.runBlock(steps, { url: entry.url, depth: entry.depth, referrer: entry.referrer ?? null });
      }, entry.lease);
      if (status === 'skipped') this.resumedSkips++;
      if (html) {
        counts.visited++;
        this.byDepth[entry.depth] = (this.byDepth[entry.depth] ?? 0) + 1;
      } else {
        counts['not-html']++;
        this.ctx.log(`${entry.url} is not a web page, passed over`);
      }
    } catch (error) {
      if (this.ctx.signal.aborted) throw error;
      this.failed(entry.url, error);
    }
    this.ctx.progress(counts.visited + counts.failed, counts.visited + counts.failed + this.frontier.waiting + this.inFlight - 1);
    if (performance.now() - this.lastSection >= SECTION_EVERY_MS) this.publish();
  }

  /**
   * Queues the page's new links. They are noted in the journal while the page is its item, in
   * one batch with the page's position, so a resume queues them again exactly as here. A page
   * done again after a resume replays its note: its links were judged (and counted) already.
   */
  private async queueLinks(inside: StepContext, page: Page, entry: QueuedUrl, base: string, recordFiles = true): Promise<void> {
    const replayed = this.noted.get(entry.index);
    if (replayed) {
      if (recordFiles) for (const file of replayed) await this.recordFile(inside, file, entry.url, entry.depth + 1);
      return;
    }
    if (this.params.maxDepth !== undefined && entry.depth >= Number(this.params.maxDepth)) return;
    const follow = list(this.params.follow).join(', ') || 'a[href]';
    const judged = await this.judge(await pageLinks(page, follow), base);
    await this.enqueue(judged.urls, entry.depth + 1, entry);
    if (!this.share.queue) this.noteBatch(entry.index, entry.depth + 1, judged);
    if (recordFiles) for (const file of judged.left['not-html'] ?? []) await this.recordFile(inside, file, entry.url, entry.depth + 1);
  }

  private failed(url: string, error: unknown): void {
    const { counts } = this.frontier;
    const message = error instanceof Error ? error.message : String(error);
    counts.failed++;
    if (this.failedPages.length < FAILED_LISTED) this.failedPages.push({ url, text: message });
    if (this.params.continueOnError === false) throw error;
    this.ctx.log(`page failed, going on: ${url}: ${message}`);
    const limit = /%\s*$/.test(String(this.params.maxFailed ?? DEFAULT_MAX_FAILED)) ? undefined : Number(this.params.maxFailed);
    if (limit !== undefined && counts.failed > limit) throw new Error(`${counts.failed} pages failed, more than the ${limit} that maxFailed allows; the last: ${message}`);
  }

  /** Pages this flow process visited per second (not those a resumed run skipped). */
  private pagesPerSecond(): number {
    return (this.frontier.counts.visited - this.resumedSkips) / ((performance.now() - this.startedAt) / 1000);
  }

  /** The crawl's figures, to the live view and the journal (the report's crawl section). */
  private publish(): void {
    this.lastSection = performance.now();
    const { counts } = this.frontier;
    const section: StepSection = {
      counts: [
        { label: 'discovered', value: counts.discovered },
        { label: 'queued', value: counts.queued },
        { label: 'visited', value: counts.visited },
        { label: 'failed', value: counts.failed },
        { label: 'waiting', value: this.frontier.waiting },
        { label: 'out of scope', value: counts['out-of-scope'] },
        { label: 'excluded', value: counts.excluded },
        { label: 'forbidden by robots.txt', value: counts.robots },
        { label: 'not web pages', value: counts['not-html'] },
      ],
      rate: { label: 'pages/s', value: Math.round(this.pagesPerSecond() * 100) / 100 },
      histogram: { title: 'pages by depth', bars: Array.from(this.byDepth, (n, depth) => ({ label: String(depth), value: n ?? 0 })) },
      list: { title: 'failed pages', rows: this.failedPages, more: counts.failed - this.failedPages.length },
    };
    this.ctx.report(section);
  }

  private summarise(): void {
    const { counts } = this.frontier;
    const skipped = [
      counts['out-of-scope'] && `${counts['out-of-scope']} out of scope`,
      counts.excluded && `${counts.excluded} excluded`,
      counts.robots && `${counts.robots} forbidden by robots.txt`,
      counts['not-html'] && `${counts['not-html']} not web pages`,
    ].filter(Boolean);
    const resumed = this.resumedSkips ? ` (${this.resumedSkips} of them before the resume)` : '';
    this.ctx.log(
      `crawled ${counts.visited} pages${resumed}: ${counts.discovered} URLs discovered, ${counts.queued} queued, ${counts.failed} failed, ${this.frontier.waiting} left in the queue` +
        (skipped.length ? `; passed over: ${skipped.join(', ')}` : ''),
    );
    const depths = Array.from(this.byDepth, (n, depth) => `${depth}: ${n ?? 0}`).join(', ');
    if (counts.visited) this.ctx.log(`pages by depth: ${depths}; ${this.pagesPerSecond().toFixed(1)} pages/s`);
    const failed = this.failedPages.map((page) => page.url);
    if (counts.failed) this.ctx.log(`failed pages: ${failed.join(', ')}${counts.failed > failed.length ? `, and ${counts.failed - failed.length} more` : ''}`);
    this.publish();
    const share = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(String(this.params.maxFailed ?? DEFAULT_MAX_FAILED));
    const tried = counts.visited + counts.failed;
    if (share && counts.failed > Math.floor((Number(share[1]) / 100) * tried)) {
      throw new Error(`${counts.failed} of ${tried} pages failed, more than the ${share[1]}% that maxFailed allows`);
    }
  }
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function absoluteUrl(value: string, option: string): string {
  try {
    return new URL(value).href;
  } catch {
    throw new Error(`${option}: ${JSON.stringify(value)} is not a full web address; write it like https://example.com/ or \${{ serve.url }}/index.html`);
  }
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return first ? () => (first(), second()) : second;
}
