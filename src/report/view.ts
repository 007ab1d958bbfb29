import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { MemoryStats } from '../memory/types.js';
import type { RunEvent, RunRecord, StepRecord } from '../runner/run-record.js';
import { budgetDecision } from '../memory/rules/budget.js';
import { describeAssertion, type MemoryAssertion } from '../memory/assertions.js';
import type { ChartData, ChartView } from './chart.js';
import { shownFile } from './format.js';
import { KINDS, measureName, primaryMeasure, remoteBrowserNote, RSS_CAVEAT, sampleTotal } from './measure.js';
import { pageMetrics, type PageMetricsView } from './page-metrics.js';
import { policyView, type PolicyView } from './policy-view.js';
import { primaryUnit, segmentGaps, stepTitles, timelineChart } from './timeline.js';

/** Tables of events list this many rows and say how many more there were. */
const MAX_ROWS = 200;

export interface ReportView {
  title: string;
  flowVersion: string;
  unit: string;
  summary: Record<string, unknown>;
  timeline: { pss: TimelineView | null; rss: TimelineView | null; rssCaveat: string; legend: { cls: string; label: string }[] } | null;
  pageMetrics: PageMetricsView | null;
  steps: (StepRecord & { where: string; meanMs: number | null; flagged: boolean })[];
  stats: { rows: StatsRow[]; pagesPerSecond: number; samplerOverheadPct: number; leakChecksOverheadPct: number | null } | null;
  alerts: Listed<Extract<RunEvent, { type: 'alert' }>>;
  leaks: Listed<Extract<RunEvent, { type: 'leak' }> & { step: string | null; where: string | null }>;
  actions: Listed<ActionRow>;
  failures: Listed<RunRecord['failures'][number] & { where: string; screenshotHref: string | null; t: number | null }>;
  sections: SectionView[];
  policy: PolicyView;
  blocked: { type: string; count: number }[];
  assertions: (Omit<MemoryAssertion, 'measuredMb'> & { measuredMb: number | null; failed: boolean; where: string; text: string })[];
  /** A merged run: each shard or worker with its own memory timeline (they ran on machines of their own). */
  parts: { mode: string; rows: PartView[]; duplicates: number } | null;
}

interface PartView {
  label: string;
  status: string;
  itemsDone: number;
  records: number;
  pagesVisited: number;
  durationMs: number;
  peakMb: number | null;
  pagesPerSecond: number | null;
  chart: ChartView | null;
}

/** A control step's figures (a crawl's): counts, a rate, bars with their width in percent, a list. */
interface SectionView {
  anchor: string;
  kind: string;
  title: string;
  where: string;
  counts: Array<{ label: string; value: number }>;
  rate: { label: string; value: number } | null;
  histogram: { title: string; bars: Array<{ label: string; value: number; pct: number }> } | null;
  list: { title: string; rows: Array<{ url: string; text: string }>; more: number } | null;
}

interface TimelineView {
  chart: ChartView;
  label: string;
}

interface StatsRow extends MemoryStats {
  label: string;
  isTotal: boolean;
}

interface ActionRow {
  t: number;
  what: string;
  reason: string;
  beforeMb: number | null;
  afterMb: number | null;
  freedMb: number | null;
  durationMs: number | null;
  effect: string;
}

interface Listed<T> {
  rows: T[];
  /** How many rows were left out, and how many there were in all. */
  more: number;
  total: number;
}

export interface ReportViewOptions {
  /** Folder the report is written to: links to screenshots are relative to it. */
  reportDir: string;
}

