import { Command, CommanderError, Option } from 'commander';
import { BrowserStartError } from '../browser/find-errors.js';
import { InputError } from '../runner/diagnostics.js';
import { FLOW_VERSION } from '../runner/run.js';
import { printProblem } from './output.js';
import { validateCommand } from './commands/validate.js';
import { resumeCommand, runCommand } from './commands/run.js';
import { initCommand } from './commands/init.js';
import { schemaCommand } from './commands/schema.js';
import { policyShowCommand } from './commands/policy.js';
import { compareCommand, reportCommand } from './commands/report.js';
import { mergeCommand } from './commands/merge.js';
import { installBrowserCommand } from './commands/install-browser.js';
import { EXIT } from './exit-codes.js';

const program = new Command('flow')
  .description('Run browser automation written as YAML, with the browser\'s memory under control.')
  .version(FLOW_VERSION, '-v, --version', 'print the version of flow')
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'flow: ')) });

const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('validate')
  .description('check workflow and policy files without running them; prints every problem with file:line:col')
  .argument('<files...>', 'workflow or policy files (.yaml)')
  .action(async (files: string[]) => {
    process.exitCode = validateCommand(files);
  });

program
  .command('run')
  .description('validate a workflow, then run it in Chromium under its memory policy')
  .argument('<file>', 'the workflow file')
  .option('--var <name=value>', 'set a workflow variable (repeatable)', collect, [])
  .option('--out <dir>', 'the run folder (default runs/<time>-<name>/); one that holds a run is refused unless --overwrite')
  .option('--resume <dir>', 'continue the run in this folder where it stopped (killed, interrupted, crashed)')
  .option('--overwrite', 'start afresh in an --out folder that holds a run, replacing it')
  .option('--policy <file>', 'the memory policy file (overrides the workflow\'s policy:)')
  .option('--max-pages <n>', 'at most this many pages open at once (overrides the policy)')
  .option('--block <types>', 'block resource types, comma-separated: image,media,font,stylesheet,script, or none (overrides the policy; a budget then blocks nothing on its own)')
  .option('--budget <size>', 'the memory flow plus its browser may use (PSS), e.g. 700MB or 1GB: flow sets concurrency, recycling and garbage collection to stay under it (overrides the policy\'s budgetMb; auto, off)')
  .addOption(new Option('--reporter <name>', 'also write a report for CI: junit (JUnit XML: one testcase per memory assertion and per failed step)').choices(['junit']))
  .option('--reporter-out <file>', 'where --reporter writes (default: junit.xml in the run folder)')
  .option('--headed', 'show the browser window')
  .option('--env-file <file>', 'read environment variables (env: and secrets:) from a file of NAME=value lines; the real environment wins')
  .option('--quiet', 'print only problems and the final summary')
  .addOption(new Option('--json', 'print machine-readable events, one JSON object per line').conflicts('quiet'))
  .option('--shard <i/N>', 'do shard i of N of the items of the workflow\'s loops and crawls (those not inside another loop\'s item) (auto: FLOW_SHARD_INDEX or JOB_COMPLETION_INDEX, and FLOW_SHARD_COUNT); join the shards with flow merge')
  .addOption(new Option('--queue <url>', 'be one of many workers sharing the items of the workflow\'s loops and crawls through Redis: redis://HOST:PORT/DB[?name=NAME&lease=30s]').conflicts('shard'))
  .action(async (file: string, options) => {
    process.exitCode = await runCommand(file, options);
  });

program
  .command('merge')
  .description('join the run folders of the shards of a run (--shard), or of the workers of a queue (--queue), into one: dataset, journal, run.json and report')
  .argument('<runs...>', 'the run folders, one per shard or worker')
  .requiredOption('--out <dir>', 'the folder of the merged run (one that holds a run is refused)')
  .action((runs: string[], options: { out: string }) => {
    process.exitCode = mergeCommand(runs, options);
  });

program
  .command('resume')
  .description('continue a run that was killed, interrupted or crashed, from its journal: finished items are skipped, none is written twice')
  .argument('<run>', 'the run folder')
  .option('--headed', 'show the browser window')
  .option('--env-file <file>', 'as with flow run: the environment the run needs again (its secrets: are never saved)')
  .addOption(new Option('--reporter <name>', 'as with flow run: junit').choices(['junit']))
  .option('--reporter-out <file>', 'where --reporter writes (default: junit.xml in the run folder)')
  .option('--quiet', 'print only problems and the final summary')
  .addOption(new Option('--json', 'print machine-readable events, one JSON object per line').conflicts('quiet'))
  .action(async (run: string, options) => {
    process.exitCode = await resumeCommand(run, options);
  });

program
  .command('init')
  .description('write a commented starter workflow that validates')
  .argument('[name]', 'file name (default: workflow.yaml)')
  .action((name?: string) => {
    process.exitCode = initCommand(name);
  });

program
  .command('schema')
  .description('say where the JSON Schemas are and how to wire them into an editor')
  .option('--write', 'regenerate schemas/ from the step and policy definitions (for flow\'s developers)')
  .action((options: { write?: boolean }) => {
    process.exitCode = schemaCommand(options);
  });

program
  .command('install-browser')
  .description('unpack the Chromium of the npm package @sparticuz/chromium into ~/.cache/flow, for a machine with no browser (Linux x64)')
  .option('--force', 'unpack it again even if it is there')
  .action(async (options: { force?: boolean }) => {
    process.exitCode = await installBrowserCommand(options);
  });

const policy = program.command('policy').description('work with memory policy files');
policy
  .command('show')
  .description('print the effective policy and where each setting comes from')
  .argument('<file>', 'a policy file, or a workflow file (shows the policy it runs under)')
  .option('--max-pages <n>', 'as with flow run')
  .option('--block <types>', 'as with flow run')
  .option('--budget <size>', 'as with flow run')
  .action((file: string, options) => {
    process.exitCode = policyShowCommand(file, options);
  });

program
  .command('report')
  .description('render the HTML memory report of a run again')
  .argument('<run>', 'a run folder (or its run.json)')
  .option('--template <dir>', 'a folder of Handlebars templates to use instead of the built-in ones')
  .option('--out <file>', 'where to write the report (default: report.html in the run folder)')
  .action((run: string, options) => {
    process.exitCode = reportCommand(run, options);
  });

program
  .command('compare')
  .description('render a comparison of two runs: peak, mean, slope, speed, timelines overlaid')
  .argument('<runA>', 'the first run folder')
  .argument('<runB>', 'the second run folder')
  .option('--out <file>', 'where to write the comparison (default: compare.html in the second run folder)')
  .action((runA: string, runB: string, options) => {
    process.exitCode = compareCommand(runA, runB, options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.invalidInput;
  } else if (error instanceof InputError || error instanceof BrowserStartError) {
    printProblem(error);
    process.exitCode = EXIT.invalidInput;
  } else {
    printProblem(error);
    process.exitCode = EXIT.failed;
  }
}
