import type { ResourceType } from '../../policy/settings.js';
import type { BudgetEvent } from '../../runner/run-record.js';

/**
 * The budget controller: from one memory sample and what it remembers of the samples before,
 * decides how many loop items run at once, when a fresh context pays, when to collect
 * garbage, and whether pages must load less (images, media and fonts blocked). A pure
 * function: the memory manager feeds it samples and performs what it returns, and tests feed
 * it recorded sequences.
 */

/** The share of the budget the controller steers to: the rest absorbs what grows between two samples. */
export const TARGET_SHARE = 0.85;
/** What a page is taken to cost until one is measured (MB PSS): a light page is about 40, one with large images and scripts 150 or more. */
const ASSUMED_PAGE_MB = 100;
/**
 * What flow and a browser with no page are taken to cost until pages run (MB PSS): the first
 * sample often comes before Chromium has started its GPU, network and storage processes.
 */
const ASSUMED_BROWSER_MB = 400;
/** No page is taken to cost less: an idle renderer alone is about this. */
const MIN_PAGE_MB = 20;
/**
 * After a change, its effect is measured over this many samples with pages open, and for at
 * least RAISE_HOLD_MS, before concurrency is raised again: the new lanes' pages must open and
 * load first. Nor is it raised until a page's cost has held for as many samples: pages that
 * build their data as they load (the heavy test pages: 60 MB each within a second) look smaller
 * at each sample than they become, and a raise on those figures went 130 MB over the budget.
 */
const RAISE_HOLD_SAMPLES = 3;
const RAISE_HOLD_MS = 750;
/** A page's cost has risen when a sample's is more than this times the largest before it. */
const SETTLED_RISE = 1.1;
/**
 * How soon the controller asks for its next sample while a decision hangs on it (its first
 * pages not measured enough yet, lanes waiting with room to raise, memory over the target or
 * climbing within a page of it, a block in the balance): at the usual 1 s interval a run of
 * light pages spent its first seconds at one page at a time, and a run of a few seconds could
 * end before the two samples in a row a block needs. The sampler's cost shares still decide
 * how often it may read.
 */
const LEARNING_SAMPLE_MS = 250;
/** Pages a fresh context loads before its baseline is taken: the first ones fill caches. */
const CONTEXT_WARMUP_PAGES = 5;
/** A context is replaced no sooner than after this many pages in it: each recycle costs 0.1-1.5 s. */
const RECYCLE_MIN_PAGES = 20;
/** Growth that never pays for a recycle, however small a page is (MB). */
const RECYCLE_MIN_MB = 50;
/** JS heap growth since the last collection that calls for one: at least this (MB), or this share of the budget. */
const GC_MIN_GROWTH_MB = 32;
const GC_GROWTH_SHARE = 0.04;
/** Collections come at most this often; over the target, when they are what holds memory down, more often. */
const GC_MIN_GAP_MS = 5000;
/**
 * Over the target, collections come as often as keeps them to this share of the run, at what
 * the last one took a page open (GC_MS_A_PAGE until one is measured), and no more often than
 * GC_OVER_TARGET_MIN_GAP_MS. A page that navigates from document to document leaves each one's
 * objects to the collector: one heavy page at a time, its renderer grew from 170 to 530 MB in
 * 2 s between collections 2 s apart. A heavy page's collection took 95-140 ms alone and
 * 175-490 ms in a crawl, not a light one's 20: at the 20 assumed, collections every 500 ms
 * took a quarter of such a run.
 */
const GC_OVER_TARGET_SHARE = 0.04;
const GC_MS_A_PAGE = 20;
const GC_OVER_TARGET_MIN_GAP_MS = 500;
/**
 * Except close to the budget: in the upper half of the 15% between the target and the budget, or
 * climbing fast enough to reach the budget within GC_LOOKAHEAD_MS, collections come every
 * GC_OVER_TARGET_MIN_GAP_MS whatever they cost. Heavy pages one at a time under 700 MB, collected
 * every 3 s (4% of the run at 120 ms each), peaked at 773 and 815 MB.
 */
