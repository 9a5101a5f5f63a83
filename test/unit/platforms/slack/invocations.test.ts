import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInvocationRegistry, type InvocationRecord } from '../../../../src/platforms/slack/invocations.js';

const record = (userId: string): InvocationRecord => ({ channelId: 'C1', userId, respond: async () => undefined });

test('invocations are forgotten 30 minutes after they arrive', () => {
  let time = 0;
  const registry = createInvocationRegistry({ ttlMs: 30 * 60_000, maxEntries: 10, now: () => time });
  registry.put('a', record('U1'));
  time += 30 * 60_000 - 1;
  assert.equal(registry.get('a')?.userId, 'U1');
  time += 1;
  assert.equal(registry.get('a'), undefined);
  assert.equal(registry.size, 0);
});

test('the registry keeps at most maxEntries, dropping the oldest first', () => {
  const registry = createInvocationRegistry({ ttlMs: 60_000, maxEntries: 3, now: () => 0 });
  for (const id of ['a', 'b', 'c', 'd', 'e']) registry.put(id, record(id));
  assert.equal(registry.size, 3);
  assert.equal(registry.get('a'), undefined);
  assert.equal(registry.get('b'), undefined);
  assert.deepEqual(
    ['c', 'd', 'e'].map((id) => registry.get(id)?.userId),
    ['c', 'd', 'e'],
  );
});
