import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend, sleep } from './fixtures.js';

forEachBackend('dedupe', (fx) => {
  test('says a key is new the first time and seen afterwards', async () => {
    const store = await fx.open();
    assert.equal(await store.dedupe.seen('slack:Ev01'), false);
    assert.equal(await store.dedupe.seen('slack:Ev01'), true);
    assert.equal(await store.dedupe.seen('slack:Ev02'), false);
  });

  test('of 50 concurrent calls on one key exactly one is told the key is new', async () => {
    const store = await fx.open();
    const answers = await Promise.all(Array.from({ length: 50 }, () => store.dedupe.seen('discord:replayed')));
    assert.equal(answers.filter((seen) => !seen).length, 1);
  });

  test('is atomic across two store instances on the same backend (two replicas)', async () => {
    const [a, b] = [await fx.open(), await fx.open()];
    const calls = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).dedupe.seen('slack:both-replicas'));
    const answers = await Promise.all(calls);
    assert.equal(answers.filter((seen) => !seen).length, 1);
  });

  test('forgets a key once its TTL has passed', async () => {
    const store = await fx.open();
    assert.equal(await store.dedupe.seen('short-lived', 100), false);
    assert.equal(await store.dedupe.seen('short-lived', 100), true);
    await sleep(250);
    assert.equal(await store.dedupe.seen('short-lived', 100), false, 'recorded anew after expiry');
    assert.equal(await store.dedupe.seen('short-lived', 100), true);
  });

  test('uses the configured default TTL', async () => {
    const store = await fx.open({ dedupeTtlMs: 100 });
    assert.equal(await store.dedupe.seen('k'), false);
    await sleep(250);
    assert.equal(await store.dedupe.seen('k'), false);
  });

  test('rejects a TTL that is not a positive integer', async () => {
    const store = await fx.open();
    await assert.rejects(store.dedupe.seen('k', 0), RangeError);
    await assert.rejects(store.dedupe.seen('k', 1.5), RangeError);
  });

  if (fx.name === 'redis') {
    test('keeps a marker for a day by default (Redis PTTL)', async () => {
      const store = await fx.open();
      await store.dedupe.seen('default-ttl');
      const ttl = await (await fx.redis()).pTTL(`${fx.prefix}:dedupe:default-ttl`);
      assert.ok(ttl > 23 * 60 * 60 * 1000 && ttl <= 24 * 60 * 60 * 1000, `pttl ${ttl}`);
    });
  }
});
