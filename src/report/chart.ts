import { clock, count } from './format.js';

/** One drawn series: values line up with its group's keys; null is a gap. */
export interface Series {
  label: string;
  /** CSS class giving its colour, e.g. 'k-renderer'. */
  cls: string;
  values: (number | null)[];
  /** Unit shown in the tooltip, e.g. 'MB PSS'. */
  unit: string;
}

/** Series sharing one x axis: stacked areas under lines. */
export interface SeriesGroup {
  /** Shown as a heading in the tooltip when a chart has several groups. */
  label?: string;
  /** x of each point: ms since the start, or pages visited. */
  keys: number[];
  stacked: Series[];
  lines: Series[];
  /** Rows only the tooltip shows, e.g. pages open. */
  extra?: Series[];
  /** Index into ChartData.stepTitles of the step running at each point, -1 for none. */
  steps?: number[];
}

export type MarkerShape = 'step' | 'gc' | 'recycle' | 'restart' | 'alert' | 'action' | 'leak';

export interface Marker {
  key: number;
  shape: MarkerShape;
  /** The native tooltip: what happened, in words. */
  title: string;
  /** Also draw a vertical line through the plot. */
  rule: boolean;
}

export interface Threshold {
  value: number;
  label: string;
  cls: string;
}

export interface ChartSpec {
  id: string;
  xAxis: 'time' | 'pages';
  /** Y axis label, always naming the measure, e.g. 'MB PSS'. */
  yLabel: string;
  groups: SeriesGroup[];
  markers?: Marker[];
  thresholds?: Threshold[];
  /** End of the x axis when the data stops before it, e.g. the run's duration. */
  xMax?: number;
  /** Stretches of the x axis with no data by design, e.g. while flow was not running: shaded, with a title. */
  gaps?: { from: number; to: number; title: string }[];
  /** In SVG units, which are about CSS pixels: a chart drawn narrow gets a narrow width, so its text stays legible. */
  width?: number;
  height?: number;
  description: string;
}

/** What the templates draw: geometry only, as numbers and SVG path data. */
export interface ChartView {
  id: string;
  width: number;
  height: number;
  description: string;
  yLabel: string;
  xLabel: string;
  plot: { left: number; top: number; right: number; bottom: number; width: number; height: number; mid: number };
  areas: { cls: string; label: string; d: string }[];
  lines: { cls: string; label: string; d: string }[];
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
  lanes: { y: number; label: string }[];
  markers: { x: number; y: number; shape: MarkerShape; d: string; title: string; rule: boolean }[];
  /** dy places the label above its line, or below when the line above is too close. */
  thresholds: { y: number; dy: number; label: string; cls: string }[];
  /** Thresholds above the drawn range, named in the legend instead. */
  offChart: { label: string; cls: string }[];
  gaps: { x: number; width: number; title: string }[];
  /** Points drawn in the first group: the length of its downsampled series. */
  points: number;
}

/** What the tooltip script reads from the embedded JSON for one chart. */
export interface ChartData {
  xAxis: 'time' | 'pages';
  groups: {
    label: string | null;
    /** SVG x of each point, to find the one under the pointer. */
    x: number[];
    keys: number[];
    rows: { label: string; unit: string; cls: string; values: (number | null)[] }[];
    steps: number[] | null;
  }[];
}

const MARGIN = { left: 58, right: 14, bottom: 28 };
const LANE_HEIGHT = 13;

const SHAPES: Record<MarkerShape, string> = {
  step: 'M0,-4V4',
  gc: 'M-3.5,0a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0',
  recycle: 'M0,-4.5L4.5,3.5H-4.5Z',
  restart: 'M0,-5L5,0L0,5L-5,0Z',
  alert: 'M-4.5,-3.5H4.5L0,4.5Z',
  action: 'M-3.5,-3.5H3.5V3.5H-3.5Z',
  leak: 'M0,-5L1.5,-1.5L5,0L1.5,1.5L0,5L-1.5,1.5L-5,0L-1.5,-1.5Z',
};

