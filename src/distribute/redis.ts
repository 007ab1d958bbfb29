import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { InputError } from '../runner/diagnostics.js';
import { parseDuration } from '../runner/duration.js';
import { sleep } from '../runner/sleep.js';
import type { Distribution, Lease, SharedQueue, WorkShare } from './types.js';

/** A lease not renewed for this long is taken to belong to a worker that died; its item goes to another. */
export const DEFAULT_LEASE_MS = 30_000;
const MIN_LEASE_MS = 1000;
/** A worker with nothing to take looks again after this, doubling up to the most. */
const POLL_FIRST_MS = 100;
const POLL_MOST_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

export interface QueueSpec {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** Keys live under flow:<name>:; default: the workflow's name and a hash of its steps. */
  name?: string;
  leaseMs: number;
  /** The address as shown anywhere: without the password. */
  shown: string;
}

/**
 * `redis://[user:password@]host[:port][/db][?name=NAME&lease=30s]` (or rediss:// for TLS).
 * The password is a secret: it never reaches the journal or the console (`shown` leaves it out).
 * One given in the address shows in the process list; FLOW_REDIS_PASSWORD, read when the
 * address has none, does not.
 */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = process.env): QueueSpec {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    usage(`--queue: "${hidePassword(text)}" is not a Redis address; write it like redis://127.0.0.1:6379/0`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') usage(`--queue: ${url.protocol}// is not Redis; write redis://HOST:PORT/DB (or rediss:// for TLS)`);
  if (!url.hostname) usage('--queue: the Redis address has no host; write redis://HOST:PORT/DB');
  const dbText = url.pathname.replace(/^\//, '') || '0';
  if (!/^\d+$/.test(dbText)) usage(`--queue: the database must be a number (redis://HOST:PORT/0), not "${dbText}"`);
  const known = new Set(['name', 'lease']);
  for (const key of url.searchParams.keys()) if (!known.has(key)) usage(`--queue: the Redis address takes ?name= and ?lease=, not ?${key}=`);
  const name = url.searchParams.get('name') ?? undefined;
  if (name !== undefined && !/^[\w.-]{1,100}$/.test(name)) usage(`--queue: ?name= takes letters, digits, . _ and - (at most 100), not "${name}"`);
  let leaseMs = DEFAULT_LEASE_MS;
  const lease = url.searchParams.get('lease');
  if (lease !== null) {
    try {
      leaseMs = parseDuration(lease);
    } catch (error) {
      usage(`--queue: ?lease=${lease}: ${(error as Error).message}`);
    }
    if (leaseMs < MIN_LEASE_MS) usage(`--queue: ?lease= must be at least 1s, not ${lease}: a worker renews it every third of it`);
  }
  const password = url.password ? decodeURIComponent(url.password) : env.FLOW_REDIS_PASSWORD || undefined;
  const shownUrl = new URL(url.href);
  shownUrl.password = '';
  shownUrl.username = url.username;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db: Number(dbText),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password,
    tls: url.protocol === 'rediss:',
    name,
    leaseMs,
    shown: shownUrl.href,
  };
}

function hidePassword(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

function usage(message: string): never {
  throw new InputError([{ file: 'command line', message }]);
}

// Each script reads and changes one loop's keys at once: Redis runs a script without anything in between.
const OFFER = `
local out = {}
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    out[#out + 1] = -1
  else
    local index = redis.call('INCR', KEYS[4]) - 1
    redis.call('HSET', KEYS[1], ARGV[i], index)
    redis.call('HSET', KEYS[2], index, ARGV[i + 1])
    redis.call('RPUSH', KEYS[3], index)
    out[#out + 1] = index
  end
end
return out`;

// A lease whose time ran out is taken first: its worker stopped renewing it (it died, or hangs).
const TAKE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local index = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1)[1]
if not index then
  local limit = tonumber(ARGV[3])
  if limit == 0 or tonumber(redis.call('GET', KEYS[6]) or '0') < limit then
    index = redis.call('LPOP', KEYS[1])
  end
end
if not index then return {-1, redis.call('ZCARD', KEYS[2])} end
local attempt = redis.call('HINCRBY', KEYS[4], index, 1)
if attempt == 1 then redis.call('INCR', KEYS[6]) end
local token = ARGV[1] .. '#' .. attempt
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), index)
redis.call('HSET', KEYS[3], index, token)
return {tonumber(index), attempt, token, redis.call('HGET', KEYS[5], index)}`;

// Only the holder of the current lease completes: one that lost it (it ran out, another took it) is told so.
const COMPLETE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return 1`;

const RENEW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local lost = {}
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[1]), ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost`;

const RELEASE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[1])
return 1`;

interface QueueCommands {
  flowOffer(...args: string[]): Promise<number[]>;
  flowTake(...args: string[]): Promise<[number, number?, string?, string?]>;
  flowComplete(...args: string[]): Promise<number>;
  flowRenew(...args: string[]): Promise<string[]>;
  flowRelease(...args: string[]): Promise<number>;
}

export interface RedisDistributionOptions {
  spec: QueueSpec;
  /** The namespace when the address names none: the workflow's name and a hash of its steps. */
  defaultName: string;
  /** What the workflow does (a hash of its steps, vars and output): workers of another version are refused. */
  identity: string;
  signal: AbortSignal;
  log(message: string): void;
}

/**
 * Workers sharing loops through one Redis, in the way of BullMQ's job locks: an entry is taken
 * under a lease (a token and an expiry), renewed by a heartbeat every third of its length; a
 * worker that stops renewing loses it when it runs out, and the next worker to take one gets
 * that entry again. Completion checks the token, so exactly one attempt wins each entry.
 */
