import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCatchUpGate } from '../../../src/catch-up/gate.js';
import type { ChannelRef } from '../../../src/core/chat.js';

const a: ChannelRef = { platform: 'slack', channelId: 'CA' };
const b: ChannelRef = { platform: 'slack', channelId: 'CB' };
const d: ChannelRef = { platform: 'discord', channelId: '1' };

test('live work of a held platform waits, then runs in arrival order; other platforms go on', async () => {
  const gate = createCatchUpGate();
  const order: string[] = [];
  const release = gate.hold('slack');
  const first = gate.pass(a, async () => void order.push('a1'));
  const second = gate.pass(b, async () => void order.push('b1'));
  const third = gate.pass(a, async () => void order.push('a2'));
  await gate.pass(d, async () => void order.push('d1'));
  assert.deepEqual(order, ['d1']);
  release();
  await Promise.all([first, second, third]);
  assert.deepEqual(order, ['d1', 'a1', 'b1', 'a2']);
});

test('a reservation made before the hold lifts runs before the channel live work; other channels do not wait for it', async () => {
  const gate = createCatchUpGate();
  const order: string[] = [];
  const release = gate.hold('slack');
  const live = gate.pass(a, async () => void order.push('live a'));
  let finishCatchUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (finishCatchUp = resolve));
  const reservation = gate.reserve(a, async () => {
    await caughtUp;
    order.push('catch-up a');
  });
  release();
  await gate.pass(b, async () => void order.push('live b'));
  assert.deepEqual(order, ['live b']);
  finishCatchUp();
  await Promise.all([reservation, live]);
  assert.deepEqual(order, ['live b', 'catch-up a', 'live a']);
});

test('two holds: live work waits until both are released', async () => {
  const gate = createCatchUpGate();
  const order: string[] = [];
  const connection = gate.hold('discord');
  const reserving = gate.hold('discord');
  const live = gate.pass(d, async () => void order.push('live'));
  connection();
  connection();
  await Promise.resolve();
  assert.deepEqual(order, []);
  reserving();
  await live;
  assert.deepEqual(order, ['live']);
});

test('releaseAll lets waiting work go (shutdown)', async () => {
  const gate = createCatchUpGate();
  gate.hold('slack');
  const live = gate.pass(a, async () => 'ran');
  gate.releaseAll();
  assert.equal(await live, 'ran');
});