/** Lays out a chart: scales, ticks, stacked areas, lines, marker lanes and thresholds. */
export function layoutChart(spec: ChartSpec): { view: ChartView; data: ChartData } {
  const markers = spec.markers ?? [];
  const laneShapes = [markers.some((m) => m.shape === 'step'), markers.some((m) => m.shape !== 'step')];
  const laneCount = laneShapes.filter(Boolean).length;
  const width = spec.width ?? 1000;
  const height = spec.height ?? 300;
  const top = 12 + laneCount * LANE_HEIGHT + (laneCount ? 6 : 0);
  const plot = { left: MARGIN.left, top, right: width - MARGIN.right, bottom: height - MARGIN.bottom, width: 0, height: 0, mid: 0 };
  plot.width = plot.right - plot.left;
  plot.height = plot.bottom - plot.top;
  plot.mid = plot.top + plot.height / 2;

  const stackedTops = spec.groups.map((group) => stackTops(group));
  const lineValues = spec.groups.flatMap((group) => group.lines.flatMap((line) => line.values.filter((v): v is number => v !== null)));
  const dataMax = Math.max(0, ...stackedTops.flatMap((tops) => tops[tops.length - 1] ?? []), ...lineValues);
  // Counts (listeners, DOM nodes) get whole-number ticks; there is no half a listener.
  const counts = spec.groups.every((group) => group.stacked.length === 0) && lineValues.every(Number.isInteger);
  // A threshold far above the data would flatten it; it is named in the legend instead.
  const drawnThresholds = (spec.thresholds ?? []).filter((t) => dataMax === 0 || t.value <= dataMax * 2);
  const yTicks = niceTicks(Math.max(dataMax, ...drawnThresholds.map((t) => t.value)) || 1, counts);
  const yDigits = yTicks[1] !== undefined && !Number.isInteger(yTicks[1]) ? 1 : 0;
  const yMax = yTicks[yTicks.length - 1];
  const xMax = Math.max(1, spec.xMax ?? 0, ...spec.groups.map((group) => group.keys[group.keys.length - 1] ?? 0));
  const sx = (key: number) => round(plot.left + (key / xMax) * plot.width);
  const sy = (value: number) => round(plot.bottom - (value / yMax) * plot.height);

  const areas: ChartView['areas'] = [];
  const lines: ChartView['lines'] = [];
  spec.groups.forEach((group, g) => {
    const xs = group.keys.map(sx);
    const tops = stackedTops[g];
    group.stacked.forEach((series, s) => {
      const upper = tops[s].map((value, i) => `${xs[i]},${sy(value)}`);
      const lower = (s === 0 ? tops[s].map(() => 0) : tops[s - 1]).map((value, i) => `${xs[i]},${sy(value)}`).reverse();
      if (upper.length) areas.push({ cls: series.cls, label: series.label, d: `M${upper.join('L')}L${lower.join('L')}Z` });
    });
    for (const series of group.lines) lines.push({ cls: series.cls, label: series.label, d: linePath(xs, series.values, sy) });
  });

  let lane = 0;
  const laneY = laneShapes.map((present) => (present ? 10 + LANE_HEIGHT * lane++ + LANE_HEIGHT / 2 - 2 : 0));
  const lanes = [
    ...(laneShapes[0] ? [{ y: laneY[0], label: 'steps' }] : []),
    ...(laneShapes[1] ? [{ y: laneY[1], label: 'events' }] : []),
  ];

  const view: ChartView = {
    id: spec.id,
    width,
    height,
    description: spec.description,
    yLabel: spec.yLabel,
    xLabel: spec.xAxis === 'time' ? 'time since start' : 'pages visited',
    plot,
    areas,
    lines,
    yTicks: yTicks.map((value) => ({ y: sy(value), label: count(value, yDigits) })),
    xTicks: xTicks(xMax, spec.xAxis, Math.max(2, Math.floor(plot.width / 80))).map((key) => ({ x: sx(key), label: spec.xAxis === 'time' ? clock(key) : count(key) })),
    lanes,
    markers: markers.map((m) => ({ x: sx(m.key), y: laneY[m.shape === 'step' ? 0 : 1], shape: m.shape, d: SHAPES[m.shape], title: m.title, rule: m.rule })),
    thresholds: thresholdLabels(drawnThresholds.map((t) => ({ y: sy(t.value), dy: -4, label: t.label, cls: t.cls }))),
    offChart: (spec.thresholds ?? []).filter((t) => !drawnThresholds.includes(t)).map((t) => ({ label: t.label, cls: t.cls })),
    gaps: (spec.gaps ?? []).map((gap) => ({ x: sx(gap.from), width: Math.max(1, sx(gap.to) - sx(gap.from)), title: gap.title })),
    points: spec.groups[0]?.keys.length ?? 0,
  };
  const data: ChartData = {
    xAxis: spec.xAxis,
    groups: spec.groups.map((group) => ({
      label: group.label ?? null,
      x: group.keys.map(sx),
      keys: group.keys,
      rows: [...group.lines, ...[...group.stacked].reverse(), ...(group.extra ?? [])].map((series) => ({ label: series.label, unit: series.unit, cls: series.cls, values: series.values.map(roundOrNull) })),
      steps: group.steps ?? null,
    })),
  };
  return { view, data };
}

/** Two labels closer than this would overlap: the lower one goes under its line. */
const LABEL_HEIGHT = 14;

function thresholdLabels(thresholds: ChartView['thresholds']): ChartView['thresholds'] {
  const byHeight = [...thresholds].sort((a, b) => a.y - b.y);
  byHeight.forEach((t, i) => {
    if (i > 0 && t.y - byHeight[i - 1].y < LABEL_HEIGHT) t.dy = 12;
  });
  return thresholds;
}

/** Running sums of a group's stacked series: tops[s][i] is the top of series s at point i. */
function stackTops(group: SeriesGroup): number[][] {
  const tops: number[][] = [];
  group.stacked.forEach((series, s) => tops.push(series.values.map((value, i) => (s ? tops[s - 1][i] : 0) + (value ?? 0))));
  return tops;
}

function linePath(xs: number[], values: (number | null)[], sy: (value: number) => number): string {
  let d = '';
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null) {
      drawing = false;
      return;
    }
    d += `${drawing ? 'L' : 'M'}${xs[i]},${sy(value)}`;
    drawing = true;
  });
  return d;
}

/** 0 and round steps (1, 2, 2.5 or 5 × 10^n) up to at least `max`, about five of them; whole numbers only if `integers`. */
export function niceTicks(max: number, integers = false): number[] {
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const step = integers ? Math.max(1, Math.ceil(nice)) : nice;
  const ticks = [];
  for (let value = 0; value < max + step * 1e-9; value += step) ticks.push(round(value));
  if (ticks[ticks.length - 1] < max) ticks.push(round(ticks[ticks.length - 1] + step));
  return ticks;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

/** Round ticks from 0 to max, at most `most` of them (one per 80 units of width keeps labels apart). */
function xTicks(max: number, axis: 'time' | 'pages', most: number): number[] {
  let step: number;
  if (axis === 'time') {
    step = TIME_STEPS.find((s) => max / s <= most) ?? TIME_STEPS[TIME_STEPS.length - 1];
  } else {
    const ticks = niceTicks(max);
    step = Math.max(1, Math.ceil(ticks[1] ?? 1));
  }
  const keys = [];
  for (let key = 0; key <= max; key += step) keys.push(key);
  return keys;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value);
}
