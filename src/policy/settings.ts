import { durationSchema, type JsonSchema } from '../runner/json-schema.js';

/** Resource types a policy may block, as Playwright's `request.resourceType()` names them. */
export const RESOURCE_TYPES = ['image', 'media', 'font', 'stylesheet', 'script', 'texttrack', 'xhr', 'fetch', 'eventsource', 'websocket', 'manifest', 'ping', 'other'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** What flow may do when memory crosses a threshold, mildest first. */
export const MEMORY_ACTIONS = ['gc', 'close-idle-pages', 'recycle-context', 'restart-browser', 'stop'] as const;
export type MemoryAction = (typeof MEMORY_ACTIONS)[number];

/** A step's memory assertion: at most this much memory per run of the step. */
export interface StepBudget {
  maxMb: number;
}

/** The memory settings of a policy, after defaults are applied. */
export interface MemorySettings {
  /** 'auto': a share of the container's memory limit inside one, else none; 0: none. */
  budgetMb: number | 'auto';
  maxPages: number;
  block: { types: ResourceType[]; urls: string[] };
  gc: { everySteps: number; everyPages: number };
  cache: { maxSizeMb: number; mode: 'trim' | 'clear'; everyPages: number; clearBrowserCache: boolean };
  thresholds: { warnMb: number; warnAction: MemoryAction | 'alert'; limitMb: number; limitActions: MemoryAction[]; cooldownMs: number };
  recycle: { contextEveryPages: number; browserEveryPages: number };
  sampling: { intervalMs: number; pageMetrics: boolean };
  leaks: { stepGrowthMb: number; listenerGrowth: number; nodeGrowth: number; heapGrowthMb: number; documentGrowth: number; snapshots: string; snapshotRounds: number; keepSnapshots: boolean };
  recover: { browserRestarts: number; itemRetries: number };
  /** Step label, line (`12`) or `file:line` → its assertion. */
  budgets: Record<string, StepBudget>;
  maxPeakMb: number;
  maxGrowthMbPer100Items: number;
}

/** Share of a container's memory limit that `budgetMb: auto` takes: the rest is the kernel's page cache and whatever else runs in the container. */
export const CONTAINER_BUDGET_SHARE = 0.8;

/** 0 means "off" for every counter and threshold below. */
export const DEFAULT_SETTINGS: MemorySettings = {
  budgetMb: 'auto',
  maxPages: 8,
  block: { types: [], urls: [] },
  gc: { everySteps: 0, everyPages: 0 },
  cache: { maxSizeMb: 0, mode: 'trim', everyPages: 0, clearBrowserCache: false },
  thresholds: { warnMb: 0, warnAction: 'alert', limitMb: 0, limitActions: [...MEMORY_ACTIONS], cooldownMs: 10_000 },
  recycle: { contextEveryPages: 0, browserEveryPages: 0 },
  sampling: { intervalMs: 1000, pageMetrics: true },
  leaks: { stepGrowthMb: 50, listenerGrowth: 200, nodeGrowth: 2000, heapGrowthMb: 20, documentGrowth: 10, snapshots: '', snapshotRounds: 10, keepSnapshots: false },
  recover: { browserRestarts: 3, itemRetries: 2 },
  budgets: {},
  maxPeakMb: 0,
  maxGrowthMbPer100Items: 0,
};

const count = (description: string, example: number): JsonSchema => ({ type: 'integer', minimum: 0, description, examples: [example] });
const megabytes = (description: string, example: number): JsonSchema => ({ type: 'number', minimum: 0, description, examples: [example] });
const section = (description: string, properties: Record<string, JsonSchema>, example: Record<string, unknown>): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
  examples: [example],
});