const GC_LOOKAHEAD_MS = 1000;
/** A page's cost is the largest measured over this many samples: one taken while pages load sees them half-built. */
const PAGE_COST_SAMPLES = 8;
/** Samples with pages open before concurrency is first raised: the first see pages still loading. */
const RAISE_AFTER_SAMPLES = 3;
/**
 * What the budget blocks when pages cost too much: what a page is painted with, never what
 * makes its text (stylesheets decide which text shows, scripts which text there is), so a
 * workflow extracts the same with or without it.
 */
export const BUDGET_BLOCK_TYPES: readonly ResourceType[] = ['image', 'media', 'font'];
/**
 * Images, media and fonts are blocked when fewer pages than this fit in the target beside flow
 * and the browser: below 2 the controller runs one page at a time, so concurrency has nothing
 * left to give, and only cheaper pages can. Measured on the benchmark's heavy pages (six
 * 1024x768 images and 30 MB of objects, Chromium 156) under a 700 MB budget: 85-160 MB a page
 * as measured here (the renderers 120-320 MB with one page and the spare) beside 340 MB, room
 * for 1.6-3 pages, one page at a time at 1.6 pages/s; with the images blocked from the start,
 * 5.7 pages/s. A light page (40 MB) under the same budget leaves room for 6.
 */
const BLOCK_BELOW_PAGES = 2;
/**
 * Samples in a row, with pages open, at which fewer pages fit before blocking: one sample can
 * catch a passing peak (a closed page's renderer still exiting, the GPU process rasterising).
 * Fewer than RAISE_AFTER_SAMPLES: a page measured while it loads looks smaller than it becomes,
 * so an early figure can only put a block off, not call for a wrong one.
 */
const BLOCK_AFTER_SAMPLES = 2;

/** What a sample says, as the controller reads it. */
export interface BudgetSignals {
  /** The run's clock, ms. */
  t: number;
  /** PSS of flow plus its browser (RSS where PSS cannot be read). */
  totalMb: number;
  /** PSS of the renderer processes: what the pages cost. */
  renderersMb: number;
  /** Renderer processes: more than the pages when Chromium keeps a spare one, or closed pages' are still exiting. */
  renderers: number;
  pagesOpen: number;
  /** Loop items running now, and lanes waiting at the gate for their turn. */
  running: number;
  waiting: number;
  pagesVisited: number;
  /** JS heap of every open page plus flow's own, when every open page was measured in this sample. */
  heapMb?: number;
  /** Changes whenever the browser context is replaced (recycle, restart, crash). */
  contextGeneration: number;
  /** What the last garbage collection took a page open (ms), once one was measured. */
  gcMsPerPage?: number;
  /** Requests for images, media and fonts the pages made so far, when they are counted (the budget may block them); blocking them saves nothing on pages without any. */
  blockableRequests?: number;
}

export interface BudgetLimits {
  budgetMb: number;
  /** The page limit (maxPages): concurrency never goes above it. */
  maxAllowance: number;
  /** The controller may block images, media and fonts: the user chose no block.types, and no step needs pixels (a screenshot). */
  mayBlock?: boolean;
}

export interface BudgetState {
  /** Loop items allowed to run at once; undefined until the first sample. */
  allowance?: number;
  /** What a page cost in the last samples that had pages open. */
  pageCosts: number[];
  /** Samples with pages open so far. */
  pageSamples: number;
  changedAt: number;
  /** pageSamples at the last sample whose page cost rose over the largest before it (see RAISE_HOLD_SAMPLES). */
  pageCostRoseAtSample: number;
  /** pageSamples at the last change of the allowance. */
  changedAtSample: number;
  /** The context in use, and what flow and the browser's processes other than renderers took once it was warm. */
  context: { generation: number; startVisited: number; baseOtherMb?: number };
  heapBaseMb?: number;
  gcAt: number;
  /** Samples in a row at which fewer than BLOCK_BELOW_PAGES pages fit. */
  crampedSamples: number;
  /** Images, media and fonts are blocked: decided once, for the rest of the run. */
  blocked: boolean;
  /** The total of the last sample, and its time. */
  lastTotalMb?: number;
  lastT?: number;
}

