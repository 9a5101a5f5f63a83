import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import { hashApiKey } from '../../../src/ratelimit/budget-id.js';
import { createBudgetRedis, type BudgetRedis } from '../../../src/ratelimit/budget-redis.js';
import type { RateBudget, RequestPriority } from '../../../src/ratelimit/types.js';
import { getSession } from './blocks-request.js';
import { startBlocksFake } from './blocks-fake.js';
import { deleteKeysWith, keysWith, REDIS_URL, uniquePrefix } from './redis-test-helpers.js';

/**
 * Two budgets with their own Redis connections stand for two replicas. The window is
 * shortened to 6 s; the margin of 240 ms (4% of the window) leaves 96 slots per window
 * (≥ 95) while tolerating 300 ms of dispatch-to-arrival jitter (100 gaps of 63 ms span
 * 6.3 s): far more than loopback and event-loop jitter on a busy 2-core machine.
 */
describe('Blocks rate budget, clustered over the real Redis', () => {
  let agent: Agent;
  before(() => {
    agent = new Agent({ connections: 32 });
  });
  after(async () => {
    await agent.close();
  });

  async function replicas(prefix: string, apiKey: string, rateLimit: Parameters<typeof createBlocksBudget>[0]['rateLimit']) {
    const connections: BudgetRedis[] = [];
    const budgets: RateBudget[] = [];
    for (let i = 0; i < 2; i += 1) {
      const redis = await createBudgetRedis({ url: REDIS_URL });
      connections.push(redis);
      budgets.push(await createBlocksBudget({ apiKey, rateLimit, redis, idPrefix: prefix }));
    }
    return {
      budgets,
      async close() {
        await Promise.all(budgets.map((b) => b.close()));
        await Promise.all(connections.map((c) => c.close()));
        await deleteKeysWith(prefix);
      },
    };
  }

  it('two replicas send 300 requests with no 429 and fill a saturated window', async (t) => {
    const prefix = uniquePrefix('fill');
    const apiKey = 'blk_cluster_fill_key_000001';
    const rateLimit = { limit: 100, windowMs: 6_000, safetyMarginMs: 240, interactiveReserve: 10 };
    const server = await startBlocksFake({ limit: 100, windowMs: 6_000, apiKeys: [apiKey] });
    const cluster = await replicas(prefix, apiKey, rateLimit);
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
    const prefix = uniquePrefix('reserve');
    const apiKey = 'blk_cluster_reserve_key_0001';
    const rateLimit = { limit: 20, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 6 };
    const server = await startBlocksFake({ limit: 20, windowMs: 1_000, apiKeys: [apiKey] });
    const cluster = await replicas(prefix, apiKey, rateLimit);
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

  it('books polling late, so a person on one replica goes before the next poll of the other', async () => {
    const prefix = uniquePrefix('late');
    const apiKey = 'blk_cluster_late_key_000001';
    // Slots 440 ms apart: a person asks 100 ms after a poll went out, long before the poller
    // books the next slot (a few tens of ms ahead of it), however busy the machine is.
    const rateLimit = { limit: 10, windowMs: 4_000, safetyMarginMs: 400, interactiveReserve: 2 };
    const server = await startBlocksFake({ limit: 10, windowMs: 4_000, apiKeys: [apiKey] });
    const cluster = await replicas(prefix, apiKey, rateLimit);
    const people: Array<Promise<unknown>> = [];
    let allAsked = (): void => undefined;
    const asked = new Promise<void>((resolve) => {
      allAsked = resolve;
    });
    let pollsOut = 0;
    try {
      const poll = (replica: number): Promise<unknown> =>
        cluster.budgets[replica]!.schedule({ priority: 'background' }, () => {
          pollsOut += 1;
          // The 2nd, 5th and 8th poll: the next one is at most a slot away on the same replica.
          if (pollsOut % 3 === 2 && people.length < 3) {
            const other = 1 - replica;
            const person = new Promise<unknown>((resolve, reject) => {
              setTimeout(() => {
                cluster.budgets[other]!.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, `person-${other}`)).then(resolve, reject);
              }, 100);
            });
            people.push(person);
            if (people.length === 3) allAsked();
            return getSession(agent, server.url, apiKey, `poll-${replica}-asked`);
          }
          return getSession(agent, server.url, apiKey, `poll-${replica}`);
        });
      // Both replicas have polling queued all along; the rest is dropped at close.
      for (let i = 0; i < 12; i += 1) poll(i % 2).catch(() => undefined);
      await asked;
      await Promise.all(people);
    } finally {
      await cluster.close();
      await server.close();
    }
    assert.equal(server.violations, 0);
    const labels = server.arrivals.map((a) => a.label);
    const persons = labels.flatMap((label, i) => (label.startsWith('person-') ? [i] : []));
    assert.equal(persons.length, 3);
    for (const i of persons) {
      // The poll that prompted the person came right before it: the poller had not booked
      // its next slot yet, so the person got that slot.
      const prompt = labels[i]!.endsWith('-0') ? 'poll-1-asked' : 'poll-0-asked';
      assert.equal(labels[i - 1], prompt, `arrivals: ${labels.join(' ')}`);
    }
  });

  it('a 429 with Retry-After on one replica pauses every replica on the key', async () => {
    const prefix = uniquePrefix('pause');
    const apiKey = 'blk_cluster_pause_key_00001';
    // Slots 120 ms apart: longer than a 429 takes to come back and the pause to reach the
    // other replica, so no request is already on its way when the pause starts.
    const rateLimit = { limit: 10, windowMs: 1_000, safetyMarginMs: 200, interactiveReserve: 2 };
    const server = await startBlocksFake({ limit: 10, windowMs: 1_000, apiKeys: [apiKey] });
    const cluster = await replicas(prefix, apiKey, rateLimit);
    let pausedSeen: number[] = [];
    try {
      const jobs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 16; i += 1) {
        const budget = cluster.budgets[i % 2]!;
        jobs.push(
          budget
            .schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, `r${i % 2}`))
            .catch((error: unknown) => error),
        );
      }
      await jobs[3];
      server.inject429(1, 1);
      const results = await Promise.all(jobs);
      assert.equal(results.filter((r) => r instanceof Error).length, 1);
      pausedSeen = cluster.budgets.map((b) => b.snapshot().pausedUntil);
    } finally {
      await cluster.close();
      await server.close();
    }
    const limited = server.arrivals.find((a) => a.status === 429);
    assert.ok(limited);
    const during = server.arrivals.filter((a) => a.at > limited.at && a.at < limited.at + 1_000);
    assert.deepEqual(during, [], 'requests arrived during the pause');
    const afterPause = server.arrivals.filter((a) => a.at >= limited.at + 1_000);
    assert.ok(afterPause.some((a) => a.label === 'r0') && afterPause.some((a) => a.label === 'r1'), 'both replicas resumed');
    assert.equal(pausedSeen.length, 2);
  });

  it('names its Redis state after a hash of the API key, never the key', async () => {
    const prefix = uniquePrefix('names');
    const apiKey = 'blk_secret_value_never_in_redis';
    const redis = await createBudgetRedis({ url: REDIS_URL });
    const budget = await createBlocksBudget({ apiKey, redis, idPrefix: prefix });
    try {
      await budget.pause(5_000);
      const keys = await keysWith(prefix);
      assert.ok(keys.length > 0);
      assert.ok(keys.every((key) => !key.includes(apiKey)), keys.join(', '));
      assert.ok(keys.some((key) => key.includes(hashApiKey(apiKey))));
      assert.ok(keys.includes(`${prefix}:blocks:${hashApiKey(apiKey)}:paused`));
      // A replica that starts during the pause honours it.
      const late = await createBlocksBudget({ apiKey, redis, idPrefix: prefix });
      assert.ok(late.snapshot().pausedUntil > Date.now());
      await late.close();
    } finally {
      await budget.close();
      await redis.close();
      await deleteKeysWith(prefix);
    }
  });
});
