import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createBudgetRedis } from '../../../src/ratelimit/budget-redis.js';
import { BudgetWaitTimeoutError } from '../../../src/ratelimit/errors.js';
import { createFluxraBudget } from '../../../src/ratelimit/fluxra-budget.js';
import type { RequestPriority } from '../../../src/ratelimit/types.js';
import { eventually } from '../../support/eventually.js';
import { getSession } from './blocks-request.js';
import { startCountingServer } from './counting-server.js';
import { deleteKeysWith, REDIS_URL, uniquePrefix } from './redis-test-helpers.js';

// The counting server stands in for Fluxra here: only arrivals, timing and concurrency matter.
const KEY = 'sk_fluxra_budget_test_0001';

describe('Fluxra rate budget', () => {
  let agent: Agent;
  before(() => {
    agent = new Agent({ connections: 32 });
  });
  after(async () => {
    await agent.close();
  });

  it('never has more than maxConcurrent requests in flight', async () => {
    const server = await startCountingServer({ limit: 1_000, windowMs: 1_000, latencyMs: 120 });
    const budget = await createFluxraBudget({ apiKey: KEY, rateLimit: { maxConcurrent: 3, requestsPerSecond: 50 } });
    try {
      await Promise.all(Array.from({ length: 24 }, () => budget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, KEY, 'x'))));
    } finally {
      await budget.close();
      await server.close();
    }
    assert.equal(server.arrivals.length, 24);
    assert.equal(server.peakInFlight, 3);
  });

  it('starts at most requestsPerSecond requests per second, evenly spaced', async () => {
    const server = await startCountingServer({ limit: 1_000, windowMs: 1_000 });
    const budget = await createFluxraBudget({ apiKey: KEY, rateLimit: { maxConcurrent: 8, requestsPerSecond: 10 } });
    try {
      await Promise.all(Array.from({ length: 25 }, () => budget.schedule({ priority: 'background' }, () => getSession(agent, server.url, KEY, 'x'))));
    } finally {
      await budget.close();
      await server.close();
    }
    // Spaced 100 ms apart: 10 in any second (11 only if one arrives exactly on the boundary).
    const busiest = server.maxInAnyWindow(1_000);
    assert.ok(busiest <= 11, `busiest second held ${busiest}`);
  });

  it('runs people before polling that was queued first', async () => {
    const server = await startCountingServer({ limit: 1_000, windowMs: 1_000, latencyMs: 30 });
    const budget = await createFluxraBudget({ apiKey: KEY, rateLimit: { maxConcurrent: 1, requestsPerSecond: 50 } });
    const send = (priority: RequestPriority, label: string) => budget.schedule({ priority }, () => getSession(agent, server.url, KEY, label));
    try {
      const polls = Array.from({ length: 6 }, (_, i) => send('background', `poll-${i}`));
      await polls[0];
      const people = [send('interactive', 'person-0'), send('interactive', 'person-1')];
      await Promise.all([...polls, ...people]);
    } finally {
      await budget.close();
      await server.close();
    }
    const order = server.arrivals.map((a) => a.label);
    assert.ok(order.indexOf('person-1') < order.indexOf('poll-3'), order.join(', '));
  });

  it('backs off after a 429 and holds every request during the pause', async () => {
    const server = await startCountingServer({ limit: 1_000, windowMs: 1_000 });
    server.inject429(1);
    const budget = await createFluxraBudget({ apiKey: KEY, rateLimit: { maxConcurrent: 4, requestsPerSecond: 50, backoffMs: 400 } });
    try {
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => budget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, KEY, 'x'))));
      assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      // An explicit pause (what the Fluxra client does with Retry-After) holds requests too.
      await budget.pause(300);
      const pausedAt = Date.now();
      assert.ok(budget.snapshot().pausedUntil >= pausedAt);
      await budget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, KEY, 'after-pause'));
    } finally {
      await budget.close();
      await server.close();
    }
    const limited = server.arrivals.find((a) => a.status === 429);
    assert.ok(limited);
    const duringBackoff = server.arrivals.filter((a) => a.at > limited.at && a.at < limited.at + 400);
    assert.deepEqual(duringBackoff, []);
  });

  it('gives up after maxWaitMs without sending', async () => {
    const server = await startCountingServer({ limit: 1_000, windowMs: 1_000, latencyMs: 300 });
    const budget = await createFluxraBudget({ apiKey: KEY, rateLimit: { maxConcurrent: 1, requestsPerSecond: 50 } });
    try {
      const first = budget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, KEY, 'first'));
      const second = budget.schedule({ priority: 'interactive', maxWaitMs: 50 }, () => getSession(agent, server.url, KEY, 'second'));
      await assert.rejects(second, BudgetWaitTimeoutError);
      await first;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await budget.close();
      await server.close();
    }
    assert.deepEqual(
      server.arrivals.map((a) => a.label),
      ['first'],
    );
  });

  it("limits each replica on its own and shares a 429's pause through Redis", async () => {
    const prefix = uniquePrefix('fluxra');
    const server = await startCountingServer({ limit: 1_000, windowMs: 1_000, latencyMs: 80 });
    const connections = [await createBudgetRedis({ url: REDIS_URL }), await createBudgetRedis({ url: REDIS_URL })];
    const budgets = await Promise.all(
      connections.map((redis) => createFluxraBudget({ apiKey: KEY, redis, idPrefix: prefix, rateLimit: { maxConcurrent: 2, requestsPerSecond: 50 } })),
    );
    try {
      await Promise.all(Array.from({ length: 16 }, (_, i) => budgets[i % 2]!.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, KEY, `r${i % 2}`))));
      // The configured concurrency is per replica (bottleneck's local datastore).
      assert.ok(server.peakInFlight <= 4, `peak in flight ${server.peakInFlight}`);
      await budgets[0]!.pause(600);
      const until = await eventually(() => budgets[1]!.snapshot().pausedUntil || false, 'replica 1 paused');
      await budgets[1]!.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, KEY, 'after-pause'));
      const resumed = server.arrivals.find((a) => a.label === 'after-pause');
      assert.ok(resumed && resumed.at >= until, "replica 1 held its request during the other one's pause");
    } finally {
      await Promise.all(budgets.map((b) => b.close()));
      await Promise.all(connections.map((c) => c.close()));
      await server.close();
      await deleteKeysWith(prefix);
    }
    assert.equal(server.arrivals.length, 17);
  });
});
