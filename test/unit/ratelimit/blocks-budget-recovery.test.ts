/**
 * The shared log survives its loss and a slow Redis: keys deleted or flushed are recreated on
 * the next admission, an emptied script cache is reloaded (Redis 7), keys only expire once
 * nothing waits, and an admission that comes back too late is abandoned, never sent late.
 * What would disturb others (SCRIPT FLUSH, FLUSHALL) runs on a redis-server of our own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import { budgetId, hashApiKey, SHARED_BUDGET_SCOPE } from '../../../src/ratelimit/budget-id.js';
import { createBudgetRedis } from '../../../src/ratelimit/budget-redis.js';
import type { Admission } from '../../../src/ratelimit/types.js';
import { startBlocksFake } from './blocks-fake.js';
import { getSession } from './blocks-request.js';
import { startRedisRelay } from './redis-relay.js';
import { type OwnRedis, startOwnRedis } from './redis-server.js';
import { deleteKeysWith, withTestRedis } from './redis-test-helpers.js';

const uniqueKey = (name: string): string => `blk_${name}_${randomUUID().replace(/-/g, '')}`;
const logKey = (apiKey: string): string => `${budgetId(SHARED_BUDGET_SCOPE, 'blocks', apiKey)}:log`;
const noop = async (): Promise<string> => 'sent';

describe('Blocks rate budget: shared state lost, slow Redis', () => {
  let own: OwnRedis;
  let agent: Agent;
  before(async () => {
    own = await startOwnRedis();
    agent = new Agent();
  });
  after(async () => {
    await own.stop();
    await agent.close();
  });

  it('recreates its keys after they were deleted, flushed or the script cache emptied', async () => {
    const apiKey = uniqueKey('lost');
    const rateLimit = { limit: 3, windowMs: 60_000, safetyMarginMs: 1_000, interactiveReserve: 1 };
    const redis = await createBudgetRedis({ url: own.url });
    const budget = await createBlocksBudget({ apiKey, rateLimit, redis });
    try {
      await Promise.all([1, 2, 3].map(() => budget.schedule({ priority: 'interactive' }, noop)));
      await withTestRedis(async (client) => {
        assert.equal(await client.zCard(logKey(apiKey)), 3);
        await client.del(logKey(apiKey));
      }, own.url);
      assert.equal(await budget.schedule({ priority: 'interactive', maxWaitMs: 2_000 }, noop), 'sent');
      // As after a restart without data: no keys and no scripts (Redis then answers NOSCRIPT).
      await withTestRedis(async (client) => {
        await client.flushAll();
        await client.scriptFlush();
      }, own.url);
      assert.equal(await budget.schedule({ priority: 'interactive', maxWaitMs: 2_000 }, noop), 'sent');
      await withTestRedis(async (client) => {
        assert.equal(await client.zCard(logKey(apiKey)), 1, 'the log is back, with the new admission');
        const ttl = await client.pTTL(logKey(apiKey));
        assert.ok(ttl > 61_000 && ttl <= 122_000, `expires two spans after the last call, not before (${ttl} ms)`);
      }, own.url);
    } finally {
      await budget.close();
      await redis.close();
    }
  });

  it('keeps the keys of a full log alive while requests wait', async () => {
    const apiKey = uniqueKey('waiting');
    // A 1 s window: the keys would expire after 2.2 s without calls; people wait 3 windows.
    const rateLimit = { limit: 2, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 1 };
    const redis = await createBudgetRedis({ url: own.url });
    const budget = await createBlocksBudget({ apiKey, rateLimit, redis });
    try {
      const jobs = Array.from({ length: 6 }, () => budget.schedule({ priority: 'interactive' }, noop));
      assert.deepEqual(
        await Promise.all(jobs),
        Array.from({ length: 6 }, () => 'sent'),
      );
      await withTestRedis(async (client) => assert.ok((await client.pTTL(logKey(apiKey))) > 0), own.url);
    } finally {
      await budget.close();
      await redis.close();
    }
  });

  it('abandons admissions that come back too late, re-admits at most twice, then only looks until Redis is fast again', async () => {
    const apiKey = uniqueKey('stall');
    const server = await startBlocksFake({ limit: 10, windowMs: 2_000, apiKeys: [apiKey] });
    const relay = await startRedisRelay({ port: own.port });
    // Margin 400 ms: an admission must come back within 200 ms to be sent.
    const rateLimit = { limit: 10, windowMs: 2_000, safetyMarginMs: 400, interactiveReserve: 2 };
    const redis = await createBudgetRedis({ url: relay.url });
    const budget = await createBlocksBudget({ apiKey, rateLimit, redis });
    let admission: Admission | undefined;
    try {
      relay.setReplyDelay(300);
      const job = budget.schedule({ priority: 'interactive' }, (given) => {
        admission = given;
        return getSession(agent, server.url, apiKey, 'stalled');
      });
      // Three admissions recorded (the first and two re-admissions), then looks that record nothing.
      await withTestRedis(async (client) => {
        for (let i = 0; i < 100 && (await client.zCard(logKey(apiKey))) < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        assert.equal(await client.zCard(logKey(apiKey)), 3);
      }, own.url);
      assert.equal(server.arrivals.length, 0, 'nothing sent on a late admission');
      relay.setReplyDelay(0);
      await job;
      const arrival = server.arrivals[0];
      assert.ok(arrival && admission);
      assert.ok(arrival.at - admission.recordedAt <= rateLimit.safetyMarginMs, `arrived ${arrival.at - admission.recordedAt} ms after its record`);
      await withTestRedis(async (client) => assert.equal(await client.zCard(logKey(apiKey)), 4), own.url);
    } finally {
      await budget.close();
      await redis.close();
      await relay.cut();
      await server.close();
      await deleteKeysWith(hashApiKey(apiKey), own.url);
    }
  });
});