export type BudgetAction =
  | { kind: 'set-allowance'; from?: number; to: number; reason: string; freeMb: number; perPageMb: number }
  | { kind: 'gc'; reason: string }
  | { kind: 'recycle-context'; reason: string }
  | { kind: 'block'; types: ResourceType[]; reason: string; freeMb: number; perPageMb: number };

export function initialBudgetState(): BudgetState {
  return { pageCosts: [], pageSamples: 0, changedAt: -Infinity, changedAtSample: 0, pageCostRoseAtSample: 0, context: { generation: -1, startVisited: 0 }, gcAt: -Infinity, crampedSamples: 0, blocked: false };
}

/** `sampleWithinMs`: when the controller wants its next sample sooner than the interval, to decide on it. */
export function decide(signals: BudgetSignals, limits: BudgetLimits, previous: BudgetState): { actions: BudgetAction[]; state: BudgetState; sampleWithinMs?: number } {
  const state: BudgetState = { ...previous, pageCosts: [...previous.pageCosts], context: { ...previous.context } };
  const actions: BudgetAction[] = [];
  const { budgetMb, maxAllowance } = limits;
  const target = budgetMb * TARGET_SHARE;

  const otherMb = signals.totalMb - signals.renderersMb;
  if (signals.pagesOpen > 0) {
    // Chromium keeps a spare renderer, and closed pages' renderers take a moment to exit: one process each at most.
    const cost = Math.max(MIN_PAGE_MB, signals.renderersMb / Math.max(signals.pagesOpen, signals.renderers));
    state.pageSamples++;
    if (cost > Math.max(0, ...state.pageCosts) * SETTLED_RISE) state.pageCostRoseAtSample = state.pageSamples;
    state.pageCosts = [...state.pageCosts, cost].slice(-PAGE_COST_SAMPLES);
  }
  const measured = state.pageCosts.length > 0;
  const perPage = measured ? Math.max(...state.pageCosts) : ASSUMED_PAGE_MB;
  const growthMb = contextGrowth(state, signals, otherMb);
  const freeMb = budgetMb - signals.totalMb;
  // Pages allowed but not open yet, or still loading, will cost a whole page each: judged by what the allowance will take.
  const expectedMb = (allowance: number) => Math.max(signals.totalMb, otherMb + Math.max(signals.pagesOpen, allowance) * perPage);
  const sampled = signals.totalMb > 0;
  const figures = sampled
    ? `${mb(freeMb)} MB free of the ${mb(budgetMb)} MB budget, ${mb(perPage)} MB a page${measured ? '' : ` (assumed: no page measured ${state.blocked ? 'since blocking' : 'yet'})`}`
    : `the ${mb(budgetMb)} MB budget, before any sample: ${ASSUMED_BROWSER_MB} MB assumed for flow and the browser, ${ASSUMED_PAGE_MB} MB a page`;
  // Lanes wait for a turn, and one more page fits in what the target leaves: a page's cost is the largest of the last samples, and the target leaves 15% of the budget. (A margin of half a page more kept light pages one at a time under 700 MB once Chromium's spare renderer no longer halved what a page was measured to cost.)
  const roomToRaise = (allowance: number, room: number) => signals.waiting > 0 && allowance < maxAllowance && room >= perPage;
  const setAllowance = (to: number, why: string) => {
    if (to === state.allowance) return;
    actions.push({ kind: 'set-allowance', from: state.allowance, to, reason: why, freeMb, perPageMb: perPage });
    state.allowance = to;
    state.changedAt = signals.t;
    state.changedAtSample = state.pageSamples;
  };

  // Pages that cost so much that concurrency cannot help: they must load less.
  const blocking = signals.pagesOpen > 0 && measured && !state.blocked && limits.mayBlock === true && (signals.blockableRequests ?? 0) > 0;
  const pagesFit = (target - otherMb) / perPage;
  state.crampedSamples = blocking && pagesFit < BLOCK_BELOW_PAGES ? state.crampedSamples + 1 : 0;
  if (state.crampedSamples >= BLOCK_AFTER_SAMPLES) {
    const reason = `a page costs ${mb(perPage)} MB, and ${Math.round(TARGET_SHARE * 100)}% of the ${mb(budgetMb)} MB budget leaves ${mb(Math.max(0, target - otherMb))} MB for pages beside the ${mb(otherMb)} MB of flow and the browser: room for ${Math.max(0, pagesFit).toFixed(1)} pages at once, fewer than ${BLOCK_BELOW_PAGES}; the pages requested ${signals.blockableRequests} images, media or fonts so far`;
    actions.push({ kind: 'block', types: [...BUDGET_BLOCK_TYPES], reason, freeMb, perPageMb: perPage });
    state.blocked = true;
  }

  const allowance = state.allowance;
  if (allowance === undefined) {
    const room = target - Math.max(signals.totalMb, ASSUMED_BROWSER_MB);
    setAllowance(clamp(Math.floor(room / perPage), 1, maxAllowance), figures);
  } else {
    const room = target - expectedMb(allowance);
    if (room < 0 && allowance > 1 && signals.running <= allowance) {
      // More items running than allowed means the last cut is still taking effect as they end: no second cut for the same excess.
      setAllowance(clamp(Math.min(allowance, Math.max(1, signals.running)) - Math.ceil(-room / perPage), 1, maxAllowance), `${figures}: ${mb(expectedMb(allowance))} MB expected at ${allowance} at once, over ${Math.round(TARGET_SHARE * 100)}% of the budget`);
    } else if (state.pageSamples >= RAISE_AFTER_SAMPLES && roomToRaise(allowance, room) && lastChangeMeasured(state, signals.t)) {
      const more = Math.min(Math.floor(room / perPage), signals.waiting, allowance);
      setAllowance(clamp(allowance + more, 1, maxAllowance), figures);
    }
  }

  // Collecting and recycling pay only where memory holds the run back: lanes wait, or it is over the target.
  const room = target - expectedMb(state.allowance ?? 1);
  const bound = room < 0 || (signals.waiting > 0 && room < perPage);
  if (growthMb !== undefined && bound && growthMb >= Math.max(RECYCLE_MIN_MB, perPage) && signals.pagesVisited - state.context.startVisited >= RECYCLE_MIN_PAGES) {
    actions.push({ kind: 'recycle-context', reason: `budget: flow and the browser grew ${mb(growthMb)} MB over ${signals.pagesVisited - state.context.startVisited} pages in this context, more than a page's ${mb(perPage)} MB, with ${mb(freeMb)} MB free` });
    // Counted from here until the new context is seen, so one growth asks for one recycle.
    state.context.startVisited = signals.pagesVisited;
  }

  const heapBase = state.heapBaseMb;
  const heapGrowth = signals.heapMb !== undefined && heapBase !== undefined ? signals.heapMb - heapBase : 0;
  const gcMsPerPage = signals.gcMsPerPage ?? GC_MS_A_PAGE;
  const climbMbPerMs = previous.lastTotalMb !== undefined && previous.lastT !== undefined && signals.t > previous.lastT ? (signals.totalMb - previous.lastTotalMb) / (signals.t - previous.lastT) : 0;
  const nearBudget = signals.totalMb >= (target + budgetMb) / 2 || signals.totalMb + Math.max(0, climbMbPerMs) * GC_LOOKAHEAD_MS >= budgetMb;
  const overTargetGapMs = nearBudget ? GC_OVER_TARGET_MIN_GAP_MS : Math.max(GC_OVER_TARGET_MIN_GAP_MS, (signals.pagesOpen * gcMsPerPage) / GC_OVER_TARGET_SHARE);
  const gcDue = signals.t - state.gcAt >= (room < 0 ? overTargetGapMs : GC_MIN_GAP_MS);
  if (gcDue && heapGrowth >= Math.max(GC_MIN_GROWTH_MB, budgetMb * GC_GROWTH_SHARE)) {
    actions.push({ kind: 'gc', reason: `budget: JS heap ${mb(signals.heapMb!)} MB, ${mb(heapGrowth)} MB over its ${mb(heapBase!)} MB after the last collection` });
  } else if (gcDue && bound && signals.pagesOpen > 0) {
    // Pages leave the memory of the documents they left (array buffers, images) to the collector, which the JS heap does not show.
    const held = room < 0 ? (nearBudget ? `close to the budget` : `over ${Math.round(TARGET_SHARE * 100)}% of the budget`) : `${signals.waiting} lane(s) waiting for room`;
    actions.push({ kind: 'gc', reason: `budget: ${mb(freeMb)} MB free, ${held}: collecting the garbage of ${signals.pagesOpen} page(s) costs about ${Math.round(gcMsPerPage)} ms each${signals.gcMsPerPage === undefined ? ' (assumed: none measured yet)' : ''}` });
  }
  if (actions.some((action) => action.kind === 'gc')) {
    state.gcAt = signals.t;
    state.heapBaseMb = undefined;
  } else if (signals.heapMb !== undefined) state.heapBaseMb = heapBase === undefined ? signals.heapMb : Math.min(heapBase, signals.heapMb);
  if (actions.some((action) => action.kind === 'block')) {
    // What a page cost with its images says nothing of what the pages to come will: measured again from the next sample, and raised only after RAISE_AFTER_SAMPLES.
    state.pageCosts = [];
    state.pageSamples = 0;
    state.changedAtSample = 0;
    state.pageCostRoseAtSample = 0;
  }
  // Sooner only while a decision hangs on it: a run settled at its level samples at its interval.
  const measuring = (signals.pagesOpen > 0 || signals.running > 0) && state.pageSamples < RAISE_AFTER_SAMPLES;
  const mayRaise = roomToRaise(state.allowance ?? 1, room);
  // Over the target, what the controller does (collect, cut) must follow closely what grows; climbing within a page of it, pages still loading can cross it between two samples. A run that holds under it samples at its interval (each sample is 1.6 KB of journal).
  const nearTarget = signals.pagesOpen > 0 && (room < 0 || (room < perPage && signals.totalMb > (previous.lastTotalMb ?? Infinity)));
  state.lastTotalMb = signals.totalMb;
  state.lastT = signals.t;
  const finding = measuring || mayRaise || nearTarget || state.crampedSamples > 0;
  return { actions, state, ...(finding && { sampleWithinMs: LEARNING_SAMPLE_MS }) };
}

