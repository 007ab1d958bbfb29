import { dirname } from 'node:path';
import type { MemorySample } from '../memory/types.js';
import type { RunRecord } from '../runner/run-record.js';
import { layoutChart, type ChartData, type ChartView, type SeriesGroup } from './chart.js';
import { minMaxIndices } from './downsample.js';
import { count, duration, fixed, mb, ratio, signedMb } from './format.js';
import { measureName, primaryMeasure, sampleTotal, type Measure } from './measure.js';
import { differingSettings, policyView } from './policy-view.js';
import { renderPage } from './templates.js';

export interface ComparisonOptions {
  /** A folder of templates laid over the shipped reports/ folder. */
  templateDir?: string;
}

interface Figures {
  peakMb: number | null;
  meanMb: number | null;
  growthMb: number | null;
  slopeMbPerPage: number | null;
  slopeMbPerMinute: number | null;
  pagesPerSecond: number | null;
  durationMs: number | null;
}

/** Two runs side by side: figures with ratios (b / a), overlaid timelines, and how their policies differ. */
export function renderComparison(a: RunRecord, b: RunRecord, options: ComparisonOptions = {}): string {
  const measures = [primaryMeasure(a), primaryMeasure(b)] as const;
  const units = measures.map((measure) => `MB ${measureName(measure)}`);
  const unit = units[0] === units[1] ? units[0] : 'MB';
  const [fa, fb] = [figures(a, measures[0]), figures(b, measures[1])];
  const row = (label: string, x: number | null, y: number | null, format: (value: number | null) => string, lowerIsBetter: boolean) => ({
    label,
    a: format(x),
    b: format(y),
    bToA: ratio(x, y),
    better: x === null || y === null || x === y ? null : (y < x) === lowerIsBetter ? 'b' : 'a',
  });
  const policies = [policyView(a.policy, dirname(a.workflow.file)), policyView(b.policy, dirname(b.workflow.file))] as const;
  const charts: Record<string, ChartData> = {};
  const chart = (id: string, xAxis: 'time' | 'pages', description: string): ChartView | null => {
    const groups = [group('A', a, measures[0], xAxis, 's-a'), group('B', b, measures[1], xAxis, 's-b')];
    if (groups.some((g) => !g.keys.length)) return null;
    const { view, data } = layoutChart({ id, xAxis, yLabel: unit, description, groups });
    charts[id] = data;
    return view;
  };
  const run = (record: RunRecord, label: string, figuresOf: Figures) => ({
    label,
    workflow: record.workflow.name,
    runId: record.run.id,
    dir: record.run.dir,
    startedAt: record.run.startedAt,
    status: record.run.status,
    error: record.run.error ?? null,
    browser: `${record.browser.mode} · ${record.browser.version}`,
    policy: `${record.policy.name}${record.policy.version !== undefined ? ` · version ${record.policy.version}` : ''}${record.policy.hash ? ` · hash ${record.policy.hash}` : ''}`,
    flowVersion: record.flowVersion,
    measure: measureName(primaryMeasure(record)),
    durationMs: figuresOf.durationMs,
  });
  const view = {
    title: `flow comparison: ${a.workflow.name} vs ${b.workflow.name}`,
    flowVersion: b.flowVersion,
    unit,
    mixedMeasures: units[0] !== units[1],
    runs: [run(a, 'A', fa), run(b, 'B', fb)],
    rows: [
      row(`Peak memory, ${unit}`, fa.peakMb, fb.peakMb, mb, true),
      row(`Mean memory, ${unit}`, fa.meanMb, fb.meanMb, mb, true),
      row(`Growth, first to last, ${unit}`, fa.growthMb, fb.growthMb, signedMb, true),
      row(`Growth per page, ${unit}`, fa.slopeMbPerPage, fb.slopeMbPerPage, (v) => fixed(v, 3), true),
      row(`Growth per minute, ${unit}`, fa.slopeMbPerMinute, fb.slopeMbPerMinute, (v) => fixed(v, 2), true),
      row('Pages per second', fa.pagesPerSecond, fb.pagesPerSecond, (v) => fixed(v, 2), false),
      row('Duration', fa.durationMs, fb.durationMs, duration, true),
      row('Pages visited', a.counts.pagesVisited, b.counts.pagesVisited, count, false),
      row('Records extracted', a.counts.records, b.counts.records, count, false),
    ],
    timeChart: chart('compare-time', 'time', `Total memory over time, run A and run B, ${unit}`),
    pagesChart: chart('compare-pages', 'pages', `Total memory against pages visited, run A and run B, ${unit}`),
    policies: policies.map((policy, i) => ({ ...policy, label: i ? 'B' : 'A' })),
    samePolicy: policies[0].hash !== null && policies[0].hash === policies[1].hash,
    differences: differingSettings(policies[0], policies[1]),
  };
  return renderPage('compare', { ...view, chartData: { charts, stepTitles: [] } }, options.templateDir);
}

function figures(record: RunRecord, measure: Measure): Figures {
  const totals = record.samples.map((sample) => sampleTotal(sample, measure)).filter((value): value is number => value !== undefined);
  const stats = record.stats?.total;
  const durationMs = record.run.durationMs ?? null;
  return {
    peakMb: stats?.maxMb ?? (totals.length ? Math.max(...totals) : null),
    meanMb: stats?.meanMb ?? (totals.length ? totals.reduce((x, y) => x + y, 0) / totals.length : null),
    growthMb: stats?.growthMb ?? (totals.length ? totals[totals.length - 1] - totals[0] : null),
    slopeMbPerPage: stats?.slopeMbPerPage ?? null,
    slopeMbPerMinute: stats?.slopeMbPerMinute ?? null,
    pagesPerSecond: record.stats?.pagesPerSecond ?? (durationMs ? record.counts.pagesVisited / (durationMs / 1000) : null),
    durationMs,
  };
}

/** One run's total as a line, against time or pages visited, downsampled keeping its extremes. */
function group(label: string, record: RunRecord, measure: Measure, xAxis: 'time' | 'pages', cls: string): SeriesGroup {
  const key = (sample: MemorySample) => (xAxis === 'time' ? sample.t : sample.pagesVisited);
  const usable = record.samples.filter((sample) => sampleTotal(sample, measure) !== undefined && key(sample) !== undefined);
  const kept = minMaxIndices(usable.map((sample) => sampleTotal(sample, measure)!)).map((i) => usable[i]);
  const unit = `MB ${measureName(measure)}`;
  return {
    label: `${label}: ${record.workflow.name}`,
    keys: kept.map((sample) => key(sample)!),
    stacked: [],
    lines: [{ label: `total, run ${label}`, cls, unit, values: kept.map((sample) => sampleTotal(sample, measure)!) }],
    extra: xAxis === 'pages' ? [{ label: 'time', cls: '', unit: 's', values: kept.map((sample) => Math.round(sample.t / 1000)) }] : [],
  };
}
