import { readFileSync } from 'node:fs';

/**
 * Checks that the crawl did all its work: exactly one record per URL asked for, each from the page
 * it names. Throws with the first few problems otherwise; a benchmark that skipped pages would
 * report a speed it did not reach.
 */
export function checkDataset(path: string, urls: string[]): void {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const expected = new Set(urls);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const [i, line] of lines.entries()) {
    const record = JSON.parse(line) as { url?: string; title?: string };
    if (!record.url || !expected.has(record.url)) {
      problems.push(`line ${i + 1}: a URL not asked for: ${record.url}`);
      continue;
    }
    if (seen.has(record.url)) {
      problems.push(`line ${i + 1}: ${record.url} again`);
      continue;
    }
    seen.add(record.url);
    const title = `Item ${record.url.split('/').pop()}`;
    if (record.title !== title) problems.push(`line ${i + 1}: ${record.url} has the title ${JSON.stringify(record.title)}, not ${title}`);
  }
  if (lines.length !== urls.length) problems.unshift(`${lines.length} records for ${urls.length} URLs`);
  if (seen.size !== urls.length) problems.unshift(`${seen.size} distinct URLs of ${urls.length}`);
  if (problems.length) throw new Error(`the dataset ${path} is not the crawl asked for:\n  ${problems.slice(0, 10).join('\n  ')}`);
}
