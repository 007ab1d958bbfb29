import { isAbsolute, relative } from 'node:path';

/** How figures read in the reports: one place, so the tables, charts and tooltips agree. */

/** Megabytes with one decimal, e.g. "812.3"; "—" when unknown. */
export function mb(value: number | undefined | null): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '—' : value.toFixed(1);
}

/** A change in megabytes with its sign, e.g. "+12.0" or "−3.5". */
export function signedMb(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  const shown = Math.abs(value).toFixed(1);
  if (shown === '0.0') return '0.0';
  return `${value > 0 ? '+' : '−'}${shown}`;
}

/** A duration for a person: "420 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function duration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${pad(Math.floor((seconds % 3600) / 60))} min`;
}

/** Time since the start of the run as a clock: "0:07", "12:30", "1:02:03". */
export function clock(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** An ISO timestamp as "2025-05-01 12:00:03 UTC": the report may be read in any time zone. */
export function timestamp(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A plain number with thousands separators and at most `digits` decimals. */
export function count(value: number | undefined | null, digits = 0): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A number with exactly `digits` decimals, e.g. "0.50". */
export function fixed(value: number | undefined | null, digits: number): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** b / a as "×1.23"; "—" when a is zero or either is unknown. */
export function ratio(a: number | undefined | null, b: number | undefined | null): string {
  if (a === undefined || a === null || b === undefined || b === null || !Number.isFinite(a) || !Number.isFinite(b) || a === 0) return '—';
  return `×${(b / a).toFixed(2)}`;
}

/** A file path relative to `base` (the workflow's folder) when it lies inside it, as written otherwise. */
export function shownFile(path: string | undefined, base: string): string {
  if (!path) return '—';
  if (!isAbsolute(path)) return path;
  const rel = relative(base, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
