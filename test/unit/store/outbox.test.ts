import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend, sleep } from './fixtures.js';

interface Job {
  n: number;
}

forEachBackend('outbox', (fx) => {
  test('peeks items in enqueue order with their payloads', async () => {
    const store = await fx.open();
    const ids: string[] = [];
    for (let n = 1; n <= 5; n += 1) ids.push(await store.outbox.enqueue<Job>('slack:C1', { n }));
    assert.deepEqual([...ids].sort(), ids, 'ids sort in enqueue order');
    const entries = await store.outbox.peek<Job>('slack:C1', 3);
    assert.deepEqual(
      entries.map((e) => e.item.n),
      [1, 2, 3],
    );
    assert.deepEqual(
      entries.map((e) => e.id),
      ids.slice(0, 3),
    );
    assert.equal(entries[0]?.partition, 'slack:C1');
    assert.equal(entries[0]?.attempts, 0);
    assert.equal(entries[0]?.retryAt, undefined);
  });

  test('keeps the call order of concurrent enqueues', async () => {
    const store = await fx.open();
    const ids = await Promise.all(Array.from({ length: 100 }, (_, n) => store.outbox.enqueue<Job>('p', { n })));
    const entries = await store.outbox.peek<Job>('p', 200);
    assert.deepEqual(
      entries.map((e) => e.item.n),
      Array.from({ length: 100 }, (_, n) => n),
    );
    assert.deepEqual(
      entries.map((e) => e.id),
      ids,
    );
  });

  test('a peek during concurrent enqueues only ever sees a prefix of the call order', async () => {
    const store = await fx.open();
    let done = false;
    const all = Promise.all(Array.from({ length: 60 }, (_, n) => store.outbox.enqueue<Job>('p', { n }))).then(() => {
      done = true;
    });
    const snapshots: number[][] = [];
    while (!done) snapshots.push((await store.outbox.peek<Job>('p', 100)).map((e) => e.item.n));
    await all;
    snapshots.push((await store.outbox.peek<Job>('p', 100)).map((e) => e.item.n));
    for (const seen of snapshots)
      assert.deepEqual(
        seen,
        Array.from({ length: seen.length }, (_, i) => i),
      );
    assert.equal(snapshots.at(-1)?.length, 60);
  });

  test('keeps partitions apart and lists only those with pending work', async () => {
    const store = await fx.open();
    const a1 = await store.outbox.enqueue<Job>('slack:C1', { n: 1 });
    await store.outbox.enqueue<Job>('discord:9', { n: 2 });
    await store.outbox.enqueue<Job>('slack:C1', { n: 3 });
    assert.deepEqual(await store.outbox.partitions(), ['discord:9', 'slack:C1']);
    assert.equal(await store.outbox.depth(), 3);
    assert.equal(await store.outbox.depth('slack:C1'), 2);
    assert.deepEqual(
      (await store.outbox.peek<Job>('discord:9', 10)).map((e) => e.item.n),
      [2],
    );
    assert.equal(await store.outbox.complete('slack:C1', a1), true);
    assert.deepEqual(
      (await store.outbox.peek<Job>('slack:C1', 10)).map((e) => e.item.n),
      [3],
    );
  });

  test('complete removes an item once and drops an emptied partition from the list', async () => {
    const store = await fx.open();
    const id = await store.outbox.enqueue<Job>('p', { n: 1 });
    assert.equal(await store.outbox.complete('p', id), true);
    assert.equal(await store.outbox.complete('p', id), false);
    assert.deepEqual(await store.outbox.peek('p', 10), []);
    assert.deepEqual(await store.outbox.partitions(), []);
    assert.equal(await store.outbox.depth(), 0);
  });

  test('a failed head blocks its partition until retryAt, then everything comes in the old order', async () => {
    const store = await fx.open();
    const first = await store.outbox.enqueue<Job>('p', { n: 1 });
    await store.outbox.enqueue<Job>('p', { n: 2 });
    await store.outbox.enqueue<Job>('other', { n: 9 });
    const retryAt = Date.now() + 200;
    assert.equal(await store.outbox.fail('p', first, retryAt, 'HTTP 503'), true);

    assert.deepEqual(await store.outbox.peek('p', 10), [], 'later items wait behind the failed head');
    assert.equal((await store.outbox.peek('other', 10)).length, 1, 'other partitions are not held up');
    const head = await store.outbox.head<Job>('p');
    assert.equal(head?.id, first);
    assert.equal(head?.attempts, 1);
    assert.equal(head?.retryAt, retryAt);
    assert.equal(head?.lastError, 'HTTP 503');
    assert.deepEqual(await store.outbox.partitions(), ['other', 'p'], 'a waiting partition still has pending work');

    await sleep(300);
    const ready = await store.outbox.peek<Job>('p', 10);
    assert.deepEqual(
      ready.map((e) => e.item.n),
      [1, 2],
    );
    assert.equal(ready[0]?.attempts, 1);
  });

  test('counts every failed attempt and stops a peek before a waiting item further down', async () => {
    const store = await fx.open();
    const ids = [await store.outbox.enqueue<Job>('p', { n: 1 }), await store.outbox.enqueue<Job>('p', { n: 2 }), await store.outbox.enqueue<Job>('p', { n: 3 })];
    await store.outbox.fail('p', ids[0]!, Date.now() - 1, 'first');
    await store.outbox.fail('p', ids[0]!, Date.now() - 1);
    await store.outbox.fail('p', ids[1]!, Date.now() + 60_000, 'later');
    const ready = await store.outbox.peek<Job>('p', 10);
    assert.deepEqual(
      ready.map((e) => e.item.n),
      [1],
    );
    assert.equal(ready[0]?.attempts, 2);
    assert.equal(ready[0]?.lastError, undefined);
  });

  test('failing an item that was already completed does not bring it back', async () => {
    const store = await fx.open();
    const id = await store.outbox.enqueue<Job>('p', { n: 1 });
    await store.outbox.complete('p', id);
    assert.equal(await store.outbox.fail('p', id, Date.now() + 1_000), false);
    assert.equal(await store.outbox.depth('p'), 0);
    assert.equal(await store.outbox.head('p'), undefined);
  });

  test('items survive a reopen and new items queue behind them', async () => {
    const first = await fx.open();
    await first.outbox.enqueue<Job>('p', { n: 1 });
    await first.outbox.enqueue<Job>('p', { n: 2 });
    await first.close();
    const second = await fx.open();
    assert.deepEqual(await second.outbox.partitions(), ['p']);
    await second.outbox.enqueue<Job>('p', { n: 3 });
    assert.deepEqual(
      (await second.outbox.peek<Job>('p', 10)).map((e) => e.item.n),
      [1, 2, 3],
    );
  });

  test('rejects an undefined item and a limit below one', async () => {
    const store = await fx.open();
    await assert.rejects(store.outbox.enqueue('p', undefined), TypeError);
    await assert.rejects(store.outbox.peek('p', 0), RangeError);
  });
});
