import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RunRecord } from '../runner/run-record.js';
import { renderPage } from './templates.js';
import { reportView } from './view.js';

export { renderComparison } from './compare.js';
export { readRun, readRunRecord } from './read.js';

export interface ReportOptions {
  /** A folder of templates laid over the shipped reports/ folder: same-named files replace flow's. */
  templateDir?: string;
  /** Folder the report will be saved in, for relative links to screenshots; the run folder by default. */
  reportDir?: string;
}

/** The run's memory report: one self-contained HTML page that makes no network request. */
export function renderReport(record: RunRecord, options: ReportOptions = {}): string {
  const { view, chartData } = reportView(record, { reportDir: options.reportDir ?? record.run.dir });
  return renderPage('report', { ...view, chartData }, options.templateDir);
}

/** Renders the report and writes it to `path`, creating its folder. */
export function writeReport(record: RunRecord, path: string, options: ReportOptions = {}): void {
  const file = resolve(path);
  const html = renderReport(record, { reportDir: dirname(file), ...options });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
}
