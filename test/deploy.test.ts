import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';

/**
 * The files in deploy/ parse, and every flow command they run, with every flag, is one the CLI's
 * own --help lists: a renamed flag or command fails here, not in someone's cluster.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const deploy = join(root, 'deploy');
const cli = join(root, 'bin/flow.js');

const files = readdirSync(deploy, { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

interface FlowCommand {
  file: string;
  command: string;
  flags: string[];
  text: string;
}

/** flow as a script calls it: `flow`, `npx flow`, or the image's `node /opt/flow/bin/flow.js`. */
const isFlow = (word: string, before: string | undefined) => (word === 'flow' && (before === undefined || ['npx', 'exec', 'then', 'else', 'do'].includes(before))) || (/\/bin\/flow\.js$/.test(word) && before === 'node');

/** `flow SUB ...` in a shell script: the words after flow up to the end of the command. */
function commandsInScript(script: string, file: string): FlowCommand[] {
  const found: FlowCommand[] = [];
  for (const piece of script.split(/\n|&&|\|\||;|\|/)) {
    const words = piece.trim().split(/\s+/);
    const at = words.findIndex((word, i) => isFlow(word, words[i - 1]));
    if (at === -1 || !words[at + 1]) continue;
    found.push({ file, command: words[at + 1], flags: words.slice(at + 2).filter((word) => word.startsWith('--')).map((flag) => flag.replace(/=.*$/, '')), text: piece.trim() });
  }
  return found;
}

/** The words of a YAML list. */
const wordsOf = (node: Node | undefined) => (isSeq(node) ? node.items.map((item) => String(isScalar(item) ? item.value : '')) : []);

/**
 * Kubernetes containers and GitHub Actions steps (run:), anywhere in the documents. A container
 * of flow:latest without a command runs its args with the image's entrypoint, which is flow; one
 * whose command is a shell (under tini or not) runs its args as a script.
 */
function flowCommands(node: Node | null | undefined, file: string, out: FlowCommand[]): void {
  if (isMap(node)) {
    const get = (key: string) => node.get(key, true) as Node | undefined;
    const image = get('image');
    if (isScalar(image) && String(image.value).startsWith('flow:')) {
      const command = wordsOf(get('command'));
      const args = wordsOf(get('args'));
      const shell = command.indexOf('sh');
      if (!command.length) out.push({ file, command: args[0], flags: args.filter((word) => word.startsWith('--')), text: args.join(' ') });
      else if (shell !== -1 && command[shell + 1] === '-c') out.push(...commandsInScript([...command.slice(shell + 2), ...args].join('\n'), file));
      else assert.fail(`${file}: a container of ${String(image.value)} runs ${command.join(' ')}, which this test cannot read`);
    }
    const run = get('run');
    if (isScalar(run) && typeof run.value === 'string') out.push(...commandsInScript(run.value, file));
    for (const pair of node.items) flowCommands(pair.value as Node, file, out);
  } else if (isSeq(node)) {
    for (const item of node.items) flowCommands(item as Node, file, out);
  }
}

const helps = new Map<string, string>();
function help(args: string[]): string {
  const key = args.join(' ');
  if (!helps.has(key)) {
    const result = spawnSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    helps.set(key, result.stdout);
  }
  return helps.get(key)!;
}

const documents = new Map(files.map((name) => [name, parseAllDocuments(readFileSync(join(deploy, name), 'utf8'))] as const));

