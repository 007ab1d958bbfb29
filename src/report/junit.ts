import { describeAssertion } from '../memory/assertions.js';
import type { RunRecord } from '../runner/run-record.js';
import { shownPath } from '../runner/yaml-source.js';

/**
 * A run as JUnit XML, for CI systems that list test results: one testsuite for the workflow,
 * a testcase for the run itself, one per memory assertion of its policy and one per step that
 * failed for good. Every text passes `mask` (the run's secrets) before it is escaped, so a
 * secret is found as it was written.
 */
export function junitXml(record: RunRecord, mask: (text: string) => string): string {
  const text = (value: string) => escapeXml(mask(value));
  const cases: string[] = [];
  const seconds = ((record.run.activeMs ?? 0) / 1000).toFixed(3);
  let failures = 0;
  let skipped = 0;
  const testcase = (classname: string, name: string, where: { file?: string; line?: number }, body = '') =>
    `    <testcase classname="${text(classname)}" name="${text(name)}"${where.file ? ` file="${text(shownPath(where.file))}"` : ''}${where.line ? ` line="${where.line}"` : ''} time="0">${body ? `\n${body}\n    ` : ''}</testcase>`;
  const failure = (type: string, message: string, detail: string) => {
    failures++;
    return `      <failure type="${type}" message="${text(message)}">${text(detail)}</failure>`;
  };

  const runFailed = record.run.status !== 'passed' && record.run.status !== 'running';
  const runError = record.run.error ?? `the run ended ${record.run.status}`;
  cases.push(testcase('flow.run', `run ${record.workflow.name}`, { file: record.workflow.file }, runFailed ? failure('run', firstLine(runError), runError) : ''));
  for (const assertion of record.assertions ?? []) {
    const name = `${assertion.setting}: ${assertion.subject}`;
    let body = '';
    if (assertion.status === 'failed') body = failure('memory-assertion', assertion.message, describeAssertion(assertion));
    else if (assertion.status === 'not-measured') {
      skipped++;
      body = `      <skipped message="${text(assertion.message)}"/>`;
    }
    cases.push(testcase('flow.memory', name, { file: assertion.file, line: assertion.line }, body));
  }
  for (const failed of record.failures) {
    if (failed.recovered || failed.optional) continue;
    const detail = [failed.message, failed.url && `page: ${failed.url}`, failed.item && `item: ${failed.item}`, failed.screenshot && `screenshot: ${failed.screenshot}`].filter(Boolean).join('\n');
    cases.push(testcase('flow.steps', `${failed.title} (${shownPath(failed.file)}:${failed.line})`, { file: failed.file, line: failed.line }, failure('step-failure', firstLine(failed.message), detail)));
  }
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flow" ${counts}>`,
    `  <testsuite name="${text(record.workflow.name)}" ${counts} timestamp="${text(record.run.startedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Text safe in XML content and attributes: markup escaped, and characters XML 1.0 cannot hold dropped. */
export function escapeXml(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
