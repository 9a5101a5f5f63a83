/**
 * `isStoreUnreachable` on the errors a real store throws when Redis cannot be reached (a
 * relay in front of the shared Redis, cut), and on errors that are not about reaching it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { UpstreamError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createStore, isStoreUnreachable, StoreError } from '../../../src/store/index.js';
import { startRedisCut } from '../../support/redis-cut.js';

test('what a Redis store throws while Redis is cut off counts as unreachable, for every kind of call', { timeout: 30_000 }, async () => {
  const relay = await startRedisCut();
  const store = await createStore({ redisUrl: relay.url, namespacePrefix: `unreachable-${randomUUID()}`, redisCommandTimeoutMs: 300 }, { logger: silentLogger() });
  try {
    await store.outbox.enqueue('p', { n: 1 });
    await relay.cut();
    const errors = await Promise.all(
      [() => store.outbox.enqueue('p', { n: 2 }), () => store.dedupe.seen('e1'), () => store.kv('k').get('x'), () => store.links.list(), () => store.ping()].map((call) =>
        call().then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const error of errors) {
      assert.ok(error !== undefined, 'the call failed');
      assert.equal(isStoreUnreachable(error), true, String(error));
    }
  } finally {
    await store.close();
    await relay.close();
  }
});

test('a wrapped socket refusal is unreachable; a closed store, a corrupt one, a bug or a Redis error reply are not', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(isStoreUnreachable(new Error('write failed', { cause: refused })), true);
  assert.equal(isStoreUnreachable(new StoreError('STORE_UNAVAILABLE', 'Cannot open the store')), true);
  assert.equal(isStoreUnreachable(new StoreError('STORE_CLOSED', 'The store is closed')), false);
  assert.equal(isStoreUnreachable(new StoreError('STORE_CORRUPT', 'damaged')), false);
  assert.equal(isStoreUnreachable(new TypeError("Cannot read properties of undefined (reading 'id')")), false);
  assert.equal(isStoreUnreachable(new Error('ERR wrong number of arguments')), false);
  assert.equal(isStoreUnreachable('a string'), false);
  assert.equal(
    isStoreUnreachable(new UpstreamError('UNREACHABLE', 'Fluxra is not answering', { service: 'fluxra', status: 0, method: 'GET', url: 'http://127.0.0.1:1/x', cause: refused })),
    false,
    "another service's refusal is not the store's",
  );
});
