import { parseDuration } from '../runner/duration.js';
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

/** Share of a container's memory limit that `budgetMb: auto` takes: the rest is the kernel's page cache and whatever else runs in the container. */
export const CONTAINER_BUDGET_SHARE = 0.8;

const CACHE_MODES = ['trim', 'clear'] as const;
const GC_MODES = ['speed', 'memory'] as const;

/** A setting's schema with its built-in default; `T` is the type MemorySettings holds the value as. */
type Setting<T> = JsonSchema & { default: T };
declare const heldInMs: unique symbol;
/** A duration: written as milliseconds or text such as 10s (so is its default), held in ms under its key with Ms appended. */
type DurationSetting = Setting<string> & { readonly [heldInMs]: true };

/** The memory settings as a run holds them, read off their schema: each setting's default gives its type, a section's keys its fields. */
type Held<Properties> = {
  -readonly [K in keyof Properties & string as Properties[K] extends DurationSetting ? `${K}Ms` : K]: Properties[K] extends DurationSetting
    ? number
    : Properties[K] extends { default: infer T }
      ? T
      : Properties[K] extends { properties: infer Section }
        ? Held<Section>
        : never;
};

/** Names the type a setting is held as where its default alone says too little: a literal, an empty list. */
const setting = <T>(schema: Setting<T>): Setting<T> => schema;
const count = (description: string, example: number, fallback: number): Setting<number> => ({ type: 'integer', minimum: 0, description, examples: [example], default: fallback });
const megabytes = (description: string, example: number, fallback: number): Setting<number> => ({ type: 'number', minimum: 0, description, examples: [example], default: fallback });
const duration = (description: string, example: string, fallback: string) => ({ ...durationSchema, description, examples: [example], default: fallback }) as DurationSetting;
/** Editors show a setting's description, so some say their default in words too. */
const sayingDefault = <T>(schema: Setting<T>): Setting<T> => ({ ...schema, description: `${schema.description} Default ${schema.default}.` });
const section = <Properties extends Record<string, JsonSchema>>(description: string, properties: Properties, example: Record<string, unknown>) => ({
  type: 'object' as const,
  description,
  additionalProperties: false,
  properties,
  examples: [example],
});