describe('deploy/', () => {
  test('holds the Kubernetes manifests and the GitHub Actions workflow, each parsing as YAML', () => {
    for (const name of ['github-actions.yml', 'k8s/indexed-job.yaml', 'k8s/workers.yaml']) assert.ok(files.includes(name), `deploy/${name} is missing`);
    for (const [name, docs] of documents) {
      for (const doc of docs) assert.deepEqual(doc.errors.map((error) => error.message), [], name);
    }
  });

  test('every flow command and flag they use is in the CLI\'s --help', () => {
    const commands: FlowCommand[] = [];
    for (const [name, docs] of documents) for (const doc of docs) flowCommands(doc.contents as Node, name, commands);
    const known = new Set([...help([]).matchAll(/^\s{2}([a-z-]+)\b/gm)].map((match) => match[1]));
    const used = new Map(files.map((name) => [name, new Set<string>()]));
    for (const { file, command, flags, text } of commands) {
      assert.ok(known.has(command), `${file}: flow ${command} is not a command (${text})`);
      const options = help([command]);
      for (const flag of flags) assert.match(options, new RegExp(`(^|\\s|, )${flag}\\b`, 'm'), `${file}: flow ${command} has no ${flag} (${text})`);
      used.get(file)!.add(`${command} ${flags.join(' ')}`);
    }
    // What the manifests take for granted about the image: its entrypoint is flow, at this path, under tini.
    const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "\/opt\/flow\/bin\/flow\.js"\]$/m);
    assert.match(dockerfile, /^USER flow$/m);
    assert.match(dockerfile, /--uid 10001\b/);
    const uses = (file: string) => [...used.get(file)!].join('\n');
    assert.match(uses('k8s/indexed-job.yaml'), /^run .*--shard/m);
    assert.match(uses('k8s/indexed-job.yaml'), /^resume/m);
    assert.match(uses('k8s/indexed-job.yaml'), /^merge --out/m);
    assert.match(uses('k8s/workers.yaml'), /^run .*--queue/m);
    assert.match(uses('github-actions.yml'), /^run .*--shard/m);
    assert.match(uses('github-actions.yml'), /^merge --out/m);
  });

  test('the shard counts agree: FLOW_SHARD_COUNT is the Indexed Job\'s completions and the matrix\'s length, and merge is given every shard', () => {
    const [, , job, merge] = documents.get('k8s/indexed-job.yaml')!.map((doc) => doc.toJS());
    assert.equal(job.spec.completionMode, 'Indexed');
    const container = job.spec.template.spec.containers[0];
    assert.equal(Number(container.env.find((env: { name: string }) => env.name === 'FLOW_SHARD_COUNT').value), job.spec.completions);
    assert.match(container.args.join(' '), /--shard auto/);
    const shards = merge.spec.template.spec.containers[0].args.join(' ').match(/\/runs\/shard-\d+/g);
    assert.deepEqual(shards, Array.from({ length: job.spec.completions }, (_, i) => `/runs/shard-${i}`));

    const actions = documents.get('github-actions.yml')![0].toJS();
    const matrix: number[] = actions.jobs.shard.strategy.matrix.shard;
    assert.equal(Number(actions.jobs.shard.env.FLOW_SHARD_COUNT), matrix.length);
    assert.deepEqual(matrix, Array.from({ length: matrix.length }, (_, i) => i + 1), 'FLOW_SHARD_INDEX counts from 1');
    assert.equal(actions.jobs.merge.needs, 'shard');
    const steps: Array<{ uses?: string; run?: string }> = [...actions.jobs.shard.steps, ...actions.jobs.merge.steps];
    assert.ok(steps.some((step) => step.uses?.startsWith('actions/upload-artifact@')));
    assert.ok(steps.some((step) => step.uses?.startsWith('actions/download-artifact@')));
    const merged = actions.jobs.merge.steps.find((step: { run?: string }) => step.run?.includes('flow merge')).run as string;
    for (const shard of matrix) assert.match(merged, new RegExp(`runs/shard-${shard}\\b`));

    const workers = documents.get('k8s/workers.yaml')!.map((doc) => doc.toJS());
    const kinds = workers.map((doc) => `${doc.kind}/${doc.metadata.name}`);
    for (const kind of ['Deployment/flow-redis', 'Service/flow-redis', 'Deployment/flow-workers']) assert.ok(kinds.includes(kind), kinds.join(', '));
    const service = workers.find((doc) => doc.kind === 'Service');
    const flowWorkers = workers.find((doc) => doc.metadata.name === 'flow-workers');
    assert.match(flowWorkers.spec.template.spec.containers[0].args.join(' '), new RegExp(`--queue "redis://${service.metadata.name}:${service.spec.ports[0].port}/0`));
    for (const doc of [job, merge, flowWorkers]) assert.equal(doc.spec.template.spec.containers[0].image, 'flow:latest');
  });
});
