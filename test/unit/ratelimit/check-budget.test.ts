/**
 * `fluxra-bridge check` probes the Blocks key through the bridge's own budget: same scope
 * (whatever `redis.keyPrefix`), same Redis. With the key's window used up by the bridge,
 * the probe waits for room instead of pushing the key over its limit.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Agent } from 'undici';
import { checkBlocks } from '../../../src/cli/check/blocks.js';
import { loadConfig } from '../../../src/config/load.js';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import { budgetScope, hashApiKey } from '../../../src/ratelimit/budget-id.js';
import { createBudgetRedis } from '../../../src/ratelimit/budget-redis.js';
import { startBlocksFake } from './blocks-fake.js';
import { getSession } from './blocks-request.js';
import { deleteKeysWith, REDIS_URL, uniquePrefix } from './redis-test-helpers.js';

// Opted out of sharing across prefixes, the budget is the prefix's: check must use the bridge's prefix.
test("check draws from the running bridge's budget, under the bridge's key prefix", async () => {
  const apiKey = `blk_check_${randomUUID().replace(/-/g, '')}`;
  const server = await startBlocksFake({ limit: 2, windowMs: 2_000, apiKeys: [apiKey] });
  const loaded = loadConfig({
    env: { BLOCKS_API_KEY: apiKey, REDIS_URL },
    overrides: {
      blocks: { baseUrl: server.url, rateLimit: { limit: 2, windowMs: 2_000, safetyMarginMs: 300, interactiveReserve: 1, shareAcrossPrefixes: false } },
      redis: { keyPrefix: uniquePrefix('check') },
    },
  });
  const agent = new Agent();
  const redis = await createBudgetRedis({ url: REDIS_URL });
  // What the bridge builds (upstreams.ts): the same scope function, the same config.
  const bridgeBudget = await createBlocksBudget({ apiKey, rateLimit: loaded.config.blocks.rateLimit, redis, idPrefix: budgetScope(loaded.config) });
  try {
    await Promise.all(['a', 'b'].map((label) => bridgeBudget.schedule({ priority: 'interactive' }, () => getSession(agent, server.url, apiKey, label))));
    const result = await checkBlocks(loaded, { dispatcher: agent, redis });
    assert.equal(result.status, 'ok', result.detail);
  } finally {
    await bridgeBudget.close();
    await redis.close();
    await agent.close();
    await server.close();
    await deleteKeysWith(hashApiKey(apiKey));
  }
  assert.equal(server.arrivals.length, 3);
  assert.equal(server.violations, 0, 'the probe waited for the window instead of exceeding it');
});
