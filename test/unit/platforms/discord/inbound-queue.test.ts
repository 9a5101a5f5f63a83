/**
 * The Discord intake queue with a real handler that fails and then succeeds, on real timers
 * with short pauses: order per channel, channels independent, retry until accepted, queues
 * forgotten once empty, overflow left to the catch-up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundEvent, InboundMessage } from '../../../../src/core/chat.js';
import { silentLogger } from '../../../../src/core/logger.js';
import { createInboundQueue } from '../../../../src/platforms/discord/inbound-queue.js';
import { eventually } from '../../../support/eventually.js';

function message(channelId: string, messageId: string): InboundMessage {
  return {
    kind: 'message',
    platform: 'discord',
    eventId: `discord:${messageId}`,
    receivedAt: 0,
    ref: { platform: 'discord', channelId, messageId },
    author: { id: 'u1', displayName: 'Alice', isBot: false, isSelf: false },
    text: messageId,
    attachments: [],
    mentionsBot: false,
  };
}

const fast = { baseMs: 5, maxMs: 20 };

test('an event whose acceptance fails is tried again until it is accepted, and its channel keeps its order meanwhile', async () => {
  const accepted: string[] = [];
  let failuresLeft = 3;
  const queue = createInboundQueue({
    logger: silentLogger(),
    settings: fast,
    handler: () => async (event: InboundEvent) => {
      if (event.eventId === 'discord:m1' && failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('store unreachable');
      }
      accepted.push(event.eventId);
    },
  });
  queue.enqueue('c1', async () => [message('c1', 'm1')]);
  queue.enqueue('c1', async () => [message('c1', 'm2')]);
  await queue.drained();
  assert.deepEqual(accepted, ['discord:m1', 'discord:m2']);
  assert.equal(failuresLeft, 0);
  assert.equal(queue.size(), 0, 'an empty queue is forgotten');
});

test("one channel's failing event does not hold another channel back", async () => {
  const accepted: string[] = [];
  let blocked = true;
  const queue = createInboundQueue({
    logger: silentLogger(),
    settings: fast,
    handler: () => async (event: InboundEvent) => {
      if (event.eventId === 'discord:stuck' && blocked) throw new Error('store unreachable');
      accepted.push(event.eventId);
    },
  });
  queue.enqueue('c1', async () => [message('c1', 'stuck')]);
  queue.enqueue('c1', async () => [message('c1', 'after-stuck')]);
  queue.enqueue('c2', async () => [message('c2', 'other')]);
  await eventually(() => accepted.includes('discord:other'), 'the other channel');
  assert.deepEqual(accepted, ['discord:other'], 'c1 waits behind its head');
  assert.equal(queue.size(), 1, "c2's queue is forgotten, c1's still holds");
  blocked = false;
  await queue.drained();
  assert.deepEqual(accepted, ['discord:other', 'discord:stuck', 'discord:after-stuck']);
});

test('a mapping that fails (a REST lookup) is retried too', async () => {
  const accepted: string[] = [];
  let lookups = 0;
  const queue = createInboundQueue({ logger: silentLogger(), settings: fast, handler: () => async (event: InboundEvent) => void accepted.push(event.eventId) });
  queue.enqueue('c1', async () => {
    lookups += 1;
    if (lookups < 3) throw new Error('GET /channels/x: 503');
    return [message('c1', 'm1')];
  });
  await queue.drained();
  assert.deepEqual(accepted, ['discord:m1']);
  assert.equal(lookups, 3);
});

test('after stop, a failing event is given up (left to the catch-up) instead of retried forever', async () => {
  let attempts = 0;
  const queue = createInboundQueue({
    logger: silentLogger(),
    settings: { baseMs: 60_000, maxMs: 60_000 },
    handler: () => async () => {
      attempts += 1;
      throw new Error('store unreachable');
    },
  });
  queue.enqueue('c1', async () => [message('c1', 'm1')]);
  await eventually(() => attempts === 1, 'the first attempt');
  queue.stop();
  await queue.drained();
  assert.equal(attempts, 2, 'the pause ends at stop and the event is tried once more');
  assert.equal(queue.size(), 0);
});

test('a channel past its bound keeps no more events, and asks for a catch-up once it drained', async () => {
  const accepted: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let gaps = 0;
  const queue = createInboundQueue({
    logger: silentLogger(),
    settings: { ...fast, maxQueuedPerChannel: 2 },
    onGap: () => (gaps += 1),
    handler: () => async (event: InboundEvent) => {
      await gate;
      accepted.push(event.eventId);
    },
  });
  for (const id of ['m1', 'm2', 'm3', 'm4']) queue.enqueue('c1', async () => [message('c1', id)]);
  queue.enqueue('c2', async () => [message('c2', 'n1')]);
  release();
  await queue.drained();
  assert.deepEqual(accepted.sort(), ['discord:m1', 'discord:m2', 'discord:n1']);
  assert.equal(gaps, 1, 'the left-out m3 and m4 are read back by a catch-up');
});
