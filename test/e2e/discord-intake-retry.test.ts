/**
 * Discord never redelivers a gateway event. With the real discord.js client against the fake
 * Discord, and a handler that makes each event durable in a real Redis store whose server is
 * stopped (a redis-server of our own, never the shared one): the messages that arrive while
 * Redis is down are not dropped but accepted once Redis is back, exactly once, in order per
 * channel.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import type { InboundEvent } from '../../src/core/chat.js';
import { silentLogger } from '../../src/core/logger.js';
import { createStore, type Store } from '../../src/store/index.js';
import { CHANNEL_ID, type Harness, OTHER_CHANNEL_ID, startHarness } from '../support/discord-harness.js';
import { eventually } from '../support/eventually.js';
import { type OwnRedis, startOwnRedis } from '../unit/ratelimit/redis-server.js';

let redis: OwnRedis | undefined;
let store: Store | undefined;
let h: Harness | undefined;
after(async () => {
  await h?.close();
  await store?.close();
  await redis?.stop();
});

test('messages that arrive while the store is unreachable are accepted once it is back, each once, in order per channel', { timeout: 90_000 }, async () => {
  redis = await startOwnRedis();
  const redisPort = redis.port;
  const activeStore = await createStore({ redisUrl: redis.url, namespacePrefix: `intake-${randomUUID()}`, redisCommandTimeoutMs: 300 }, { logger: silentLogger() });
  store = activeStore;
  h = await startHarness();
  const durable: string[] = [];
  let failedAttempts = 0;
  h.adapter.onEvent(async (event: InboundEvent) => {
    if (event.kind !== 'message') return;
    try {
      // What the engines do before a platform event counts as accepted: persist it.
      await activeStore.outbox.enqueue(`mirror:discord:${event.ref.channelId}`, { eventId: event.eventId });
    } catch (error) {
      failedAttempts += 1;
      throw error;
    }
    durable.push(`${event.ref.channelId}:${event.text}`);
  });

  const before = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'before' });
  await eventually(() => durable.includes(`${CHANNEL_ID}:before`), 'the message before the outage');
  assert.ok(before.id);

  await redis.stop();
  redis = undefined;
  for (const text of ['down-1', 'down-2', 'down-3']) h.fake.sendMessage({ channelId: CHANNEL_ID, content: text });
  h.fake.sendMessage({ channelId: OTHER_CHANNEL_ID, content: 'down-other' });
  await eventually(() => failedAttempts >= 3, 'acceptances failing while Redis is down');

  redis = await startOwnRedis(redisPort);
  await eventually(() => durable.length === 5, 'every message accepted after Redis returned (not dropped)', 30_000);
  assert.deepEqual(
    durable.filter((entry) => entry.startsWith(CHANNEL_ID)),
    [`${CHANNEL_ID}:before`, `${CHANNEL_ID}:down-1`, `${CHANNEL_ID}:down-2`, `${CHANNEL_ID}:down-3`],
  );
  assert.deepEqual(
    durable.filter((entry) => entry.startsWith(OTHER_CHANNEL_ID)),
    [`${OTHER_CHANNEL_ID}:down-other`],
  );
  assert.ok(h.logs.some((line) => line['msg'] === 'discord event not accepted; trying again (Discord does not redeliver)'));
  // Nothing was accepted twice, and nothing was logged as dropped.
  assert.equal(new Set(durable).size, durable.length);
  assert.equal(h.logs.filter((line) => line['msg'] === 'discord event handler failed').length, 0);
});