/** Everything the report templates show, and the JSON the chart tooltips read. */
export function reportView(record: RunRecord, options: ReportViewOptions): { view: ReportView; chartData: unknown } {
  const base = dirname(record.workflow.file);
  const measure = primaryMeasure(record);
  // A merged run measured nothing itself: its parts did.
  const unit = primaryUnit(record.parts?.[0]?.record ?? record);
  const titles = stepTitles(record);
  const charts: Record<string, ChartData> = {};

  const pss = timelineChart(record, 'pss', titles);
  const rss = timelineChart(record, 'rss', titles);
  for (const chart of [pss, rss]) if (chart) charts[chart.view.id] = chart.data;
  const shownKinds = new Set([...(pss?.kinds ?? []), ...(rss?.kinds ?? [])]);
  const pages = pageMetrics(record);
  Object.assign(charts, pages?.data);

  const remote = remoteBrowserNote(record) ?? null;
  const totals = record.samples.map((sample) => sampleTotal(sample, measure)).filter((mb): mb is number => mb !== undefined);
  const peakMb = record.stats?.total.maxMb ?? (totals.length ? Math.max(...totals) : null);
  const meanMb = record.stats?.total.meanMb ?? (totals.length ? totals.reduce((a, b) => a + b, 0) / totals.length : null);
  const stepById = new Map(record.steps.map((step) => [step.id, step]));
  const timeOf = (at: string) => {
    const t = Date.parse(at) - Date.parse(record.run.startedAt);
    return Number.isFinite(t) ? t : null;
  };

  const view: ReportView = {
    title: `flow report: ${record.workflow.name}`,
    flowVersion: record.flowVersion,
    unit,
    summary: {
      workflow: { ...record.workflow, file: shownFile(record.workflow.file, base), description: record.workflow.description ?? null },
      status: record.run.status,
      error: record.run.error ?? null,
      startedAt: record.run.startedAt,
      endedAt: record.run.endedAt ?? null,
      durationMs: record.run.durationMs ?? null,
      activeMs: record.run.activeMs ?? null,
      segments: record.run.segments?.length ?? 1,
      resumes: Math.max(0, (record.run.segments?.length ?? 1) - 1),
      gaps: segmentGaps(record),
      crashes: (record.counts.browserCrashes ?? 0) + (record.counts.pageCrashes ?? 0),
      duplicates: record.counts.duplicates ?? 0,
      browser: record.browser,
      counts: record.counts,
      blockedTotal: Object.values(record.counts.requestsBlocked).reduce((a, b) => a + b, 0),
      peakMb,
      meanMb,
      growthMb: record.stats?.total.growthMb ?? null,
      slopeMbPerPage: record.stats?.total.slopeMbPerPage ?? null,
      trend: record.stats?.total.trend ?? null,
      pagesPerSecond: record.stats?.pagesPerSecond ?? null,
      samples: record.samples.length,
      measure: measureName(measure),
      remote,
      runDir: record.run.dir,
      runId: record.run.id,
      dataset: record.output.dataset,
    },
    timeline:
      pss || rss
        ? {
            pss: pss ? { chart: pss.view, label: 'PSS' } : null,
            rss: rss ? { chart: rss.view, label: RSS_CAVEAT } : null,
            rssCaveat: RSS_CAVEAT,
            legend: KINDS.filter(({ kind }) => shownKinds.has(kind)).map(({ kind, label }) => ({ cls: `k-${kind}`, label })),
          }
        : null,
    pageMetrics: pages?.view ?? null,
    steps: record.steps.map((step) => ({
      ...step,
      file: shownFile(step.file, base),
      where: `${shownFile(step.file, base)}:${step.line}`,
      meanMs: step.runs ? step.totalMs / step.runs : null,
      flagged: step.deltaMb !== undefined && step.runs > 0 && step.deltaMb / step.runs > record.policy.settings.leaks.stepGrowthMb,
    })),
    stats: record.stats
      ? {
          rows: [
            { ...record.stats.total, label: remote ? "total: flow's process only, the browser is remote" : 'total', isTotal: true },
            ...KINDS.flatMap(({ kind, label }) => (record.stats!.byKind[kind] ? [{ ...record.stats!.byKind[kind], label, isTotal: false }] : [])),
          ],
          pagesPerSecond: record.stats.pagesPerSecond,
          samplerOverheadPct: record.stats.samplerOverheadPct,
          leakChecksOverheadPct: record.stats.leakChecksOverheadPct ?? null,
        }
      : null,
    alerts: listed(record.events.filter(isType('alert'))),
    leaks: listed(
      record.events.filter(isType('leak')).map((leak) => ({
        ...leak,
        step: leak.stepId ? (stepById.get(leak.stepId)?.title ?? leak.stepId) : null,
        where: leak.file ? `${shownFile(leak.file, base)}${leak.line ? `:${leak.line}` : ''}` : null,
      })),
    ),
    actions: listed(record.events.flatMap(actionRow)),
    failures: listed(
      record.failures.map((failure) => ({
        ...failure,
        recovered: failure.recovered ?? false,
        where: `${shownFile(failure.file, base)}:${failure.line}`,
        screenshotHref: failure.screenshot ? screenshotHref(record.run.dir, failure.screenshot, options.reportDir) : null,
        t: timeOf(failure.at),
      })),
    ),
    sections: (record.sections ?? []).map((section, i): SectionView => {
      const step = stepById.get(section.stepId);
      const top = Math.max(1, ...(section.histogram?.bars.map((bar) => bar.value) ?? []));
      return {
        anchor: `section-${i + 1}`,
        kind: step?.kind ?? 'step',
        title: step?.title ?? section.stepId,
        where: step ? `${shownFile(step.file, base)}:${step.line}` : '',
        counts: section.counts,
        rate: section.rate ?? null,
        histogram: section.histogram ? { title: section.histogram.title, bars: section.histogram.bars.map((bar) => ({ ...bar, pct: Math.round((bar.value / top) * 1000) / 10 })) } : null,
        list: section.list ?? null,
      };
    }),
    policy: policyView(record.policy, base),
    assertions: (record.assertions ?? []).map((assertion) => ({
      ...assertion,
      measuredMb: assertion.measuredMb ?? null,
      failed: assertion.status === 'failed',
      where: assertion.file ? `${shownFile(assertion.file, base)}:${assertion.line}` : assertion.settingAt,
      text: describeAssertion(assertion),
    })),
    blocked: Object.entries(record.counts.requestsBlocked)
      .map(([type, count]) => ({ type, count }))
      .sort((a, b) => b.count - a.count),
    parts: record.parts
      ? {
          mode: record.merge?.mode === 'queue' ? 'Workers' : 'Shards',
          duplicates: record.merge?.duplicates ?? 0,
          rows: record.parts.map(({ label, record: part }, i) => {
            // One time axis for all: the merged run's, so the parts' timelines line up.
            const chart = timelineChart({ ...part, run: { ...part.run, durationMs: record.run.durationMs } }, primaryMeasure(part), stepTitles(part), `part-${i}`);
            if (chart) charts[chart.view.id] = chart.data;
            return { label, status: part.run.status, itemsDone: part.counts.itemsDone, records: part.counts.records, pagesVisited: part.counts.pagesVisited, durationMs: part.run.durationMs ?? 0, peakMb: part.stats?.total.maxMb ?? null, pagesPerSecond: part.stats?.pagesPerSecond ?? null, chart: chart?.view ?? null };
          }),
        }
      : null,
  };
  return { view, chartData: { charts, stepTitles: titles.titles } };
}

