import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend, sleep } from './fixtures.js';

interface Preference {
  emoji: string;
  count: number;
}

forEachBackend('kv', (fx) => {
  test('sets, gets and deletes typed records', async () => {
    const store = await fx.open();
    const prefs = store.kv<Preference>('prefs');
    assert.equal(await prefs.get('u1'), undefined);
    await prefs.set('u1', { emoji: '✅', count: 2 });
    assert.deepEqual(await prefs.get('u1'), { emoji: '✅', count: 2 });
    assert.equal(await prefs.delete('u1'), true);
    assert.equal(await prefs.get('u1'), undefined);
  });

  test('keeps namespaces apart', async () => {
    const store = await fx.open();
    await store.kv<string>('alpha').set('same-key', 'a');
    await store.kv<string>('beta').set('same-key', 'b');
    assert.equal(await store.kv<string>('alpha').get('same-key'), 'a');
    assert.equal(await store.kv<string>('beta').get('same-key'), 'b');
  });

  test('a record with a TTL expires', async () => {
    const store = await fx.open();
    const notes = store.kv<string>('notes');
    await notes.set('k', 'short', { ttlMs: 100 });
    await notes.set('keep', 'long');
    assert.equal(await notes.get('k'), 'short');
    await sleep(250);
    assert.equal(await notes.get('k'), undefined);
    assert.equal(await notes.get('keep'), 'long');
  });

  test('refuses bad namespace names, undefined values and bad TTLs', async () => {
    const store = await fx.open();
    assert.throws(() => store.kv('Bad:Name'), RangeError);
    assert.throws(() => store.kv(''), RangeError);
    await assert.rejects(store.kv<string | undefined>('x').set('k', undefined), TypeError);
    await assert.rejects(store.kv<string>('x').set('k', 'v', { ttlMs: -1 }), RangeError);
  });

  test('records survive a reopen', async () => {
    const first = await fx.open();
    await first.kv<number[]>('numbers').set('k', [1, 2, 3]);
    await first.close();
    const second = await fx.open();
    assert.deepEqual(await second.kv<number[]>('numbers').get('k'), [1, 2, 3]);
  });
});
