/**
 * The clustered backend: Redis through @keyv/redis. We create the node-redis client with the
 * `createClient` that @keyv/redis re-exports and hand it to the adapter, so keyv and our
 * native commands share one connection (no second client library, no second socket).
 *
 * Native commands: dedupe is `SET key 1 NX PX ttl`, atomic across replicas. An ordered map
 * is a sorted set of members (all scores 0, so Redis orders them by bytes) plus a hash of
 * values, with a registry set per group listing maps that may hold members; each change runs
 * as one Lua script, so replicas never see half of one.
 *
 * Durability is the server's: a write has returned once Redis acknowledged it, and survives a
 * Redis restart only as far as its persistence settings go (`appendonly yes` with
 * `appendfsync always` for the same guarantee as the SQLite backend).
 */
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createRedisClient, type RedisClient } from '../core/redis-client.js';
import type { MapEntry, OrderedMaps, StoreBackend } from './backend.js';
import { StoreError } from './errors.js';

export interface RedisBackendConfig {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Prefix of every key this store writes. */
  prefix: string;
  /** Deadline for connecting and for `ping`. */
  timeoutMs?: number;
  /** A command Redis has not answered within this long rejects. Default 2000. */
  commandTimeoutMs?: number;
}

const DEFAULTS = { timeoutMs: 5_000, commandTimeoutMs: 2_000 } as const;

// KEYS: order zset, values hash, registry set. ARGV: member, value, map, ttl ms (0: none).
const PUT = `
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], 0, ARGV[1])
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
else
  redis.call('SADD', KEYS[3], ARGV[3])
end
return 1`;

// KEYS: values hash. ARGV: member, value.
const REPLACE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

// KEYS: order zset, values hash. ARGV: limit. Returns member, value, member, value, ...
const RANGE = `
local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local out = {}
for _, member in ipairs(members) do
  local value = redis.call('HGET', KEYS[2], member)
  if value then
    out[#out + 1] = member
    out[#out + 1] = value
  end
end
return out`;

// KEYS: order zset, values hash, registry set. ARGV: member, map.
const REMOVE = `
local removed = redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[3], ARGV[2])
end
return removed`;

export async function openRedisBackend(config: RedisBackendConfig, deps: { logger: Logger }): Promise<StoreBackend> {
  const logger = deps.logger;
  const timeoutMs = config.timeoutMs ?? DEFAULTS.timeoutMs;
  // Fail fast: while Redis is down a command rejects at once (no offline queue that grows without
  // bound) and a hung one after `commandTimeoutMs`; the store's callers retry on their own.
  const client = createRedisClient(config.url, { connectTimeoutMs: timeoutMs, failFast: true, commandTimeoutMs: config.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs });
  client.on('error', (error: unknown) => logger.warn({ err: describeError(error) }, 'store: redis connection error'));
  try {
    await client.connect();
  } catch (error) {
    // A failed connect may already have closed the client, and then destroy() throws.
    if (client.isOpen) client.destroy();
    throw new StoreError('STORE_UNAVAILABLE', `Cannot connect to Redis: ${describeError(error)}`, { cause: error, retryable: true });
  }

  const adapter = new KeyvRedis(client, { throwOnErrors: true, throwOnConnectError: true });
  const keyv = new Keyv({ store: adapter, namespace: undefined, useKeyPrefix: false, throwOnErrors: true });
  keyv.on('error', (error: unknown) => logger.debug({ err: describeError(error) }, 'redis store error'));
  let closed = false;

  return {
    kind: 'redis',
    keyv,
    maps: createRedisMaps(client, config.prefix),
    async setIfAbsent(key, ttlMs) {
      const reply = await client.set(key, '1', { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
      return reply === 'OK';
    },
    async ping() {
      if (closed) throw new StoreError('STORE_CLOSED', 'The store is closed');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([client.ping(), deadline]);
      } catch (error) {
        throw new StoreError('STORE_UNAVAILABLE', `Redis does not answer: ${describeError(error)}`, { cause: error, retryable: true });
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (client.isOpen) await client.close();
    },
  };
}

function createRedisMaps(client: RedisClient, prefix: string): OrderedMaps {
  const base = (group: string): string => `${prefix}:${group}`;
  // The map name is caller data: encoded, it cannot contain ':' and so cannot forge a suffix.
  const orderKey = (group: string, map: string): string => `${base(group)}:${encodeURIComponent(map)}:order`;
  const itemsKey = (group: string, map: string): string => `${base(group)}:${encodeURIComponent(map)}:items`;
  const registryKey = (group: string): string => `${base(group)}:#maps`;

  const listMaps = async (group: string): Promise<Array<{ map: string; size: number }>> => {
    const names = await client.sMembers(registryKey(group));
    if (names.length === 0) return [];
    const sizes = await Promise.all(names.map((map) => client.zCard(orderKey(group, map))));
    return names
      .map((map, index) => ({ map, size: Number(sizes[index] ?? 0) }))
      .filter((entry) => entry.size > 0)
      .sort((a, b) => Buffer.compare(Buffer.from(a.map), Buffer.from(b.map)));
  };

  return {
    async put(group, map, member, value, ttlMs) {
      await client.eval(PUT, {
        keys: [orderKey(group, map), itemsKey(group, map), registryKey(group)],
        arguments: [member, value, map, String(ttlMs ?? 0)],
      });
    },
    async putNew(group, map, entries, ttlMs) {
      // Member by member, as the callers did before: Redis round trips are cheap next to SQLite's.
      for (const entry of entries) {
        const known = await client.hGet(itemsKey(group, map), entry.member);
        await client.eval(PUT, {
          keys: [orderKey(group, map), itemsKey(group, map), registryKey(group)],
          arguments: [entry.member, known ?? entry.value, map, String(ttlMs ?? 0)],
        });
      }
    },
    async replace(group, map, member, value) {
      const reply = await client.eval(REPLACE, { keys: [itemsKey(group, map)], arguments: [member, value] });
      return Number(reply) === 1;
    },
    async get(group, map, member) {
      const value = await client.hGet(itemsKey(group, map), member);
      return value ?? undefined;
    },
    async range(group, map, limit) {
      if (limit <= 0) return [];
      const reply = (await client.eval(RANGE, {
        keys: [orderKey(group, map), itemsKey(group, map)],
        arguments: [String(limit)],
      })) as unknown as string[];
      const entries: MapEntry[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) entries.push({ member: String(reply[i]), value: String(reply[i + 1]) });
      return entries;
    },
    async remove(group, map, member) {
      const reply = await client.eval(REMOVE, {
        keys: [orderKey(group, map), itemsKey(group, map), registryKey(group)],
        arguments: [member, map],
      });
      return Number(reply) === 1;
    },
    async drop(group, map) {
      await client
        .multi()
        .del([orderKey(group, map), itemsKey(group, map)])
        .sRem(registryKey(group), map)
        .exec();
    },
    async list(group) {
      return (await listMaps(group)).map((entry) => entry.map);
    },
    async count(group, map) {
      if (map !== undefined) return Number(await client.zCard(orderKey(group, map)));
      return (await listMaps(group)).reduce((sum, entry) => sum + entry.size, 0);
    },
    async last(group) {
      const maps = await listMaps(group);
      const lasts = await Promise.all(maps.map((entry) => client.zRange(orderKey(group, entry.map), -1, -1)));
      let greatest: string | undefined;
      for (const [member] of lasts) {
        if (member !== undefined && (greatest === undefined || Buffer.compare(Buffer.from(member), Buffer.from(greatest)) > 0)) greatest = member;
      }
      return greatest;
    },
  };
}
