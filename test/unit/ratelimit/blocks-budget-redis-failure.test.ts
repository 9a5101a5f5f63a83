import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import { createBudgetRedis } from '../../../src/ratelimit/budget-redis.js';
import { BudgetUnavailableError } from '../../../src/ratelimit/errors.js';
import { startBlocksFake } from './blocks-fake.js';
import { getSession } from './blocks-request.js';
import { startRedisRelay } from './redis-relay.js';
import { deleteKeysWith, uniquePrefix } from './redis-test-helpers.js';

describe('Blocks rate budget when Redis is bad or lost', () => {
  let agent: Agent;
  before(() => {
    agent = new Agent();
  });
  after(async () => {
    await agent.close();
  });

  it('fails to start with a clear error that names the host but not the password', async () => {
    // Port 1 on loopback: nothing listens there.
    const error = await createBudgetRedis({ url: 'redis://:hunter2-redis-password@127.0.0.1:1', connectTimeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof BudgetUnavailableError);
    assert.equal(error.code, 'BUDGET_UNAVAILABLE');
    assert.match(error.message, /cannot connect to Redis at 127\.0\.0\.1:1/);
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('stops sending the moment Redis is lost: queued requests fail, new ones are refused', async () => {
    const prefix = uniquePrefix('lost');
    const apiKey = 'blk_cluster_lost_key_000001';
    const server = await startBlocksFake({ limit: 10, windowMs: 1_000, apiKeys: [apiKey] });
    const relay = await startRedisRelay();
    const redis = await createBudgetRedis({ url: relay.url });
    const budget = await createBlocksBudget({ apiKey, redis, idPrefix: prefix, rateLimit: { limit: 10, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 2 } });
    try {
      const jobs = Array.from({ length: 30 }, (_, i) => budget.schedule({ priority: i % 2 ? 'background' : 'interactive' }, () => getSession(agent, server.url, apiKey, `r${i}`)));
      const settled = Promise.allSettled(jobs);
      await jobs[0];
      await relay.cut();
      const results = await settled;
      const sentAtCut = server.arrivals.length;
      const refused = results.filter((r) => r.status === 'rejected');
      assert.ok(refused.length >= 20, `only ${refused.length} refused`);
      for (const r of refused) {
        assert.ok(r.status === 'rejected' && r.reason instanceof BudgetUnavailableError);
        assert.match((r.reason as Error).message, /Redis at 127\.0\.0\.1:\d+ is unreachable/);
      }
      assert.equal(server.arrivals.length, results.length - refused.length);
      await assert.rejects(
        budget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, 'late')),
        BudgetUnavailableError,
      );
      // Admissions in flight at the cut, and wake-up timers set before it, must send nothing.
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(server.arrivals.length, sentAtCut);
    } finally {
      await budget.close();
      await redis.close();
      await server.close();
      await deleteKeysWith(prefix);
    }
  });
});
