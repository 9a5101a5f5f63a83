import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from './fixtures.js';

forEachBackend('cursors', (fx) => {
  test('has no cursor for a new conversation', async () => {
    const store = await fx.open();
    assert.equal(await store.cursors.get('conv-1'), undefined);
  });

  test('saves a delivered cursor per conversation and replaces it with the next one', async () => {
    const store = await fx.open();
    await store.cursors.saveDelivered('conv-1', 'c:100');
    await store.cursors.saveDelivered('conv-2', 'c:7');
    await store.cursors.saveDelivered('conv-1', 'c:142');
    assert.equal(await store.cursors.get('conv-1'), 'c:142');
    assert.equal(await store.cursors.get('conv-2'), 'c:7');
  });

  test('deletes a cursor', async () => {
    const store = await fx.open();
    await store.cursors.saveDelivered('conv-1', 'c:1');
    assert.equal(await store.cursors.delete('conv-1'), true);
    assert.equal(await store.cursors.get('conv-1'), undefined);
  });

  test('a saved cursor survives a reopen', async () => {
    const first = await fx.open();
    await first.cursors.saveDelivered('conv-1', 'opaque/with:colons?and=query');
    await first.close();
    const second = await fx.open();
    assert.equal(await second.cursors.get('conv-1'), 'opaque/with:colons?and=query');
  });
});