function isType<T extends RunEvent['type']>(type: T) {
  return (event: RunEvent): event is Extract<RunEvent, { type: T }> => event.type === type;
}

function listed<T>(rows: T[]): Listed<T> {
  return { rows: rows.slice(0, MAX_ROWS), more: Math.max(0, rows.length - MAX_ROWS), total: rows.length };
}

/** What flow did to memory, and what it gained: actions, recycles and collections. */
function actionRow(event: RunEvent): ActionRow[] {
  const gain = (before?: number, after?: number) => ({
    beforeMb: before ?? null,
    afterMb: after ?? null,
    freedMb: before !== undefined && after !== undefined ? before - after : null,
  });
  switch (event.type) {
    case 'action':
      return [{ t: event.t, what: event.action, reason: event.reason, ...gain(event.beforeMb, event.afterMb), durationMs: event.durationMs ?? null, effect: event.effect }];
    case 'recycle':
      return [{ t: event.t, what: event.what === 'browser' ? 'browser restart' : 'context recycle', reason: event.reason, ...gain(event.beforeMb, event.afterMb), durationMs: event.durationMs, effect: '' }];
    case 'budget':
      return [{ t: event.t, what: budgetDecision(event), reason: event.reason, beforeMb: event.totalMb ?? null, afterMb: null, freedMb: null, durationMs: null, effect: '' }];
    case 'gc':
      return [{ t: event.t, what: 'garbage collection', reason: event.reason, ...gain(event.beforeMb, event.afterMb), durationMs: event.durationMs ?? null, effect: `${event.pages} page(s)${event.jsHeapBeforeMb !== undefined && event.jsHeapAfterMb !== undefined ? `, their JS heap ${event.jsHeapBeforeMb.toFixed(1)} → ${event.jsHeapAfterMb.toFixed(1)} MB` : ''}` }];
    default:
      return [];
  }
}

/**
 * A relative link from the report's folder to a screenshot in the run folder, each segment
 * URL-encoded so a name cannot turn into a scheme or a query. Anything outside the run folder
 * gets no link.
 */
function screenshotHref(runDir: string, screenshot: string, reportDir: string): string | null {
  const file = join(runDir, screenshot);
  const inRun = relative(runDir, file);
  if (isAbsolute(screenshot) || !inRun || inRun.startsWith('..') || isAbsolute(inRun)) return null;
  const rel = relative(reportDir, file);
  if (isAbsolute(rel)) return null;
  return rel.split(sep).map((segment) => (segment === '..' ? segment : encodeURIComponent(segment))).join('/');
}
