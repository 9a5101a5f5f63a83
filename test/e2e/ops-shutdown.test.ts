/**
 * SIGTERM: the bridge (src/main.ts as a child process) stops taking work, drains its
 * outbox within `shutdown.drainTimeoutMs`, closes its connections and exits 0. When the
 * drain time runs out, what is left stays in the outbox and is delivered after the next
 * start: nothing is lost either way.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import type { FakeMessage } from '../../src/simulators/fluxra.js';
import { createStore } from '../../src/store/index.js';
import { readiness, waitFor } from './ops-harness.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';
import { createMirrorWorld, DISCORD_PEOPLE, type MirrorWorld, SLACK_PEOPLE } from './support/mirror-world.js';

let world: MirrorWorld;

beforeEach(async () => {
  world = await createMirrorWorld({ groups: 1 });
  await world.seedLinks();
});

afterEach(async () => {
  await world.close();
});

const group = () => world.groups[0]!;

function inFluxra(prefix: string): FakeMessage[] {
  return [...world.fluxra.state.messages.values()].filter((message) => message.content.includes(prefix));
}

async function startBridge(shutdown: Record<string, unknown>): Promise<{ bridge: BridgeChild; base: string }> {
  const bridge = startBridgeChild({ config: world.config({ shutdown }), env: world.env });
  const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started');
  await world.slack.waitForSocket();
  return { bridge, base: `http://127.0.0.1:${String(started['healthPort'])}` };
}

async function say(count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await world.slack.deliverEvent(world.slack.userMessage({ channel: group().slackChannel!, user: SLACK_PEOPLE[0].id, text: `${prefix} ${i}` }));
  }
}

async function outboxDepth(): Promise<number> {
  const store = await createStore({ path: world.storePath }, { logger: silentLogger() });
  try {
    return await store.outbox.depth();
  } finally {
    await store.close();
  }
}

test('SIGTERM with work in the outbox: refuses new work, drains every item, exits 0', async () => {
  const { bridge, base } = await startBridge({ drainTimeoutMs: 60_000 });
  // Each Fluxra send takes a while, so accepted messages are still queued when SIGTERM comes.
  world.fluxra.inject({ kind: 'latency', ms: 250 }, { route: 'sendMessage', times: 8 });
  await say(8, 'drain');
  bridge.child.kill('SIGTERM');

  const draining = await bridge.waitForLog((line) => line['msg'] === 'shutting down: draining the outbox', 'the drain');
  assert.ok(Number(draining['queued']) > 0, `work was queued at SIGTERM (${String(draining['queued'])})`);
  // No new work: not ready, the Slack socket is closed, a command is answered "shutting down".
  // (Each Fluxra send still takes 250 ms, so the drain is far from over here.)
  const ready = await readiness(base);
  assert.equal(ready.status, 503);
  assert.ok(ready.body.failing.includes('shutdown'), JSON.stringify(ready.body));
  const interaction = world.discord.sendInteraction({
    commandName: 'bridge',
    subcommand: 'status',
    options: [],
    channelId: group().discordChannel!,
    user: { id: DISCORD_PEOPLE[0].id, username: DISCORD_PEOPLE[0].username },
  });

  assert.equal(await bridge.exit, 0, bridge.stderr());
  assert.ok(bridge.lines.some((line) => line['msg'] === 'outbox drained'));
  assert.ok(bridge.lines.some((line) => line['msg'] === 'slack adapter stopped receiving'));
  for (let i = 0; i < 8; i += 1) assert.equal(inFluxra(`drain ${i}`).length, 1, `message ${i} reached Fluxra once`);
  assert.equal(await outboxDepth(), 0, 'nothing left queued');
  const answer = interaction.callbacks.find((callback) => callback.type === 4)?.data?.['content'] ?? interaction.original?.content;
  assert.match(String(answer), /shutting down/);
});

test('when the drain time runs out, the rest stays queued and is delivered after the next start', async () => {
  const first = await startBridge({ drainTimeoutMs: 200 });
  // Fluxra stops answering sends: the drain cannot finish in time.
  world.fluxra.inject({ kind: 'hang' }, { route: 'sendMessage', times: 1 });
  await say(5, 'later');
  first.bridge.child.kill('SIGTERM');
  assert.equal(await first.bridge.exit, 0, first.bridge.stderr());
  const timedOut = first.bridge.lines.find((line) => line['msg'] === 'drain time is up; what is left stays queued for the next start');
  assert.ok(timedOut, 'the drain gave up at its deadline');
  assert.ok((await outboxDepth()) > 0, 'the undelivered items are still in the outbox');

  world.fluxra.clearFaults();
  const second = await startBridge({});
  try {
    await waitFor(() => ([0, 1, 2, 3, 4].every((i) => inFluxra(`later ${i}`).length >= 1) ? true : undefined), 'every message after the restart');
  } finally {
    second.bridge.child.kill('SIGTERM');
  }
  assert.equal(await second.bridge.exit, 0, second.bridge.stderr());
  for (let i = 0; i < 5; i += 1) assert.equal(inFluxra(`later ${i}`).length, 1, `message ${i} reached Fluxra exactly once`);
  assert.equal(await outboxDepth(), 0);
});
