import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pages = fileURLToPath(new URL('../fixtures/memory', import.meta.url));

/** How many heavy pages the workflow visits, and how many at once at most (its loop's concurrency). */
export const HEAVY_PAGES = 30;
export const HEAVY_CONCURRENCY = 6;

/**
 * Writes DIR/flow.yaml: a loop over pages that each hold 60 MB while open
 * (test/fixtures/memory/heavy.html), six at a time. Without a budget it peaked at 908-1336 MB
 * PSS here (989-1253 MB by the kernel's count, Chromium 156). `head` adds top-level keys.
 */
export function writeHeavyPagesWorkflow(dir: string, head = ''): string {
  const file = join(dir, 'flow.yaml');
  writeFileSync(
    file,
    `version: 1\nname: budget\nserve: ${JSON.stringify(pages)}\nreport: false\n${head}steps:\n  - forEach:\n      items: \${{ range(0, ${HEAVY_PAGES}) }}\n      concurrency: ${HEAVY_CONCURRENCY}\n      steps:\n        - goto: \${{ serve.url }}/heavy.html?mb=60&i=\${{ item }}\n        - wait: 300ms\n        - extract:\n            fields: { title: h1 }\n`,
  );
  return file;
}
