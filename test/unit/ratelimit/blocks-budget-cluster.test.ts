import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import { budgetScope, hashApiKey, SHARED_BUDGET_SCOPE } from '../../../src/ratelimit/budget-id.js';
import { type BudgetRedis, createBudgetRedis } from '../../../src/ratelimit/budget-redis.js';
import { BudgetWaitTimeoutError } from '../../../src/ratelimit/errors.js';
import type { RateBudget, RequestPriority } from '../../../src/ratelimit/types.js';
import { eventually } from '../../support/eventually.js';
import { startBlocksFake } from './blocks-fake.js';
import { getSession } from './blocks-request.js';
import { deleteKeysWith, keysWith, REDIS_URL, uniquePrefix } from './redis-test-helpers.js';

/** A key no other test run shares: budgets are named after the key alone. */
const uniqueKey = (name: string): string => `blk_${name}_${randomUUID().replace(/-/g, '')}`;

/**
 * Two budgets with their own Redis connections stand for two replicas, sharing the budget
 * of one key (named after the key alone: every test uses a key of its own). Windows are
 * shortened; margins cover admission-to-arrival on a busy 2-core machine, where a burst on
 * cold clients opens its connections first.
 */
describe('Blocks rate budget, clustered over the real Redis', () => {
  let agent: Agent;
  before(() => {
    agent = new Agent({ connections: 32 });
  });
  after(async () => {
    await agent.close();
  });

  async function replicas(apiKey: string, rateLimit: Parameters<typeof createBlocksBudget>[0]['rateLimit']) {
    const connections: BudgetRedis[] = [];
    const budgets: RateBudget[] = [];
    for (let i = 0; i < 2; i += 1) {
      const redis = await createBudgetRedis({ url: REDIS_URL });
      connections.push(redis);
      budgets.push(await createBlocksBudget({ apiKey, rateLimit, redis }));
    }
    return {
      budgets,
      async close() {
        await Promise.all(budgets.map((b) => b.close()));
        await Promise.all(connections.map((c) => c.close()));
        await deleteKeysWith(hashApiKey(apiKey));
      },
    };
  }

  it('two replicas send 300 requests with no 429 and fill a saturated window', async (t) => {
    const apiKey = uniqueKey('fill');
    const rateLimit = { limit: 100, windowMs: 6_000, safetyMarginMs: 600, interactiveReserve: 10 };
    const server = await startBlocksFake({ limit: 100, windowMs: 6_000, apiKeys: [apiKey] });
    const cluster = await replicas(apiKey, rateLimit);
    try {
      const jobs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 300; i += 1) {
        const budget = cluster.budgets[i % 2]!;
        const priority: RequestPriority = i % 5 === 0 ? 'background' : 'interactive';
        jobs.push(budget.schedule({ priority }, () => getSession(agent, server.url, apiKey, `${priority}-${i % 2}`)));
      }
      await Promise.all(jobs);
    } finally {
      await cluster.close();
      await server.close();
    }
    assert.equal(server.arrivals.length, 300);
    assert.equal(server.violations, 0);
    assert.ok(server.arrivals.every((a) => a.status !== 429));
    const busiest = server.maxInAnyWindow(6_000);
    t.diagnostic(`busiest 6 s window: ${busiest} of 100`);
    assert.ok(busiest <= 100, `busiest window held ${busiest}`);
    assert.ok(busiest >= 95, `busiest window held only ${busiest}`);
    // Both replicas really shared the work.
    assert.ok(server.arrivals.filter((a) => a.label.endsWith('-0')).length === 150);
  });

  it('keeps polling from both replicas out of the reserve', async () => {
    const apiKey = uniqueKey('reserve');
    const rateLimit = { limit: 20, windowMs: 1_000, safetyMarginMs: 300, interactiveReserve: 6 };
    const server = await startBlocksFake({ limit: 20, windowMs: 1_000, apiKeys: [apiKey] });
    const cluster = await replicas(apiKey, rateLimit);
    try {
      const jobs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 40; i += 1) {
        const budget = cluster.budgets[i % 2]!;
        jobs.push(budget.schedule({ priority: 'background' }, () => getSession(agent, server.url, apiKey, `poll-${i % 2}`)));
      }
      await jobs[8];
      for (let i = 0; i < 16; i += 1) {
        const budget = cluster.budgets[i % 2]!;
        jobs.push(budget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, `person-${i % 2}`)));
      }
      await Promise.all(jobs);
    } finally {
      await cluster.close();
      await server.close();
    }
    assert.equal(server.violations, 0);
    const polls = server.maxInAnyWindow(1_000, (a) => a.label.startsWith('poll'));
    assert.ok(polls <= 14, `polling used ${polls} slots in one window`);
    assert.ok(server.arrivals.some((a) => a.label === 'poll-0') && server.arrivals.some((a) => a.label === 'poll-1'));
  });

  it('a burst after a quiet window goes at once on both replicas, and not one more than the limit', async () => {
    // A 60 s window the test never waits for: only admission at once can finish it.
    const apiKey = uniqueKey('burst');
    const rateLimit = { limit: 20, windowMs: 60_000, safetyMarginMs: 1_000, interactiveReserve: 4 };
    const server = await startBlocksFake({ limit: 20, windowMs: 60_000, apiKeys: [apiKey] });
    const cluster = await replicas(apiKey, rateLimit);
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => cluster.budgets[i % 2]!.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, `person-${i % 2}`))),
      );
      const refused = await Promise.allSettled(
        cluster.budgets.map((budget, i) => budget.schedule({ priority: 'interactive', maxWaitMs: 200 }, () => getSession(agent, server.url, apiKey, `late-${i}`))),
      );
      assert.ok(refused.every((r) => r.status === 'rejected' && r.reason instanceof BudgetWaitTimeoutError));
    } finally {
      await cluster.close();
      await server.close();
    }
    assert.equal(server.arrivals.length, 20);
    assert.equal(server.violations, 0);
  });

  it("a person on one replica goes before the other replica's waiting polls", async () => {
    // Polls are paced 550 ms apart: a person asking right after a poll went out finds room.
    const apiKey = uniqueKey('people-first');
    const rateLimit = { limit: 10, windowMs: 4_000, safetyMarginMs: 400, interactiveReserve: 2 };
    const server = await startBlocksFake({ limit: 10, windowMs: 4_000, apiKeys: [apiKey] });
    const cluster = await replicas(apiKey, rateLimit);
    const people: Array<Promise<unknown>> = [];
    try {
      const polls = Array.from({ length: 6 }, (_, i) =>
        cluster.budgets[0]!.schedule({ priority: 'background' }, () => {
          if (i < 3) people.push(cluster.budgets[1]!.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, `person-after-${i}`)));
          return getSession(agent, server.url, apiKey, `poll-${i}`);
        }),
      );
      await Promise.all(polls);
      await Promise.all(people);
    } finally {
      await cluster.close();
      await server.close();
    }
    assert.equal(server.violations, 0);
    const labels = server.arrivals.map((a) => a.label);
    for (let i = 0; i < 3; i += 1) {
      assert.ok(labels.indexOf(`person-after-${i}`) < labels.indexOf(`poll-${i + 1}`), `arrivals: ${labels.join(' ')}`);
    }
  });

  it('a 429 with Retry-After on one replica pauses every replica on the key', async () => {
    const apiKey = uniqueKey('pause');
    const rateLimit = { limit: 10, windowMs: 1_000, safetyMarginMs: 200, interactiveReserve: 2 };
    const server = await startBlocksFake({ limit: 10, windowMs: 1_000, apiKeys: [apiKey] });
    const cluster = await replicas(apiKey, rateLimit);
    const send = (replica: number, label: string): Promise<unknown> =>
      cluster.budgets[replica]!.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, label));
    try {
      await Promise.all([send(0, 'before-0'), send(1, 'before-1')]);
      server.inject429(1, 1);
      await assert.rejects(send(0, 'limited'));
      // The other replica learns of the pause through Redis.
      await eventually(() => cluster.budgets[1]!.snapshot().pausedUntil > Date.now(), 'replica 1 paused');
      await Promise.all([send(0, 'r0'), send(1, 'r1')]);
    } finally {
      await cluster.close();
      await server.close();
    }
    const limited = server.arrivals.find((a) => a.status === 429);
    assert.ok(limited);
    const during = server.arrivals.filter((a) => a.at > limited.at && a.at < limited.at + 1_000);
    assert.deepEqual(during, [], 'requests arrived during the pause');
    const afterPause = server.arrivals.filter((a) => a.at >= limited.at + 1_000).map((a) => a.label);
    assert.deepEqual(afterPause.sort(), ['r0', 'r1'], 'both replicas resumed');
  });

  it('names its Redis state after a hash of the API key, never the key, shared across key prefixes unless opted out', async () => {
    const apiKey = uniqueKey('secret_value_never_in_redis');
    const prefix = uniquePrefix('names');
    const config = (keyPrefix: string, shareAcrossPrefixes: boolean) => ({ redis: { keyPrefix }, blocks: { rateLimit: { shareAcrossPrefixes } } });
    assert.equal(budgetScope(config('deployment-a', true)), budgetScope(config('deployment-b', true)));
    assert.equal(budgetScope(config(prefix, false)), prefix);
    const rateLimit = { limit: 2, windowMs: 60_000, safetyMarginMs: 1_000, interactiveReserve: 1 };
    const redis = await createBudgetRedis({ url: REDIS_URL });
    const deploymentA = await createBlocksBudget({ apiKey, rateLimit, redis, idPrefix: budgetScope(config('deployment-a', true)) });
    const deploymentB = await createBlocksBudget({ apiKey, rateLimit, redis, idPrefix: budgetScope(config('deployment-b', true)) });
    const optedOut = await createBlocksBudget({ apiKey, rateLimit, redis, idPrefix: budgetScope(config(prefix, false)) });
    const noop = async (): Promise<string> => 'sent';
    try {
      await Promise.all([deploymentA.schedule({ priority: 'interactive' }, noop), deploymentA.schedule({ priority: 'interactive' }, noop)]);
      // Another deployment on the same key and Redis draws from the same 2 a minute...
      await assert.rejects(deploymentB.schedule({ priority: 'interactive', maxWaitMs: 200 }, noop), BudgetWaitTimeoutError);
      // ...unless it opts out, with a budget of its own.
      assert.equal(await optedOut.schedule({ priority: 'interactive', maxWaitMs: 2_000 }, noop), 'sent');
      await deploymentA.pause(5_000);
      const keys = [...(await keysWith(hashApiKey(apiKey)))];
      assert.ok(keys.length > 0);
      assert.ok(
        keys.every((key) => !key.includes(apiKey)),
        keys.join(', '),
      );
      assert.ok(keys.includes(`${SHARED_BUDGET_SCOPE}:blocks:${hashApiKey(apiKey)}:paused`));
      assert.ok(keys.includes(`${SHARED_BUDGET_SCOPE}:blocks:${hashApiKey(apiKey)}:log`));
      assert.ok(keys.includes(`${prefix}:blocks:${hashApiKey(apiKey)}:log`));
      // A replica that starts during the pause honours it.
      const late = await createBlocksBudget({ apiKey, redis });
      assert.ok(late.snapshot().pausedUntil > Date.now());
      await late.close();
    } finally {
      await Promise.all([deploymentA.close(), deploymentB.close(), optedOut.close()]);
      await redis.close();
      await deleteKeysWith(hashApiKey(apiKey));
    }
  });
});
