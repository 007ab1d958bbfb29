import { existsSync, writeFileSync } from 'node:fs';
import { EXIT } from '../exit-codes.js';
import { schemasDir } from './schema.js';

const STARTER = `# yaml-language-server: $schema=__SCHEMA__
# A flow workflow. Run it with:  npx flow run __FILE__
# Check it without running:     npx flow validate __FILE__
version: 1
name: __NAME__
description: Opens a page, reads its title and headings, and saves them.

# Variables, used in steps as \${{ name }}. Override with --var start=https://...
vars:
  start: https://example.com

# How much memory the browser may use. See policies/ for shared policy files.
memory:
  maxPages: 2               # never more than two pages open at once
  block:
    types: [media, font]    # the browser never downloads these

steps:
  - goto: \${{ start }}
  - wait: h1                # wait until a heading is on the page
  - extract:                # every extract adds a record to the dataset
      fields:
        title: h1
        firstParagraph: p
  - screenshot: home.png    # saved in the run folder

# Records go to dataset.jsonl in the run folder (runs/...); csv and json work too.
output: dataset.jsonl
`;

export function initCommand(name = 'workflow.yaml'): number {
  const file = /\.ya?ml$/i.test(name) ? name : `${name}.yaml`;
  if (existsSync(file)) {
    process.stderr.write(`flow: ${file} already exists; choose another name (flow init NAME)\n`);
    return EXIT.invalidInput;
  }
  const title = file.replace(/\.ya?ml$/i, '').replace(/^.*\//, '');
  writeFileSync(file, STARTER.replaceAll('__FILE__', file).replaceAll('__NAME__', title).replace('__SCHEMA__', `${schemasDir}workflow.schema.json`));
  console.log(`Wrote ${file}. Next: npx flow validate ${file}, then npx flow run ${file}`);
  return EXIT.ok;
}