export async function redisDistribution(options: RedisDistributionOptions): Promise<Distribution> {
  const { spec } = options;
  // Containers often run flow as pid 1 under like names: the random part keeps two workers apart.
  const worker = `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const name = spec.name ?? options.defaultName;
  // Loaded here: most runs have no queue, and ioredis takes 100 ms to load.
  const { Redis } = await import('ioredis');
  const redis = new Redis({
    host: spec.host,
    port: spec.port,
    db: spec.db,
    username: spec.username,
    password: spec.password,
    tls: spec.tls ? {} : undefined,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 5,
    retryStrategy: (times) => (times > 10 ? null : Math.min(times * 200, 2000)),
  });
  let lastError = '';
  // Without a listener ioredis would print every failed reconnection; the first command to fail says why.
  redis.on('error', (error: Error) => (lastError = error.message));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new InputError([{ file: '--queue', message: `the Redis at ${spec.shown} cannot be reached: ${lastError || (error as Error).message}`, hint: 'start Redis there, or check the address, port and password' }]);
  }
  const commands = redis as unknown as Redis & QueueCommands;
  /** A Redis that stops answering mid-run fails the run in plain words; what was committed stays, and merge keeps it. */
  const call = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw new Error(`the Redis queue at ${spec.shown} failed: ${lastError || (error as Error).message}`);
    }
  };
  commands.defineCommand('flowOffer', { numberOfKeys: 4, lua: OFFER });
  commands.defineCommand('flowTake', { numberOfKeys: 6, lua: TAKE });
  commands.defineCommand('flowComplete', { numberOfKeys: 3, lua: COMPLETE });
  commands.defineCommand('flowRenew', { numberOfKeys: 2, lua: RENEW });
  commands.defineCommand('flowRelease', { numberOfKeys: 3, lua: RELEASE });

  const prefix = `flow:${name}:`;
  const meta = await redis.hsetnx(`${prefix}meta`, 'workflow', options.identity);
  if (meta === 0 && (await redis.hget(`${prefix}meta`, 'workflow')) !== options.identity) {
    redis.disconnect();
    throw new InputError([
      { file: '--queue', message: `the queue "${name}" on ${spec.shown} belongs to another version of this workflow (its steps, vars or output differ): the two would mix records`, hint: 'give this version a queue of its own: add ?name=SOMETHING-NEW to the address' },
    ]);
  }

  const held = new Map<string, { prefix: string; index: number; token: string }>();
  const heartbeat = setInterval(() => {
    const byLoop = new Map<string, string[]>();
    for (const lease of held.values()) {
      const args = byLoop.get(lease.prefix) ?? [];
      args.push(String(lease.index), lease.token);
      byLoop.set(lease.prefix, args);
    }
    for (const [loop, args] of byLoop) {
      commands.flowRenew(`${loop}owner`, `${loop}leases`, String(spec.leaseMs), ...args).then(
        (lost) => {
          if (lost.length) options.log(`lost the lease of item(s) ${lost.join(', ')} to another worker (this one did not renew it in time): what this one commits for them is left out of the merge if the other's attempt wins`);
        },
        (error: Error) => options.log(`could not renew leases in Redis: ${error.message}`),
      );
    }
  }, Math.max(200, Math.floor(spec.leaseMs / 3)));

  const shares = new Map<string, WorkShare>();
  const limits = new Map<string, number>();
  const queueFor = (loop: string): SharedQueue => {
    const keys = (...names: string[]) => names.map((key) => `${prefix}${loop}:${key}`);
    const loopPrefix = `${prefix}${loop}:`;
    return {
      async offer(entries) {
        if (!entries.length) return [];
        const args = entries.flatMap(({ key, data }) => [key, JSON.stringify({ key, data })]);
        return call(() => commands.flowOffer(...keys('keys', 'data', 'queue', 'next'), ...args));
      },
      async take() {
        for (let wait = POLL_FIRST_MS; ; wait = Math.min(wait * 2, POLL_MOST_MS)) {
          if (options.signal.aborted) throw options.signal.reason;
          const [index, attempt, token, payload] = await call(() => commands.flowTake(...keys('queue', 'leases', 'owner', 'tries', 'data', 'taken'), worker, String(spec.leaseMs), String(limits.get(loop) ?? 0)));
          if (index >= 0 && token && payload) {
            const entry = JSON.parse(payload) as { key: string; data: unknown };
            held.set(token, { prefix: loopPrefix, index, token });
            const lease: Lease = {
              key: entry.key,
              index,
              data: entry.data,
              attempt: attempt ?? 1,
              token,
              complete: async () => {
                held.delete(token);
                return (await call(() => commands.flowComplete(...keys('owner', 'leases', 'done'), String(index), token))) === 1 ? 'won' : 'lost';
              },
              release: async () => {
                held.delete(token);
                await call(() => commands.flowRelease(...keys('owner', 'leases', 'queue'), String(index), token));
              },
            };
            return lease;
          }
          // Nothing waits and nobody holds a lease: every entry is done.
          if (attempt === 0) return undefined;
          await sleep(wait, options.signal);
        }
      },
    };
  };
  return {
    label: `worker ${worker} on ${spec.shown} (queue ${name})`,
    worker,
    forLoop(loop, limit) {
      if (limit !== undefined) limits.set(loop, limit);
      let share = shares.get(loop);
      if (!share) shares.set(loop, (share = { owns: () => true, queue: queueFor(loop) }));
      return share;
    },
    async close() {
      clearInterval(heartbeat);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
