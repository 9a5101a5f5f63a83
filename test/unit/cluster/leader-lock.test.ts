/**
 * The leader lock against the real local Redis: one holder at a time, a new fencing token on
 * every acquisition, renewal and release only by the holder (and only under its own fence).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLeaderLock, leaderLockKeys } from '../../../src/cluster/index.js';
import { deleteKeysWith, openTestRedis, type TestRedis, uniquePrefix } from '../ratelimit/redis-test-helpers.js';

const prefix = uniquePrefix('leader-lock');
let redis: TestRedis;

before(async () => {
  redis = await openTestRedis();
});

after(async () => {
  await deleteKeysWith(prefix);
  redis.destroy();
});

test('one holder at a time; each acquisition gets a greater fencing token', async () => {
  const a = createLeaderLock({ redis, prefix: `${prefix}:a`, ttlMs: 5_000 });
  const b = createLeaderLock({ redis, prefix: `${prefix}:a`, ttlMs: 5_000 });
  const first = await a.acquire();
  assert.equal(typeof first, 'number');
  assert.equal(await b.acquire(), undefined, 'the lock is held');
  assert.equal(await a.acquire(), undefined, 'not even its holder takes it twice');
  assert.deepEqual({ ...(await b.holder()), ttlMs: undefined }, { owner: a.owner, fence: first, ttlMs: undefined });

  assert.equal(await a.release(), true);
  const second = await b.acquire();
  assert.ok(second !== undefined && first !== undefined && second > first, `fence ${String(second)} after ${String(first)}`);
  assert.equal((await a.holder())?.owner, b.owner);
});

test("renewal extends only the holder's own term; release deletes only the holder's lock", async () => {
  const keys = leaderLockKeys(`${prefix}:b`);
  const a = createLeaderLock({ redis, prefix: `${prefix}:b`, ttlMs: 2_000 });
  const b = createLeaderLock({ redis, prefix: `${prefix}:b`, ttlMs: 2_000 });
  const fence = await a.acquire();
  assert.ok(fence !== undefined);

  await redis.pExpire(keys.lock, 100);
  assert.equal(await a.renew(fence), true);
  assert.ok((await redis.pTTL(keys.lock)) > 1_000, 'renewal pushed the expiry out to the full TTL');

  assert.equal(await b.renew(fence), false, 'another owner cannot renew, even with the right fence');
  assert.equal(await a.renew(fence + 1), false, 'the holder cannot renew under another fence');
  assert.equal(await b.release(), false, 'another owner cannot release');
  assert.equal((await a.holder())?.owner, a.owner);

  // The term lapses and another replica takes the lock: the old holder learns it on renewal.
  await redis.del(keys.lock);
  const next = await b.acquire();
  assert.ok(next !== undefined && next > fence);
  assert.equal(await a.renew(fence), false, 'a deposed holder cannot extend the new term');
  assert.equal(await a.release(), false, 'nor delete it');
  assert.equal((await b.holder())?.owner, b.owner);
});

test('the lock expires by itself when its holder stops renewing', async () => {
  const a = createLeaderLock({ redis, prefix: `${prefix}:c`, ttlMs: 3_000 });
  const b = createLeaderLock({ redis, prefix: `${prefix}:c`, ttlMs: 3_000 });
  assert.ok((await a.acquire()) !== undefined);
  // Wait for the expiry (a bound, not a measurement): the key is gone once Redis says so.
  let taken: number | undefined;
  for (let i = 0; i < 100 && taken === undefined; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    taken = await b.acquire();
  }
  assert.ok(taken !== undefined, 'another replica took the lock after it expired');
});
