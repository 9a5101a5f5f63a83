import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKeyedLock } from '../../../src/core/keyed-lock.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('runs work on one key one at a time, in call order, even after a failure', async () => {
  const lock = createKeyedLock();
  const events: string[] = [];
  const job =
    (name: string, fail = false) =>
    async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([lock.run('k', job('a')), lock.run('k', job('b', true)), lock.run('k', job('c'))]);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
});

test('lets different keys run side by side', async () => {
  const lock = createKeyedLock();
  const events: string[] = [];
  const job = (name: string) => async () => {
    events.push(`start ${name}`);
    await tick();
    events.push(`end ${name}`);
  };
  await Promise.all([lock.run('x', job('x')), lock.run('y', job('y'))]);
  assert.deepEqual(events.slice(0, 2), ['start x', 'start y']);
});
