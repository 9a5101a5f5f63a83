/**
 * A Redis outage under the store: commands fail fast instead of queueing, `/readyz` answers
 * 503 within its bound instead of hanging, and the store works again once Redis is back.
 * Runs its own redis-server child (the shared one is never stopped).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { silentLogger } from '../../../src/core/logger.js';
import { createHealthServer } from '../../../src/health/server.js';
import { createStore } from '../../../src/store/index.js';
import { eventually } from '../../support/eventually.js';
import { type OwnRedis, startOwnRedis } from '../ratelimit/redis-server.js';

let redis: OwnRedis | undefined;
after(async () => {
  await redis?.stop();
});

/** `/readyz` with a probe timeout of its own, shorter than the old 3 s check bound. */
async function probe(port: number): Promise<{ status: number; body: { failing?: string[] } }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, body: (await response.json()) as { failing?: string[] } };
}

test('while Redis is down a store call rejects instead of waiting, /readyz says 503 to a short probe, and after a restart the store works again', { timeout: 60_000 }, async () => {
  redis = await startOwnRedis();
  const { port: redisPort } = redis;
  const store = await createStore({ redisUrl: redis.url, namespacePrefix: `outage-${randomUUID()}`, redisCommandTimeoutMs: 500 }, { logger: silentLogger() });
  const health = createHealthServer({ port: 0, host: '127.0.0.1', checkTimeoutMs: 500 });
  health.setCheck('store', () => store.ping());
  const { port } = await health.start();
  try {
    await store.outbox.enqueue('mirror:slack:C1', { n: 1 });
    assert.equal((await probe(port)).status, 200);

    await redis.stop();
    redis = undefined;
    // Without fail-fast this waited in node-redis's offline queue until Redis came back.
    await assert.rejects(store.outbox.enqueue('mirror:slack:C1', { n: 2 }));
    await assert.rejects(store.deadLetters.count());
    const down = await probe(port);
    assert.equal(down.status, 503);
    assert.deepEqual(down.body.failing, ['store']);

    redis = await startOwnRedis(redisPort);
    // A fresh Redis without data (no persistence): the store reconnects and writes again.
    await eventually(async () => (await store.outbox.enqueue('mirror:slack:C1', { n: 3 }).catch(() => undefined)) !== undefined, 'a write after the restart');
    assert.equal((await probe(port)).status, 200);
  } finally {
    await health.close();
    await store.close();
  }
});
