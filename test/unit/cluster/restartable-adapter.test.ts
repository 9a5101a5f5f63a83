import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartableAdapter } from '../../../src/cluster/restartable-adapter.js';
import type { ChatAdapter, ConnectionState } from '../../../src/core/chat.js';

/** A minimal adapter with the lifecycle the Discord one has: idle until started, idle again once stopped. */
function lifecycleAdapter(serial: number, connected: { value: boolean }): ChatAdapter & { serial: number } {
  let started = false;
  const unused = async (): Promise<never> => {
    throw new Error('not used here');
  };
  return {
    serial,
    platform: 'discord',
    selfUserId: undefined,
    onEvent: () => undefined,
    async start() {
      started = true;
    },
    async stop() {
      started = false;
    },
    connectionState(): ConnectionState {
      if (!started) return 'idle';
      return connected.value ? 'connected' : 'disconnected';
    },
    post: unused,
    findOwnPost: unused,
    edit: unused,
    delete: unused,
    react: unused,
    unreact: unused,
    reply: unused,
  };
}

test('a method kept by a caller reaches the adapter of each call, not the one it was read from', async () => {
  const connected = { value: true };
  let built = 0;
  const adapter = restartableAdapter(() => {
    built += 1;
    return lifecycleAdapter(built, connected);
  });
  // As the readiness check does: the method is read once, at registration.
  const state = adapter.connectionState!.bind(adapter);
  assert.equal(state(), 'idle');

  await adapter.start();
  assert.equal(state(), 'connected');

  // The lead is lost: the gateway is not this replica's to hold.
  await adapter.stop();
  assert.equal(state(), 'idle');

  // The lead comes back: a fresh adapter runs, and the kept method sees it.
  await adapter.start();
  assert.equal(built, 2);
  assert.equal(state(), 'connected');
  connected.value = false;
  assert.equal(state(), 'disconnected');
});

test('a stopping adapter counts as idle: the replica no longer holds the connection', async () => {
  let release: () => void = () => undefined;
  const connected = { value: true };
  const adapter = restartableAdapter(() => {
    const inner = lifecycleAdapter(1, connected);
    // Its stop waits (as the Discord intake waits for its queue to drain).
    return {
      ...inner,
      stop: () => new Promise<void>((resolve) => (release = resolve)).then(() => inner.stop()),
    };
  });
  const state = adapter.connectionState!.bind(adapter);
  await adapter.start();
  const stopping = adapter.stop();
  assert.equal(state(), 'idle');
  release();
  await stopping;
  assert.equal(state(), 'idle');
});
