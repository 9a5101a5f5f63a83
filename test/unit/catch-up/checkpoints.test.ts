import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareMessageIds, createCatchUpCheckpoints } from '../../../src/catch-up/checkpoints.js';
import type { MessageRef } from '../../../src/core/chat.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createStore } from '../../../src/store/index.js';

const channel = { platform: 'slack' as const, channelId: 'C1' };
const ref = (messageId: string): MessageRef => ({ ...channel, messageId });

async function withStore(run: (path: string) => Promise<void>): Promise<void> {
  await run(join(mkdtempSync(join(tmpdir(), 'catch-up-')), 'store.db'));
}

test('orders Slack ts and Discord snowflakes as the numbers they are', () => {
  assert.equal(compareMessageIds('1700000000.000200', '1700000000.000100'), 1);
  assert.equal(compareMessageIds('1700000000.0001', '1700000000.000100'), 0);
  assert.equal(compareMessageIds('999999999.999999', '1700000000.000001'), -1);
  assert.equal(compareMessageIds('1200000000000000001', '999999999999999999'), 1);
});

test('keeps the newest accepted message per channel, never moving back, across a reopen', async () => {
  await withStore(async (path) => {
    const store = await createStore({ path }, { logger: silentLogger() });
    const checkpoints = createCatchUpCheckpoints({ store, logger: silentLogger() });
    checkpoints.accepted(ref('1700000000.000100'));
    checkpoints.accepted(ref('1700000000.000300'));
    checkpoints.accepted(ref('1700000000.000200'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000300');
    await store.close();

    // A new process re-reads an overlap: older ids must not overwrite the stored one.
    const reopened = await createStore({ path }, { logger: silentLogger() });
    const again = createCatchUpCheckpoints({ store: reopened, logger: silentLogger() });
    again.accepted(ref('1700000000.000250'));
    await again.flush();
    assert.equal(await again.get(channel), '1700000000.000300');
    again.accepted(ref('1700000000.000400'));
    await again.flush();
    assert.equal(await again.get(channel), '1700000000.000400');
    await reopened.close();
  });
});

test('a frozen channel keeps its checkpoint until thawed, so that a refused message is read again', async () => {
  await withStore(async (path) => {
    const store = await createStore({ path }, { logger: silentLogger() });
    const checkpoints = createCatchUpCheckpoints({ store, logger: silentLogger() });
    checkpoints.accepted(ref('1700000000.000100'));
    checkpoints.freeze(channel);
    checkpoints.accepted(ref('1700000000.000300'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000100');
    checkpoints.thaw(channel);
    checkpoints.accepted(ref('1700000000.000400'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000400');
    await store.close();
  });
});

test('a freeze held by a refused message lifts when that message is accepted at last; one held by the channel only with a completed catch-up', async () => {
  await withStore(async (path) => {
    const store = await createStore({ path }, { logger: silentLogger() });
    const checkpoints = createCatchUpCheckpoints({ store, logger: silentLogger() });
    checkpoints.accepted(ref('1700000000.000100'));
    checkpoints.freeze(channel, 'slack:refused-a');
    checkpoints.freeze(channel, 'slack:refused-b');
    checkpoints.thaw(channel, 'slack:refused-a');
    checkpoints.accepted(ref('1700000000.000200'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000100', 'b still holds the channel');
    checkpoints.thaw(channel, 'slack:refused-b');
    checkpoints.accepted(ref('1700000000.000300'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000300');

    checkpoints.freeze(channel);
    checkpoints.thaw(channel, 'slack:unrelated');
    checkpoints.accepted(ref('1700000000.000400'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000300', 'a failed history read is lifted only by a completed catch-up');
    checkpoints.thaw(channel);
    checkpoints.accepted(ref('1700000000.000500'));
    await checkpoints.flush();
    assert.equal(await checkpoints.get(channel), '1700000000.000500');
    await store.close();
  });
});

test('a busy channel is written once per interval, and flush writes what waits at once', async () => {
  await withStore(async (path) => {
    const store = await createStore({ path }, { logger: silentLogger() });
    let writes = 0;
    const counted = {
      ...store,
      kv<T>(name: string) {
        const inner = store.kv<T>(name);
        return {
          ...inner,
          set: async (...args: Parameters<typeof inner.set>) => {
            writes += 1;
            await inner.set(...args);
          },
        };
      },
    };
    // A clock that never moves: every write after the first falls inside the interval.
    const checkpoints = createCatchUpCheckpoints({ store: counted, logger: silentLogger(), now: () => 5_000, minIntervalMs: 60_000 });
    checkpoints.accepted(ref('1700000000.000100'));
    await checkpoints.flush();
    for (let i = 2; i <= 50; i += 1) checkpoints.accepted(ref(`1700000000.${String(i * 100).padStart(6, '0')}`));
    assert.equal(writes, 1, 'the later ids wait for the interval');
    await checkpoints.flush();
    assert.equal(writes, 2, 'one write for the newest of them');
    assert.equal(await checkpoints.get(channel), '1700000000.005000');
    await store.close();
  });
});
