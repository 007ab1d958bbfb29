import { createHash } from 'node:crypto';
import { InputError } from '../runner/diagnostics.js';
import type { Distribution, WorkShare } from './types.js';

export interface ShardSpec {
  /** From 1. */
  index: number;
  count: number;
}

/** Most shards a run is split into: past this a shard's share is too small to be worth a browser. */
const MAX_SHARDS = 1000;

/**
 * `--shard i/N`, or `--shard auto`: the index and count from the environment. GitHub Actions
 * (or anything else) sets FLOW_SHARD_INDEX, from 1; a Kubernetes Indexed Job sets
 * JOB_COMPLETION_INDEX, from 0, itself. The count is FLOW_SHARD_COUNT either way.
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): ShardSpec {
  if (text.trim() === 'auto') return shardFromEnv(env);
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) usage(`--shard ${text}: write it as i/N (this is shard i of N, from 1), e.g. --shard 2/3, or --shard auto`);
  return checked(Number(match[1]), Number(match[2]), `--shard ${text}`);
}

function shardFromEnv(env: NodeJS.ProcessEnv): ShardSpec {
  const countText = env.FLOW_SHARD_COUNT;
  if (countText === undefined || countText === '') usage('--shard auto: FLOW_SHARD_COUNT is not set; set it to the number of shards (in a Kubernetes Indexed Job, the same as completions)');
  const count = wholeNumber(countText, 'FLOW_SHARD_COUNT');
  if (env.FLOW_SHARD_INDEX !== undefined && env.FLOW_SHARD_INDEX !== '') return checked(wholeNumber(env.FLOW_SHARD_INDEX, 'FLOW_SHARD_INDEX'), count, 'FLOW_SHARD_INDEX');
  if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '') return checked(wholeNumber(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX') + 1, count, 'JOB_COMPLETION_INDEX (from 0)');
  usage('--shard auto: neither FLOW_SHARD_INDEX (from 1) nor JOB_COMPLETION_INDEX (from 0, set by a Kubernetes Indexed Job) is set');
}

function wholeNumber(text: string, name: string): number {
  if (!/^\s*\d+\s*$/.test(text)) usage(`${name} must be a whole number, not "${text}"`);
  return Number(text);
}

function checked(index: number, count: number, what: string): ShardSpec {
  if (count < 1 || count > MAX_SHARDS) usage(`${what}: the number of shards must be from 1 to ${MAX_SHARDS}, not ${count}`);
  if (index < 1 || index > count) usage(`${what}: shard ${index} of ${count} does not exist; shards are numbered 1 to ${count}`);
  return { index, count };
}

function usage(message: string): never {
  throw new InputError([{ file: 'command line', message }]);
}

export function shardLabel(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}

/** The shard an item key belongs to, from 1: the same on every machine and every run. */
export function shardOf(key: string, count: number): number {
  return (createHash('sha256').update(key).digest().readUInt32BE(0) % count) + 1;
}

/** A static share: every shard goes through the same items and does those whose key hashes to it. */
export function shardDistribution(spec: ShardSpec): Distribution {
  const share: WorkShare = { owns: (key) => shardOf(key, spec.count) === spec.index };
  return { label: `shard ${shardLabel(spec)}`, forLoop: () => share, close: async () => {} };
}