/** Schema of the memory settings: shared by policy files and a workflow's `memory:` section. */
export const memorySettingsProperties: Record<string, JsonSchema> = {
  budgetMb: {
    description: `The memory flow plus its browser may use in all, in MB (PSS). flow then decides live how many pages run at once (a loop's concurrency becomes a maximum), when to recycle the context (on measured growth) and when to collect garbage (on heap growth), and takes thresholds.limitMb from it when that is unset. auto (the default): ${CONTAINER_BUDGET_SHARE * 100}% of the container's memory limit (cgroup v2 memory.max, v1 memory.limit_in_bytes) when flow runs under one, else no budget. 0 turns it off.`,
    examples: [1000, 'auto'],
    anyOf: [
      { type: 'number', minimum: 0 },
      { const: 'auto' },
    ],
  },
  maxPages: { type: 'integer', minimum: 1, maximum: 64, description: `How many pages may be open at once. Loops wait for a free page; opening one more closes the oldest idle page. Default ${DEFAULT_SETTINGS.maxPages}.`, examples: [4] },
  block: section(
    'Requests the browser never makes: resource types and URL patterns. Usual file endings (.png, .css, ...) and URL patterns are blocked inside the browser at no cost; a request of a blocked type at an address without its ending is stopped on its way out, a round trip to flow each.',
    {
      types: { type: 'array', uniqueItems: true, items: { enum: [...RESOURCE_TYPES] }, description: `Resource types to block: ${RESOURCE_TYPES.join(', ')}.`, examples: [['image', 'media', 'font']] },
      urls: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'URL patterns to block; * matches any text, e.g. "*://ads.example.com/*" or "*.mp4".', examples: [['*://*.doubleclick.net/*', '*.mp4']] },
    },
    { types: ['image', 'media'], urls: ['*.mp4'] },
  ),
  gc: section(
    'Force garbage collection in every open page and in flow itself.',
    {
      everySteps: count('Collect garbage after every N steps; 0 turns it off.', 50),
      everyPages: count('Collect garbage after every N page loads; 0 turns it off.', 25),
    },
    { everyPages: 25 },
  ),
  cache: section(
    "Keep the browser's cache small.",
    {
      maxSizeMb: megabytes('Cap of the disk cache in MB, set when the browser starts; with a persistent profile its cache folder is also trimmed to this size. 0 leaves it to Chromium.', 64),
      mode: { enum: ['trim', 'clear'], description: 'With a persistent profile: trim the cache folder oldest-first down to maxSizeMb, or clear it.', examples: ['trim'] },
      everyPages: count('Trim or clear again after every N page loads; 0 only at start.', 100),
      clearBrowserCache: { type: 'boolean', description: "Also clear the browser's HTTP cache through the DevTools protocol at each trim.", examples: [false] },
    },
    { maxSizeMb: 64, mode: 'trim', everyPages: 100 },
  ),
  thresholds: section(
    'Memory limits for the whole browser plus flow (PSS on Linux) and what to do when they are crossed.',
    {
      warnMb: megabytes('Above this, raise an alert (shown live and kept in the report); 0 turns it off.', 1200),
      warnAction: { enum: ['alert', ...MEMORY_ACTIONS], description: 'What to do at warnMb besides the alert.', examples: ['gc'] },
      limitMb: megabytes('Above this, climb the action ladder until memory is back under it; 0 turns it off.', 2000),
      limitActions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...MEMORY_ACTIONS] }, description: 'The ladder, mildest first: each rung is tried, after a cooldown, when memory is still over the limit.', examples: [['gc', 'close-idle-pages', 'recycle-context', 'restart-browser', 'stop']] },
      cooldown: { ...durationSchema, description: 'How long to wait after an action before judging it and climbing to the next rung, written like 10s or 500ms.', examples: ['10s'] },
    },
    { warnMb: 1200, limitMb: 2000, cooldown: '10s' },
  ),
  recycle: section(
    'Start fresh periodically: Playwright keeps data for the life of a context, so long runs grow unless it is recreated. Cookies and storage carry over.',
    {
      contextEveryPages: count('A fresh browser context every N page loads, made as the next page is about to load (or a loop round ends) so no page is reloaded for it; 0 turns it off.', 100),
      browserEveryPages: count('A fresh browser every N page loads; 0 turns it off.', 1000),
    },
    { contextEveryPages: 100 },
  ),
  sampling: section(
    'How often memory is measured.',
    {
      interval: { ...durationSchema, description: 'Time between memory samples, written like 1s or 500ms. A step that starts or ends after a whole interval without a sample is sampled then, and the interval starts again.', examples: ['1s'] },
      pageMetrics: { type: 'boolean', description: 'Also read JS heap, DOM nodes and event listeners of every open page.', examples: [true] },
    },
    { interval: '1s' },
  ),
  leaks: section(
    'When growth counts as a leak worth reporting.',
    {
      stepGrowthMb: megabytes('Memory that the rounds of a loop leave behind: when total memory keeps rising over the rounds (after 10 warm-up rounds) by more than this, the loop is reported.', 50),
      listenerGrowth: count("A page's event listeners growing by more than this, over repeated steps on one document or over the documents one tab loads one after another, is reported.", 200),
      nodeGrowth: count("A page's DOM nodes growing by more than this, over repeated steps on one document or over the documents one tab loads, is reported.", 2000),
      heapGrowthMb: megabytes("A page's JS heap growing by more than this over repeated steps or over the documents one tab loads, or flow's own heap over a loop, is reported.", 20),
      documentGrowth: count('Documents kept alive in one tab growing by more than this over the documents it loads (old pages that stay in memory after the tab moved on) is reported.', 10),
      snapshots: {
        type: 'string',
        description:
          "A step to look into with heap snapshots: its label, its title as the report shows it, or its line in the workflow. After the step's first run in a tab, and again after snapshotRounds more runs in that tab, flow takes a heap snapshot of the page and reports the classes of objects whose retained size grew most, and detached DOM nodes. Each snapshot pauses the page for a few hundred milliseconds to seconds (docs/policy.md). Default: none.",
        examples: ['open product', '42'],
      },
      snapshotRounds: { type: 'integer', minimum: 1, description: `With snapshots: how many more runs of the step, in one tab, between the two snapshots. Default ${DEFAULT_SETTINGS.leaks.snapshotRounds}.`, examples: [10] },
      keepSnapshots: { type: 'boolean', description: 'With snapshots: keep both snapshot files in the run folder (heap/), to open in Chrome DevTools or memlab. They hold everything the page held, text typed into it included, so secrets too. Default false.', examples: [true] },
    },
    { stepGrowthMb: 50 },
  ),
  recover: section(
    'What to do when the browser dies (the kernel ran out of memory, a crash) or a page crashes: start it again and redo the loop items that were running. Past these the run stops, keeping what it extracted.',
    {
      browserRestarts: count(`How many times a browser that died is started again, cookies and storage carried over; one more death stops the run (exit 4). Default ${DEFAULT_SETTINGS.recover.browserRestarts}.`, 3),
      itemRetries: count(`How many more times a loop item is tried when the browser or its page crashed while it ran. Default ${DEFAULT_SETTINGS.recover.itemRetries}.`, 2),
    },
    { browserRestarts: 3, itemRetries: 2 },
  ),
  budgets: {
    type: 'object',
    description:
      "Memory assertions for CI, per step: the key names steps by label (or title), by YAML line (\"12\") or by file and line (\"parts/detail.yaml:12\"); maxMb is the most a step's runs may add to the total memory on average (PSS after the step minus before it, from the samples at its start and end, as the report's step table shows it). A run that breaks one fails with exit 5. The map replaces a policy's map as a whole.",
    propertyNames: { minLength: 1 },
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      required: ['maxMb'],
      properties: { maxMb: { type: 'number', minimum: 0, description: 'The most each run of the step may add to the total memory, in MB, averaged over its runs.' } },
    },
    examples: [{ 'extract details': { maxMb: 50 }, '12': { maxMb: 20 } }],
  },
  maxPeakMb: megabytes('Memory assertion for CI: the highest total memory (PSS of flow plus its browser) the run may reach, in MB; over it the run fails with exit 5. 0 turns it off.', 900),
  maxGrowthMbPer100Items: megabytes(
    "Memory assertion for CI: how much a loop's total memory may rise per 100 items, in MB: the slope of a least-squares line through the total at each item's end, after 10 warm-up items, judged on loops of 20 items or more. Over it the run fails with exit 5. 0 turns it off.",
    20,
  ),
};

export const memorySettingsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Memory settings. Each one overrides the policy; unset ones come from the policy or the defaults.',
  properties: memorySettingsProperties,
};
