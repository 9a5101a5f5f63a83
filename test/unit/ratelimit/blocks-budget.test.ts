import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { ConfigError } from '../../../src/core/errors.js';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import { BudgetClosedError, BudgetWaitTimeoutError } from '../../../src/ratelimit/errors.js';
import type { RateBudget, RequestPriority } from '../../../src/ratelimit/types.js';
import { type BlocksFakeView, startBlocksFake } from './blocks-fake.js';
import { getSession } from './blocks-request.js';

const API_KEY = 'blk_test_key_local_0001';

describe('Blocks rate budget (local)', () => {
  let agent: Agent;
  before(() => {
    agent = new Agent({ connections: 16 });
  });
  after(async () => {
    await agent.close();
  });

  async function withBudget(
    server: BlocksFakeView,
    rateLimit: Parameters<typeof createBlocksBudget>[0]['rateLimit'],
    body: (budget: RateBudget, send: (priority: RequestPriority, label?: string, maxWaitMs?: number) => Promise<unknown>) => Promise<void>,
  ): Promise<void> {
    const budget = await createBlocksBudget({ apiKey: API_KEY, rateLimit });
    const send = (priority: RequestPriority, label: string = priority, maxWaitMs?: number): Promise<unknown> =>
      budget.schedule({ priority, label, ...(maxWaitMs === undefined ? {} : { maxWaitMs }) }, () => getSession(agent, server.url, API_KEY, label));
    try {
      await body(budget, send);
    } finally {
      await budget.close();
      await server.close();
    }
  }

  it('sends a burst of people at once after a quiet window, and not one more than the limit', async () => {
    // A 60 s window that the test never waits for: a spacing budget would need minutes here.
    const rateLimit = { limit: 20, windowMs: 60_000, safetyMarginMs: 1_000, interactiveReserve: 4 };
    const server = await startBlocksFake({ limit: 20, windowMs: 60_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (budget, send) => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => send('interactive', `person-${i}`)));
      await assert.rejects(send('interactive', 'one-too-many', 100), BudgetWaitTimeoutError);
      // The wait estimate comes from the log: the oldest entry leaves in about a window.
      assert.ok(budget.estimateWaitMs('interactive') > 50_000, `estimate ${budget.estimateWaitMs('interactive')}`);
    });
    assert.equal(server.arrivals.length, 20);
    assert.equal(server.violations, 0);
  });

  it('refuses a reserve that leaves polling no slot', async () => {
    await assert.rejects(createBlocksBudget({ apiKey: API_KEY, rateLimit: { limit: 10, interactiveReserve: 10 } }), ConfigError);
  });

  it('never lets more than limit requests arrive in any window, and fills the window', async () => {
    // The margin covers admission-to-arrival: a burst of 20 on a cold client opens 16
    // connections first (measured up to 250 ms in-process on a busy 2-core machine).
    const rateLimit = { limit: 20, windowMs: 1_000, safetyMarginMs: 400, interactiveReserve: 4 };
    const server = await startBlocksFake({ limit: 20, windowMs: 1_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (_budget, send) => {
      await Promise.all(Array.from({ length: 60 }, (_, i) => send(i % 3 === 0 ? 'background' : 'interactive')));
    });
    assert.equal(server.arrivals.length, 60);
    assert.equal(server.violations, 0);
    const busiest = server.maxInAnyWindow(1_000);
    assert.ok(busiest <= 20, `busiest window held ${busiest}`);
    assert.ok(busiest >= 18, `busiest window held only ${busiest}`);
  });

  it('sends a person’s request ahead of polling that was queued before it', async () => {
    const rateLimit = { limit: 10, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 2 };
    const server = await startBlocksFake({ limit: 10, windowMs: 1_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (_budget, send) => {
      const polls = Array.from({ length: 8 }, (_, i) => send('background', `poll-${i}`));
      await polls[0];
      const queuedBefore = server.arrivals.length;
      const people = Array.from({ length: 3 }, (_, i) => send('interactive', `person-${i}`));
      await Promise.all([...polls, ...people]);
      const order = server.arrivals.map((a) => a.label);
      // At most one poll already admitted may go first; then the three people.
      const next = order.slice(queuedBefore, queuedBefore + 4);
      assert.deepEqual(
        next.filter((label) => label.startsWith('person')),
        ['person-0', 'person-1', 'person-2'],
        `arrival order: ${order.join(', ')}`,
      );
      assert.ok(order.indexOf('person-2') < order.indexOf('poll-7'));
    });
    assert.equal(server.violations, 0);
  });

  it('keeps background polling out of the interactive reserve in every window', async () => {
    const rateLimit = { limit: 20, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 8 };
    const server = await startBlocksFake({ limit: 20, windowMs: 1_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (_budget, send) => {
      const polls = Array.from({ length: 36 }, (_, i) => send('background', `poll-${i}`));
      // People arrive in a burst in the middle: polling must still never exceed 12/window.
      await polls[10];
      const people = Array.from({ length: 15 }, (_, i) => send('interactive', `person-${i}`));
      await Promise.all([...polls, ...people]);
    });
    assert.equal(server.violations, 0);
    const pollsPerWindow = server.maxInAnyWindow(1_000, (a) => a.label.startsWith('poll'));
    assert.ok(pollsPerWindow <= 12, `polling used ${pollsPerWindow} slots in one window`);
    assert.ok(server.maxInAnyWindow(1_000) <= 20);
  });

  it('gives up after maxWaitMs without ever sending the request', async () => {
    const rateLimit = { limit: 2, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 1 };
    const server = await startBlocksFake({ limit: 2, windowMs: 1_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (budget) => {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => budget.schedule({ priority: 'interactive', maxWaitMs: 100, label: `r${i}` }, () => getSession(agent, server.url, API_KEY, `r${i}`))),
      );
      const sent = results.filter((r) => r.status === 'fulfilled').length;
      const timedOut = results.filter((r) => r.status === 'rejected' && r.reason instanceof BudgetWaitTimeoutError).length;
      assert.equal(sent + timedOut, 5);
      assert.ok(timedOut >= 3, `only ${timedOut} timed out`);
      // Let the window turn: a request that gave up must never be sent later.
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      assert.equal(server.arrivals.length, sent);
    });
  });

  it('pauses the key after a 429 without Retry-After, doubling the backoff while 429s repeat', async () => {
    // One request at a time, each asked once the previous one failed: the pause is set by then.
    const rateLimit = { limit: 4, windowMs: 1_000, safetyMarginMs: 200, interactiveReserve: 1, backoffMs: 400, maxBackoffMs: 800 };
    const server = await startBlocksFake({ limit: 4, windowMs: 1_000, apiKeys: [API_KEY] });
    server.inject429(3);
    await withBudget(server, rateLimit, async (_budget, send) => {
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i += 1)
        outcomes.push(
          await send('interactive').then(
            () => 'sent',
            () => 'failed',
          ),
        );
      assert.deepEqual(outcomes, ['failed', 'failed', 'failed', 'sent']);
    });
    const times = server.arrivals.map((a) => a.at);
    const statuses = server.arrivals.map((a) => a.status);
    assert.deepEqual(statuses.slice(0, 3), [429, 429, 429]);
    // Each 429 pauses the key: 400 ms, then 800 ms, then 800 ms (the cap).
    const gaps = [1, 2, 3].map((i) => (times[i] ?? 0) - (times[i - 1] ?? 0));
    assert.ok((gaps[0] ?? 0) >= 400, `gap after the first 429: ${gaps[0]}`);
    assert.ok((gaps[1] ?? 0) >= 800, `gap after the second 429: ${gaps[1]}`);
    assert.ok((gaps[2] ?? 0) >= 800, `gap after the third 429: ${gaps[2]}`);
  });

  it('reports the queue, the pause and a wait estimate that puts people first', async () => {
    const rateLimit = { limit: 5, windowMs: 1_000, safetyMarginMs: 0, interactiveReserve: 1 };
    const server = await startBlocksFake({ limit: 5, windowMs: 1_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (budget, send) => {
      const empty = budget.snapshot();
      assert.deepEqual(empty, { usedInWindow: 0, limit: 5, windowMs: 1_000, queued: { interactive: 0, background: 0 }, pausedUntil: 0 });
      const jobs = [send('interactive'), ...Array.from({ length: 4 }, () => send('background'))];
      await Promise.all(jobs.slice(0, 2));
      const busy = budget.snapshot();
      // The person and the first poll go at once; polling is paced, so three polls still wait.
      assert.equal(busy.usedInWindow, 2);
      assert.equal(busy.queued.background, 3);
      assert.ok(budget.estimateWaitMs('interactive') < budget.estimateWaitMs('background'));
      await budget.pause(5_000);
      assert.ok(budget.snapshot().pausedUntil > Date.now());
      assert.ok(budget.estimateWaitMs('interactive') >= 4_000);
      const sentBeforeClose = server.arrivals.length;
      const pending = Promise.allSettled(jobs.slice(2));
      await budget.close();
      const settled = await pending;
      assert.ok(settled.every((r) => r.status === 'rejected' && r.reason instanceof BudgetClosedError));
      assert.equal(server.arrivals.length, sentBeforeClose);
      await assert.rejects(send('interactive'), BudgetClosedError);
    });
  });

  it('rejects a send that throws at once and keeps serving the others', async () => {
    const rateLimit = { limit: 20, windowMs: 1_000, safetyMarginMs: 100, interactiveReserve: 2 };
    const server = await startBlocksFake({ limit: 20, windowMs: 1_000, apiKeys: [API_KEY] });
    await withBudget(server, rateLimit, async (budget, send) => {
      const broken = budget.schedule({ priority: 'interactive' }, () => {
        throw new Error('bad request built');
      });
      const fine = send('interactive');
      await assert.rejects(broken, /bad request built/);
      await fine;
    });
    assert.equal(server.arrivals.length, 1);
  });
});