/** The last change has been measured long enough to raise again (see RAISE_HOLD_SAMPLES). */
function lastChangeMeasured(state: BudgetState, t: number): boolean {
  const settled = state.pageSamples - state.pageCostRoseAtSample >= RAISE_HOLD_SAMPLES;
  return settled && state.pageSamples - state.changedAtSample >= RAISE_HOLD_SAMPLES && t - state.changedAt >= RAISE_HOLD_MS;
}

/** Growth of flow and the browser's processes other than renderers over the current context's baseline, taken once it is warm: where Playwright keeps a context's data. */
function contextGrowth(state: BudgetState, signals: BudgetSignals, otherMb: number): number | undefined {
  const context = state.context;
  if (context.generation !== signals.contextGeneration) {
    state.context = { generation: signals.contextGeneration, startVisited: signals.pagesVisited };
    return undefined;
  }
  if (signals.pagesVisited - context.startVisited < CONTEXT_WARMUP_PAGES) return undefined;
  if (context.baseOtherMb === undefined) {
    context.baseOtherMb = otherMb;
    return undefined;
  }
  context.baseOtherMb = Math.min(context.baseOtherMb, otherMb);
  return otherMb - context.baseOtherMb;
}

/** A budget decision as the live view and the report say it. */
export function describeBudget(event: BudgetEvent): string {
  const first = event.what === 'concurrency' && event.from === undefined ? ' to start with' : '';
  return `${budgetDecision(event)}${first}: ${event.reason}`;
}

/** What a budget decision did, without why: the report's Actions table names it so. */
export function budgetDecision(event: BudgetEvent): string {
  if (event.what === 'budget') return `memory budget ${mb(event.to)} MB`;
  if (event.what === 'block') return `blocking ${typesInWords(event.types)}`;
  return event.from === undefined ? `concurrency at most ${event.to}` : `concurrency ${event.from} → ${event.to}`;
}

/** Resource types as a reader says them: "images, media and fonts". */
function typesInWords(types: readonly string[]): string {
  const words = types.map((type) => (type === 'media' ? type : `${type}s`));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}` : (words[0] ?? 'nothing');
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

function mb(value: number): string {
  return Math.round(value).toString();
}
