/**
 * The leader lock: one Redis key that at most one replica holds at a time.
 *
 * - acquire: `SET lock <owner> NX PX ttl`, and on success `INCR fence` in the same script, so
 *   every acquisition gets a fencing token greater than any before it (a replica that wins the
 *   lock twice gets two different tokens);
 * - renew: compare-and-extend in Lua: the TTL is pushed out only while the key still holds our
 *   owner token AND the fence is still ours, so a leader whose lock expired and was taken by
 *   another (even for a moment) learns it at its next renewal instead of extending someone
 *   else's term;
 * - release: compare-and-delete, so a leader never deletes a lock it no longer holds.
 *
 * The owner token is random per elector (a restarted process is a new owner). Nothing here
 * keeps time: the elector (leader-elector.ts) decides when a term is over on its own clock.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';

// KEYS: lock, fence. ARGV: owner, ttl ms. Returns the new fence, or 0 when the lock is held.
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;

// KEYS: lock, fence. ARGV: owner, ttl ms, fence. 1 when extended, 0 when not ours any more.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS: lock. ARGV: owner. 1 when deleted, 0 when it was not ours.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface LeaderLockConfig {
  /** A command connection of its own: lock traffic must not queue behind other work. */
  redis: RedisClient;
  /** Key prefix shared by the replicas of one bridge (config `redis.keyPrefix`). */
  prefix: string;
  ttlMs: number;
  /** Who we are in the lock; random by default. */
  owner?: string;
}

/** Who holds the lock now, as Redis says. */
export interface LockHolder {
  owner: string;
  /** The latest fencing token handed out (the holder's, while it holds the lock). */
  fence: number;
  /** Milliseconds until the lock expires unless renewed. */
  ttlMs: number;
}

export interface LeaderLock {
  readonly owner: string;
  readonly ttlMs: number;
  /** The lock for a new term: its fencing token, or undefined when another replica holds it. */
  acquire(): Promise<number | undefined>;
  /** Extends our term by `ttlMs` from now; false when the lock or the fence is no longer ours. */
  renew(fence: number): Promise<boolean>;
  /** Deletes the lock if it is ours; true when it was. */
  release(): Promise<boolean>;
  holder(): Promise<LockHolder | undefined>;
}

export function leaderLockKeys(prefix: string): { lock: string; fence: string } {
  return { lock: `${prefix}:cluster:leader`, fence: `${prefix}:cluster:leader-fence` };
}

export function createLeaderLock(config: LeaderLockConfig): LeaderLock {
  const { redis, ttlMs } = config;
  const keys = leaderLockKeys(config.prefix);
  const owner = config.owner ?? randomBytes(12).toString('hex');
  const ttl = String(ttlMs);

  return {
    owner,
    ttlMs,
    async acquire() {
      const fence = Number(await redis.eval(ACQUIRE, { keys: [keys.lock, keys.fence], arguments: [owner, ttl] }));
      return fence > 0 ? fence : undefined;
    },
    async renew(fence) {
      return Number(await redis.eval(RENEW, { keys: [keys.lock, keys.fence], arguments: [owner, ttl, String(fence)] })) === 1;
    },
    async release() {
      return Number(await redis.eval(RELEASE, { keys: [keys.lock], arguments: [owner] })) === 1;
    },
    async holder() {
      // Three reads, not one transaction: this is for status displays, not for decisions.
      const [value, fence, pttl] = await Promise.all([redis.get(keys.lock), redis.get(keys.fence), redis.pTTL(keys.lock)]);
      if (value === null) return undefined;
      return { owner: String(value), fence: Number(fence ?? 0), ttlMs: Number(pttl) };
    },
  };
}
