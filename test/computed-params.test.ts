import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { flowRunner } from './support/run-flow.js';

const runner = flowRunner(mkdtempSync(join(tmpdir(), 'flow-computed-site-')), 'computed');
after(() => runner.cleanup());

test('a value computed at run time is checked against the step schema: a loop never silently runs zero times', async () => {
  const bad = await runner.run(
    `  - forEach:
      items: [1, 2, 3]
      concurrency: \${{ conc }}
      steps:
        - log: "item \${{ item }}"
`,
    { head: 'vars:\n  conc: two' },
  );
  assert.equal(bad.exitCode, 1);
  assert.match(String(bad.error), /concurrency is "two" here \(from \$\{\{ conc \}\}\), but it must be a whole number of at least 1/);
  assert.match(String(bad.error), /flow\.yaml:7:5/, 'located at the step');

  // Text that reads as a number (a CSV cell, a page's text) is taken as one.
  const text = await runner.run(
    `  - forEach:
      items: [1, 2, 3]
      limit: \${{ limit }}
      steps:
        - log: "item \${{ item }}"
`,
    { head: 'vars:\n  limit: "2"' },
  );
  assert.equal(text.exitCode, 0, text.error);
  assert.deepEqual(text.logs.filter((line) => line.startsWith('item ')), ['item 1', 'item 2']);
});
