import type { PageMetrics } from '../memory/types.js';
import type { RunRecord } from '../runner/run-record.js';
import { layoutChart, type ChartData, type ChartView } from './chart.js';
import { minMaxIndices } from './downsample.js';
import { count, mb } from './format.js';

/** The pages table lists the heaviest pages only. */
const MAX_PAGES_LISTED = 15;

interface Metric {
  id: string;
  title: string;
  unit: string;
  pick: (page: PageMetrics) => number;
  format: (value: number) => string;
}

const METRICS: Metric[] = [
  { id: 'heap', title: 'JS heap used', unit: 'MB', pick: (page) => page.jsHeapUsedMb, format: mb },
  { id: 'nodes', title: 'DOM nodes', unit: 'nodes', pick: (page) => page.nodes, format: count },
  { id: 'listeners', title: 'Event listeners', unit: 'listeners', pick: (page) => page.listeners, format: count },
];

export interface PageMetricsView {
  charts: { title: string; view: ChartView; peak: string }[];
  pages: { url: string; samples: number; heapMb: number; nodes: number; listeners: number }[];
  morePages: number;
}

/** Charts of the open pages' JS heap, DOM nodes and listeners (summed over pages) and the heaviest pages. */
export function pageMetrics(record: RunRecord): { view: PageMetricsView; data: Record<string, ChartData> } | undefined {
  const samples = record.samples.filter((sample) => sample.pages.length > 0);
  if (!samples.length) return undefined;
  const charts: PageMetricsView['charts'] = [];
  const data: Record<string, ChartData> = {};
  for (const metric of METRICS) {
    const sums = samples.map((sample) => sample.pages.reduce((sum, page) => sum + metric.pick(page), 0));
    const kept = minMaxIndices(sums);
    const chart = layoutChart({
      id: `page-${metric.id}`,
      xAxis: 'time',
      yLabel: metric.unit,
      description: `${metric.title} of all open pages over time`,
      width: 420,
      height: 190,
      groups: [
        {
          keys: kept.map((i) => samples[i].t),
          stacked: [],
          lines: [{ label: `${metric.title}, all open pages`, cls: `m-${metric.id}`, unit: metric.unit, values: kept.map((i) => sums[i]) }],
          extra: [{ label: 'pages open', cls: 'pages', unit: '', values: kept.map((i) => samples[i].pages.length) }],
        },
      ],
      xMax: record.run.durationMs,
    });
    charts.push({ title: metric.title, view: chart.view, peak: `${metric.format(Math.max(...sums))} ${metric.unit}` });
    data[chart.view.id] = chart.data;
  }
  return { view: { charts, ...heaviestPages(samples.flatMap((sample) => sample.pages)) }, data };
}

function heaviestPages(measures: PageMetrics[]): Pick<PageMetricsView, 'pages' | 'morePages'> {
  const byPage = new Map<string, { url: string; samples: number; heapMb: number; nodes: number; listeners: number }>();
  for (const page of measures) {
    // A page reused for many URLs is one row per URL: each document is judged on its own.
    const key = `${page.pageId}\n${page.url}`;
    const entry = byPage.get(key) ?? { url: page.url, samples: 0, heapMb: 0, nodes: 0, listeners: 0 };
    entry.samples++;
    entry.heapMb = Math.max(entry.heapMb, page.jsHeapUsedMb);
    entry.nodes = Math.max(entry.nodes, page.nodes);
    entry.listeners = Math.max(entry.listeners, page.listeners);
    byPage.set(key, entry);
  }
  const sorted = [...byPage.values()].sort((a, b) => b.heapMb - a.heapMb);
  return {
    pages: sorted.slice(0, MAX_PAGES_LISTED),
    morePages: Math.max(0, sorted.length - MAX_PAGES_LISTED),
  };
}
