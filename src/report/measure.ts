import type { MemorySample, ProcessKind } from '../memory/types.js';
import type { RunRecord } from '../runner/run-record.js';

/** PSS shares each shared page among the processes using it; RSS counts it once per process. */
export type Measure = 'pss' | 'rss';

/** Process kinds in stacking order (bottom first), with the names the report uses. */
export const KINDS: readonly { kind: ProcessKind; label: string }[] = [
  { kind: 'runner', label: 'flow (runner)' },
  { kind: 'browser', label: 'browser process' },
  { kind: 'renderer', label: 'renderers' },
  { kind: 'gpu', label: 'GPU' },
  { kind: 'network', label: 'network service' },
  { kind: 'storage', label: 'storage service' },
  { kind: 'utility', label: 'other utilities' },
  { kind: 'other', label: 'other' },
];

export const RSS_CAVEAT = 'RSS, counts shared memory once per process: an over-count';

export function measureName(measure: Measure): 'PSS' | 'RSS' {
  return measure === 'pss' ? 'PSS' : 'RSS';
}

/** PSS when the samples have it (Linux), RSS otherwise: what thresholds and step figures use. */
export function primaryMeasure(record: RunRecord): Measure {
  return record.samples.some((sample) => sample.totalPssMb !== undefined) ? 'pss' : 'rss';
}

export function sampleTotal(sample: MemorySample, measure: Measure): number | undefined {
  return measure === 'pss' ? sample.totalPssMb : sample.totalRssMb;
}

export function kindMb(sample: MemorySample, kind: ProcessKind, measure: Measure): number | undefined {
  const entry = sample.byKind[kind];
  if (!entry) return undefined;
  return measure === 'pss' ? entry.pssMb : entry.rssMb;
}

/**
 * Why the browser's memory is missing, for a browser flow did not start: over browser.connect
 * or a remote browser.cdp its processes are not flow's children and not on this machine, so
 * the totals are flow's own. Undefined when the browser's processes were measured.
 */
export function remoteBrowserNote(record: RunRecord): string | undefined {
  const mode = record.browser.mode;
  if (mode !== 'connect' && mode !== 'cdp') return undefined;
  if (record.samples.some((sample) => sample.processes.length > 0)) return undefined;
  const how = mode === 'connect' ? 'a Playwright server (browser.connect)' : 'a browser reached over CDP (browser.cdp) whose processes are not on this machine';
  return (
    `The browser is remote: flow used ${how}, so its processes could not be measured. ` +
    "Memory totals here are flow's own process; the Pages section has what the browser reports for each page over CDP (JS heap, DOM nodes, listeners). " +
    "Measure the browser's machine or container where it runs (docs/browsers.md)."
  );
}