/** Schema of the memory settings, shared by policy files and a workflow's `memory:` section: MemorySettings and DEFAULT_SETTINGS are read off it. */
export const memorySettingsProperties = {
  budgetMb: setting<number | 'auto'>({
    description: `The memory flow plus its browser may use in all, in MB (PSS). flow then decides live how many pages run at once (a loop's concurrency becomes a maximum), when to recycle the context (on measured growth) and when to collect garbage (on heap growth), blocks images, media and fonts when fewer than 2 pages fit (unless block.types is set, or a step takes screenshots), and takes thresholds.limitMb from it when that is unset. auto (the default): ${CONTAINER_BUDGET_SHARE * 100}% of the container's memory limit (cgroup v2 memory.max, v1 memory.limit_in_bytes) when flow runs under one, else no budget. 0 turns it off.`,
    examples: [1000, 'auto'],
    anyOf: [
      { type: 'number', minimum: 0 },
      { const: 'auto' },
    ],
    default: 'auto',
  }),
  maxPages: sayingDefault({ type: 'integer', minimum: 1, maximum: 64, description: 'How many pages may be open at once. Loops wait for a free page; opening one more closes the oldest idle page.', examples: [4], default: 8 }),
  block: section(
    'Requests the browser never makes: resource types and URL patterns. Usual file endings (.png, .css, ...) and URL patterns are blocked inside the browser at no cost; a request of a blocked type at an address without its ending is stopped on its way out, a round trip to flow each.',
    {
      types: setting<ResourceType[]>({ type: 'array', uniqueItems: true, items: { enum: [...RESOURCE_TYPES] }, description: `Resource types to block: ${RESOURCE_TYPES.join(', ')}.`, examples: [['image', 'media', 'font']], default: [] }),
      urls: setting<string[]>({ type: 'array', items: { type: 'string', minLength: 1 }, description: 'URL patterns to block; * matches any text, e.g. "*://ads.example.com/*" or "*.mp4".', examples: [['*://*.doubleclick.net/*', '*.mp4']], default: [] }),
    },
    { types: ['image', 'media'], urls: ['*.mp4'] },
  ),
  gc: section(
    "Force garbage collection in every open page and in flow itself, and how the pages' JavaScript engine collects.",
    {
      everySteps: count('Collect garbage after every N steps; 0 turns it off.', 50, 0),
      everyPages: count('Collect garbage after every N page loads; 0 turns it off.', 25, 0),
      optimizeFor: setting<(typeof GC_MODES)[number]>({
        enum: [...GC_MODES],
        description:
          "speed: pages' JavaScript runs as Chromium sets it. memory: V8's size-optimised mode in every page (--js-flags=--optimize-for-size) and in flow itself, which collects sooner and keeps each page's heap small; set when flow starts the browser. Under a memory budget (budgetMb) memory unless set.",
        examples: ['memory'],
        default: 'speed',
      }),
    },
    { everyPages: 25 },
  ),
  cache: section(
    "Keep the browser's cache small.",
    {
      maxSizeMb: megabytes('Cap of the disk cache in MB, set when the browser starts; with a persistent profile its cache folder is also trimmed to this size. 0 leaves it to Chromium.', 64, 0),
      mode: setting<(typeof CACHE_MODES)[number]>({ enum: [...CACHE_MODES], description: 'With a persistent profile: trim the cache folder oldest-first down to maxSizeMb, or clear it.', examples: ['trim'], default: 'trim' }),
      everyPages: count('Trim or clear again after every N page loads; 0 only at start.', 100, 0),
      clearBrowserCache: setting<boolean>({ type: 'boolean', description: "Also clear the browser's HTTP cache through the DevTools protocol at each trim.", examples: [false], default: false }),
    },
    { maxSizeMb: 64, mode: 'trim', everyPages: 100 },
  ),
  thresholds: section(
    'Memory limits for the whole browser plus flow (PSS on Linux) and what to do when they are crossed.',
    {
      warnMb: megabytes('Above this, raise an alert (shown live and kept in the report); 0 turns it off.', 1200, 0),
      warnAction: setting<MemoryAction | 'alert'>({ enum: ['alert', ...MEMORY_ACTIONS], description: 'What to do at warnMb besides the alert.', examples: ['gc'], default: 'alert' }),
      limitMb: megabytes('Above this, climb the action ladder until memory is back under it; 0 turns it off.', 2000, 0),
      limitActions: setting<MemoryAction[]>({ type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...MEMORY_ACTIONS] }, description: 'The ladder, mildest first: each rung is tried, after a cooldown, when memory is still over the limit.', examples: [['gc', 'close-idle-pages', 'recycle-context', 'restart-browser', 'stop']], default: [...MEMORY_ACTIONS] }),
      cooldown: duration('How long to wait after an action before judging it and climbing to the next rung, written like 10s or 500ms.', '10s', '10s'),
    },
    { warnMb: 1200, limitMb: 2000, cooldown: '10s' },
  ),
  recycle: section(
    'Start fresh periodically: Playwright keeps data for the life of a context, so long runs grow unless it is recreated. Cookies and storage carry over.',
    {
      contextEveryPages: count('A fresh browser context every N page loads, made as the next page is about to load (or a loop round ends) so no page is reloaded for it; 0 turns it off.', 100, 0),
      browserEveryPages: count('A fresh browser every N page loads; 0 turns it off.', 1000, 0),
    },
    { contextEveryPages: 100 },
  ),
  sampling: section(
    'How often memory is measured.',
    {
      interval: duration('Time between memory samples, written like 1s or 500ms. A step that starts or ends after a whole interval without a sample is sampled then, and the interval starts again.', '1s', '1s'),
      pageMetrics: setting<boolean>({ type: 'boolean', description: 'Also read JS heap, DOM nodes and event listeners of every open page.', examples: [true], default: true }),
    },
    { interval: '1s' },
  ),
  leaks: section(
    'When growth counts as a leak worth reporting.',
    {
      stepGrowthMb: megabytes('Memory that the rounds of a loop leave behind: when total memory keeps rising over the rounds (after 10 warm-up rounds) by more than this, the loop is reported.', 50, 50),
      listenerGrowth: count("A page's event listeners growing by more than this, over repeated steps on one document or over the documents one tab loads one after another, is reported.", 200, 200),
      nodeGrowth: count("A page's DOM nodes growing by more than this, over repeated steps on one document or over the documents one tab loads, is reported.", 2000, 2000),
      heapGrowthMb: megabytes("A page's JS heap growing by more than this over repeated steps or over the documents one tab loads, or flow's own heap over a loop, is reported.", 20, 20),
      documentGrowth: count('Documents kept alive in one tab growing by more than this over the documents it loads (old pages that stay in memory after the tab moved on) is reported.', 10, 10),
      snapshots: setting<string>({
        type: 'string',
        description:
          "A step to look into with heap snapshots: its label, its title as the report shows it, or its line in the workflow. After the step's first run in a tab, and again after snapshotRounds more runs in that tab, flow takes a heap snapshot of the page and reports the classes of objects whose retained size grew most, and detached DOM nodes. Each snapshot pauses the page for a few hundred milliseconds to seconds (docs/policy.md). Default: none.",
        examples: ['open product', '42'],
        default: '',
      }),
      snapshotRounds: sayingDefault({ type: 'integer', minimum: 1, description: 'With snapshots: how many more runs of the step, in one tab, between the two snapshots.', examples: [10], default: 10 }),
      keepSnapshots: sayingDefault({ type: 'boolean', description: 'With snapshots: keep both snapshot files in the run folder (heap/), to open in Chrome DevTools or memlab. They hold everything the page held, text typed into it included, so secrets too.', examples: [true], default: false }),
    },
    { stepGrowthMb: 50 },
  ),
  recover: section(
    'What to do when the browser dies (the kernel ran out of memory, a crash) or a page crashes: start it again and redo the loop items that were running. Past these the run stops, keeping what it extracted.',
    {
      browserRestarts: sayingDefault(count('How many times a browser that died is started again, cookies and storage carried over; one more death stops the run (exit 4).', 3, 3)),
      itemRetries: sayingDefault(count('How many more times a loop item is tried when the browser or its page crashed while it ran.', 2, 2)),
    },
    { browserRestarts: 3, itemRetries: 2 },
  ),
  budgets: setting<Record<string, StepBudget>>({
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
    default: {},
  }),
  maxPeakMb: megabytes('Memory assertion for CI: the highest total memory (PSS of flow plus its browser) the run may reach, in MB; over it the run fails with exit 5. 0 turns it off.', 900, 0),
  maxGrowthMbPer100Items: megabytes(
    "Memory assertion for CI: how much a loop's total memory may rise per 100 items, in MB: the slope of a least-squares line through the total at each item's end, after 10 warm-up items, judged on loops of 20 items or more. Over it the run fails with exit 5. 0 turns it off.",
    20,
    0,
  ),
} satisfies Record<string, JsonSchema>;

