/**
 * The elector with its duties, two "replicas" in this process on the real local Redis:
 * one leads and runs the duties; a leader that stops hands over at once; a leader whose lock
 * is taken away stops its duties; a leader that cannot renew in time steps down by its own
 * clock; a duty that fails to start makes its replica resign. Wake-ups cross the bus.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  type ClusterRedis,
  connectClusterRedis,
  createLeaderDuties,
  createLeaderElector,
  createLeaderLock,
  createWakeBus,
  type Duty,
  type LeaderElector,
  leaderLockKeys,
  type WakeMessage,
} from '../../../src/cluster/index.js';
import { createLogger, silentLogger } from '../../../src/core/logger.js';
import { eventually } from '../../support/eventually.js';
import { deleteKeysWith, REDIS_URL, uniquePrefix, withTestRedis } from '../ratelimit/redis-test-helpers.js';

const prefix = uniquePrefix('leader-elector');
const open: Array<{ stop(): Promise<void> }> = [];

after(async () => {
  for (const thing of open.reverse()) await thing.stop().catch(() => undefined);
  await deleteKeysWith(prefix);
});

interface Replica {
  name: string;
  elector: LeaderElector;
  log: string[];
  redis: ClusterRedis;
}

async function replica(name: string, space: string, options: { ttlMs?: number; failingDuty?: boolean; monotonic?: () => number } = {}): Promise<Replica> {
  const redis = await connectClusterRedis({ url: REDIS_URL, commandTimeoutMs: 500, logger: silentLogger() });
  const log: string[] = [];
  const lock = createLeaderLock({ redis: redis.command, prefix: `${prefix}:${space}`, ttlMs: options.ttlMs ?? 3_000, owner: name });
  const elector = createLeaderElector({ lock, logger: silentLogger(), acquireEveryMs: 50, ...(options.monotonic ? { monotonic: options.monotonic } : {}) });
  const duty = (id: string, fails = false): Duty => ({
    name: id,
    async start() {
      if (fails) throw new Error(`${id} cannot start`);
      log.push(`start ${id}`);
    },
    async stop() {
      log.push(`stop ${id}`);
    },
  });
  createLeaderDuties({ leadership: elector, duties: [duty('worker'), duty('gateway', options.failingDuty)], logger: silentLogger() });
  const handle: Replica = { name, elector, log, redis };
  open.push({
    stop: async () => {
      await elector.stop();
      await redis.close();
    },
  });
  return handle;
}

test('one replica leads and runs its duties in order; a leader that stops hands over at once and stops its duties in reverse', async () => {
  const a = await replica('a', 'handover');
  const b = await replica('b', 'handover');
  await a.elector.start();
  await b.elector.start();
  assert.equal(a.elector.status().role, 'leader');
  assert.equal(b.elector.status().role, 'follower');
  assert.deepEqual(a.log, ['start worker', 'start gateway']);
  assert.deepEqual(b.log, []);
  const fenceA = a.elector.status().fence ?? 0;
  assert.equal(a.elector.holds(fenceA), true);
  assert.equal(a.elector.holds(fenceA + 1), false, 'holds() checks the fence');

  await a.elector.stop();
  assert.deepEqual(a.log, ['start worker', 'start gateway', 'stop gateway', 'stop worker']);
  assert.equal(a.elector.holds(), false);
  await eventually(() => b.elector.status().role === 'leader', 'b taking the lead');
  assert.ok((b.elector.status().fence ?? 0) > fenceA, 'the new term has a greater fence');
  await eventually(() => b.log.length === 2, 'b starting its duties');
  assert.deepEqual(b.log, ['start worker', 'start gateway']);
});

test('a leader whose lock was taken stops its duties at its next renewal', async () => {
  const a = await replica('a2', 'taken');
  await a.elector.start();
  const fence = a.elector.status().fence ?? 0;
  const keys = leaderLockKeys(`${prefix}:taken`);
  await withTestRedis(async (intruder) => {
    // Another owner holds the key now (as after an expiry and a takeover elsewhere).
    await intruder.set(keys.lock, 'someone-else', { expiration: { type: 'PX', value: 10_000 } });
    await intruder.incr(keys.fence);
  });
  await eventually(() => a.elector.status().role === 'follower', 'a stepping down');
  assert.equal(a.elector.holds(fence), false);
  await eventually(() => a.log.includes('stop worker'), 'a stopping its duties');
  assert.deepEqual(a.log, ['start worker', 'start gateway', 'stop gateway', 'stop worker']);
});

test('a leader that cannot renew in time steps down on its own clock, before the lock expires', async () => {
  let offset = 0;
  const clock = () => performance.now() + offset;
  const a = await replica('a3', 'clock', { ttlMs: 3_000, monotonic: clock });
  await a.elector.start();
  assert.equal(a.elector.holds(), true);
  // As if the process had been paused: its term (ttl minus the margin) is over by its own clock.
  offset = 60_000;
  assert.equal(a.elector.holds(), false, 'a deposed leader may not start new work');
  // Redis is unreachable from here on: renewals fail, and the deadline timer steps down.
  a.redis.command.disconnect();
  await eventually(() => a.elector.status().role === 'follower', 'a stepping down without Redis');
  assert.deepEqual(a.log, ['start worker', 'start gateway', 'stop gateway', 'stop worker']);
});

test('a replica whose duty fails to start gives up the lead and another takes it', async () => {
  const a = await replica('a4', 'failing', { failingDuty: true });
  const b = await replica('b4', 'failing');
  await a.elector.start();
  await b.elector.start();
  assert.deepEqual(a.log, ['start worker', 'stop worker'], 'what started is stopped again');
  await eventually(() => b.elector.status().role === 'leader', 'b taking the lead');
  assert.equal(a.elector.status().role, 'follower');
  await eventually(() => b.log.length === 2, 'b starting its duties');
});

test('wake-ups reach the other replicas, not the sender', async () => {
  const redis1 = await connectClusterRedis({ url: REDIS_URL, commandTimeoutMs: 500, logger: silentLogger() });
  const redis2 = await connectClusterRedis({ url: REDIS_URL, commandTimeoutMs: 500, logger: silentLogger() });
  open.push({ stop: () => redis1.close() }, { stop: () => redis2.close() });
  const logger = createLogger({ level: 'silent' });
  const one = createWakeBus({ publisher: redis1.command, subscriber: redis1.subscriber, prefix: `${prefix}:bus`, replicaId: 'one', logger });
  const two = createWakeBus({ publisher: redis2.command, subscriber: redis2.subscriber, prefix: `${prefix}:bus`, replicaId: 'two', logger });
  const gotOne: WakeMessage[] = [];
  const gotTwo: WakeMessage[] = [];
  await one.subscribe((message) => gotOne.push(message));
  await two.subscribe((message) => gotTwo.push(message));
  one.publish({ kind: 'mirror', partition: 'mirror:slack:C1' });
  two.publish({ kind: 'released' });
  await eventually(() => gotTwo.length === 1 && gotOne.length === 1, 'both wake-ups');
  assert.deepEqual(gotTwo, [{ kind: 'mirror', partition: 'mirror:slack:C1' }]);
  assert.deepEqual(gotOne, [{ kind: 'released' }]);
  await one.close();
  await two.close();
});
