import { describeBudget } from '../memory/rules/budget.js';
import type { BudgetEvent, RunEvent, RunRecord } from '../runner/run-record.js';
import { layoutChart, type ChartData, type ChartView, type Marker, type Series, type Threshold } from './chart.js';
import { minMaxIndices } from './downsample.js';
import { clock, duration, mb } from './format.js';
import { KINDS, kindMb, measureName, primaryMeasure, sampleTotal, type Measure } from './measure.js';

/** Above this many step starts, only the first start of each step is marked. */
const MAX_STEP_MARKERS = 400;

/** The run's steps as the tooltip names them; samples refer to them by index. */
export interface StepTitles {
  titles: string[];
  indexOf: Map<string, number>;
}

export function stepTitles(record: RunRecord): StepTitles {
  const titles = record.steps.map((step) => `${step.title} (line ${step.line})`);
  return { titles, indexOf: new Map(record.steps.map((step, i) => [step.id, i])) };
}

/** The memory timeline in one measure: a stacked area per process kind, the total on top, markers above. */
export function timelineChart(record: RunRecord, measure: Measure, steps: StepTitles, id = `timeline-${measure}`): { view: ChartView; data: ChartData; kinds: string[] } | undefined {
  const withTotal = record.samples.filter((sample) => sampleTotal(sample, measure) !== undefined);
  if (!withTotal.length) return undefined;
  const unit = `MB ${measureName(measure)}`;
  const kept = minMaxIndices(withTotal.map((sample) => sampleTotal(sample, measure)!)).map((i) => withTotal[i]);
  const kinds = KINDS.filter(({ kind }) => withTotal.some((sample) => kindMb(sample, kind, measure) !== undefined));
  const stacked: Series[] = kinds.map(({ kind, label }) => ({ label, cls: `k-${kind}`, unit, values: kept.map((sample) => kindMb(sample, kind, measure) ?? null) }));
  const total: Series = { label: 'total', cls: 'total', unit, values: kept.map((sample) => sampleTotal(sample, measure)!) };
  const extra: Series[] = [{ label: 'pages open', cls: 'pages', unit: '', values: kept.map((sample) => sample.pagesOpen) }];
  const primary = measure === primaryMeasure(record);
  const { view, data } = layoutChart({
    id,
    xAxis: 'time',
    yLabel: unit,
    description: `Memory of flow and the browser over time in MB ${measureName(measure)}, stacked by process type`,
    groups: [{ keys: kept.map((sample) => sample.t), stacked, lines: [total], extra, steps: kept.map((sample) => (sample.stepId === undefined ? -1 : steps.indexOf.get(sample.stepId) ?? -1)) }],
    markers: [...stepMarkers(record, steps), ...record.events.map((event) => eventMarker(event, primaryUnit(record)))],
    thresholds: primary ? thresholds(record, unit) : [],
    xMax: Math.max(record.run.durationMs ?? 0, ...record.events.map((event) => event.t)),
    gaps: segmentGaps(record),
  });
  return { view, data, kinds: kinds.map(({ kind }) => kind) };
}

/** The time between one flow process's last word and the next one's start: the run was not running. */
export function segmentGaps(record: RunRecord): { from: number; to: number; title: string }[] {
  const segments = record.run.segments ?? [];
  return segments.slice(1).map((segment, i) => {
    const before = segments[i];
    const how = before.ended === 'killed' ? 'flow was killed' : 'the run was stopped';
    return { from: before.toT, to: segment.fromT, title: `${clock(before.toT)}–${clock(segment.fromT)}: not running (${how}; resumed after ${duration(segment.fromT - before.toT)})` };
  });
}

/** Event figures are totals in the run's primary measure. */
export function primaryUnit(record: RunRecord): string {
  return `MB ${measureName(primaryMeasure(record))}`;
}

function stepMarkers(record: RunRecord, steps: StepTitles): Marker[] {
  let starts = record.samples.filter((sample) => sample.reason === 'step-start' && sample.stepId !== undefined);
  if (starts.length > MAX_STEP_MARKERS) {
    const seen = new Set<string>();
    starts = starts.filter((sample) => !seen.has(sample.stepId!) && seen.add(sample.stepId!));
  }
  return starts.map((sample) => ({ key: sample.t, shape: 'step', rule: false, title: `${clock(sample.t)} step started: ${steps.titles[steps.indexOf.get(sample.stepId!) ?? -1] ?? sample.stepId}` }));
}

function eventMarker(event: RunEvent, unit: string): Marker {
  const at = clock(event.t);
  const change = (before?: number, after?: number) => (before !== undefined && after !== undefined ? `: ${mb(before)} → ${mb(after)} ${unit}` : '');
  switch (event.type) {
    case 'gc':
      return { key: event.t, shape: 'gc', rule: false, title: `${at} garbage collection in ${event.pages} page(s) (${event.reason})${change(event.beforeMb, event.afterMb)}` };
    case 'recycle':
      return {
        key: event.t,
        shape: event.what === 'browser' ? 'restart' : 'recycle',
        rule: true,
        title: `${at} ${event.what === 'browser' ? 'browser restarted' : 'browser context recycled'} (${event.reason}) in ${duration(event.durationMs)}${change(event.beforeMb, event.afterMb)}`,
      };
    case 'alert':
      return { key: event.t, shape: 'alert', rule: true, title: `${at} ${event.level === 'limit' ? 'over the limit' : 'warning'}: ${mb(event.mb)} ${unit} (threshold ${mb(event.thresholdMb)}): ${event.message}` };
    case 'action':
      return { key: event.t, shape: 'action', rule: true, title: `${at} action ${event.action} (${event.reason})${change(event.beforeMb, event.afterMb)}: ${event.effect}` };
    case 'leak':
      return { key: event.t, shape: 'leak', rule: false, title: `${at} possible leak (${event.kind}): ${event.message}` };
    case 'budget':
      return { key: event.t, shape: 'action', rule: false, title: `${at} ${describeBudget(event)}` };
    case 'crash':
      return { key: event.t, shape: 'restart', rule: true, title: `${at} ${event.what === 'browser' ? 'the browser died' : 'a page crashed'}${event.recovered ? ', and flow carried on' : ''}: ${event.message}` };
  }
}

function thresholds(record: RunRecord, unit: string): Threshold[] {
  const { warnMb, limitMb } = record.policy.settings.thresholds;
  const budget = record.events.find((event): event is BudgetEvent => event.type === 'budget' && event.what === 'budget');
  return [
    ...(budget ? [{ value: budget.budgetMb, label: `budget ${mb(budget.budgetMb)} ${unit}`, cls: 'limit' }] : []),
    ...(warnMb > 0 ? [{ value: warnMb, label: `warn ${mb(warnMb)} ${unit}`, cls: 'warn' }] : []),
    ...(limitMb > 0 ? [{ value: limitMb, label: `limit ${mb(limitMb)} ${unit}`, cls: 'limit' }] : []),
  ];
}