/** The memory settings of a policy, after defaults are applied. */
export type MemorySettings = Held<typeof memorySettingsProperties>;

/** Whether a setting is a section of settings (gc, thresholds, ...) rather than one value; a map of the user's keys (budgets) is one value. */
export function isSection(schema: JsonSchema): schema is JsonSchema & { properties: Record<string, JsonSchema> } {
  return schema.type === 'object' && schema.properties !== undefined;
}

/** Duration settings spread durationSchema, so they share its alternatives. */
export function isDuration(schema: JsonSchema): boolean {
  return schema.anyOf === durationSchema.anyOf;
}

/** The key MemorySettings holds a setting under: durations are kept in ms, as cooldownMs. */
export function heldKey(key: string, schema: JsonSchema): string {
  return isDuration(schema) ? `${key}Ms` : key;
}

function defaultsOf(properties: Record<string, JsonSchema>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties).map(([key, schema]) => [heldKey(key, schema), isSection(schema) ? defaultsOf(schema.properties) : isDuration(schema) ? parseDuration(schema.default as string) : structuredClone(schema.default)]),
  );
}

/** 0 means "off" for every counter and threshold. */
export const DEFAULT_SETTINGS = defaultsOf(memorySettingsProperties) as MemorySettings;

export const memorySettingsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Memory settings. Each one overrides the policy; unset ones come from the policy or the defaults.',
  properties: memorySettingsProperties,
};
