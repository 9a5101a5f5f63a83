import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from './fixtures.js';

forEachBackend('dead letters', (fx) => {
  test('keep an outbox entry with its reason, count and list per partition, and leave other partitions alone', async () => {
    const store = await fx.open();
    const id = await store.outbox.enqueue('mirror:slack:C1', { text: 'poison' });
    const [entry] = await store.outbox.peek('mirror:slack:C1', 1);
    assert.ok(entry);
    await store.deadLetters.add(entry, 'refused by Fluxra (404)', 1_000);
    await store.outbox.complete('mirror:slack:C1', id);
    assert.equal(await store.deadLetters.count('mirror:slack:C1'), 1);
    assert.equal(await store.deadLetters.count('mirror:slack:C2'), 0);
    assert.deepEqual(await store.deadLetters.list(), [{ entry, reason: 'refused by Fluxra (404)', deadAt: 1_000 }]);
    assert.equal(await store.outbox.depth('mirror:slack:C1'), 0);
  });

  test('retry queues the item again at the end of its partition and forgets it; drop forgets it; unknown ids are refused', async () => {
    const store = await fx.open();
    await store.outbox.enqueue('mirror:slack:C1', { text: 'dead' });
    const [dead] = await store.outbox.peek('mirror:slack:C1', 1);
    assert.ok(dead);
    await store.deadLetters.add(dead, 'failed 3 times');
    await store.outbox.complete('mirror:slack:C1', dead.id);
    await store.outbox.enqueue('mirror:slack:C1', { text: 'later' });
    const queued = await store.deadLetters.retry(dead.id);
    assert.ok(queued !== undefined && queued !== dead.id);
    assert.deepEqual(
      (await store.outbox.peek<{ text: string }>('mirror:slack:C1', 5)).map((e) => e.item.text),
      ['later', 'dead'],
    );
    assert.equal(await store.deadLetters.count(), 0);
    assert.equal(await store.deadLetters.retry(dead.id), undefined, 'a retried letter is gone');

    const [again] = await store.outbox.peek('mirror:slack:C1', 1);
    assert.ok(again);
    await store.deadLetters.add(again, 'failed 3 times');
    assert.equal(await store.deadLetters.drop(again.id), true);
    assert.equal(await store.deadLetters.drop(again.id), false);
    assert.equal(await store.deadLetters.count(), 0);
  });
});
