/**
 * Items that fail for good leave their channel's queue as dead letters, and the channel goes
 * on: the real adapters, Fluxra client and mirror engine against the fakes, a SQLite store,
 * the Prometheus metrics, and the `deadletters` CLI command as a child process on that store.
 */

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { mirrorPartition } from '../../src/delivery/sections.js';
import { createBridgeMetrics } from '../../src/metrics/registry.js';
import { runCli } from './cli-harness.js';
import { ALICE, eventually, type MirrorWorld, SLACK_CHANNEL, slackRef, startMirrorWorld } from './mirror-to-fluxra-fixture.js';

let world: MirrorWorld;

afterEach(async () => {
  await world.close();
});

const fluxraContents = (): string[] =>
  [...world.fluxra.state.messages.values()]
    .filter((m) => m.conversationId === world.conversationId)
    .sort((a, b) => a.seq - b.seq)
    .map((m) => m.content);

async function slackSay(text: string): Promise<void> {
  await world.slack.deliverEvent(world.slack.userMessage({ channel: SLACK_CHANNEL, user: ALICE.id, text }));
}

const arrived = (text: string) => eventually(() => (fluxraContents().includes(`[Alice · Slack] ${text}`) ? true : undefined), `"${text}" in Fluxra`);
const deadLetters = () => world.store.deadLetters.count(mirrorPartition(slackRef));
const deadCount = (count: number) => eventually(async () => ((await deadLetters()) === count ? true : undefined), `${count} dead letters`);
const cli = (...args: string[]) => runCli(['deadletters', ...args], { config: { store: { path: world.storePath } } });

test('a 404 and a lasting 5xx each become a dead letter, the channel goes on, the metric counts them, and the CLI lists, retries and drops them', async () => {
  const metrics = createBridgeMetrics({ processMetrics: false });
  world = await startMirrorWorld({ mirror: { maxAttempts: 3, retryBaseMs: 5, retryMaxMs: 20 }, metrics });

  // The conversation is gone for this one message: Fluxra says 404, which no retry can fix.
  world.fluxra.inject({ kind: 'status', status: 404, json: { error: { code: 'NOT_FOUND', message: 'Conversation not found' } } }, { route: 'sendMessage' });
  await slackSay('lost to a 404');
  await slackSay('after the 404');
  await arrived('after the 404');
  assert.equal(await deadLetters(), 1);
  assert.ok(!fluxraContents().includes('[Alice · Slack] lost to a 404'));

  // A lasting 5xx: dead after maxAttempts (3) attempts, then the next message goes.
  world.fluxra.inject({ kind: 'status', status: 503, json: { error: { code: 'UNAVAILABLE', message: 'try later' } } }, { route: 'sendMessage', times: 1_000 });
  await slackSay('lost to a 5xx');
  await deadCount(2);
  world.fluxra.clearFaults();
  await slackSay('after the 5xx');
  await arrived('after the 5xx');
  await world.engine.idle();
  assert.equal(await world.store.outbox.depth(mirrorPartition(slackRef)), 0, 'nothing holds the channel');
  const [first, second] = await world.store.deadLetters.list(mirrorPartition(slackRef));
  assert.match(first?.reason ?? '', /refused by Fluxra \(404\)/);
  assert.match(second?.reason ?? '', /failed 3 times/);
  assert.equal(second?.entry.attempts, 2, 'two failures recorded before the third made it dead');
  assert.match(await metrics.registry.metrics(), /^fluxra_bridge_dead_letters_total\{stage="send"\} 2$/m);

  const listed = await cli('list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stdout.split('\n').filter((line) => line.startsWith(first?.entry.id ?? '?')).length, 1);
  assert.match(listed.stdout, new RegExp(`^${second?.entry.id}  mirror:slack:${SLACK_CHANNEL}  .*  message  failed 3 times`, 'm'));
  assert.match(listed.stdout, /2 dead letters\./);

  const retried = await cli('retry', first?.entry.id ?? '');
  assert.equal(retried.code, 0, retried.stderr);
  // The channel's next message wakes its queue: the retried item goes, then the new one.
  await slackSay('wake up');
  await arrived('wake up');
  await arrived('lost to a 404');
  assert.equal(fluxraContents().filter((c) => c === '[Alice · Slack] lost to a 404').length, 1);

  const dropped = await cli('drop', second?.entry.id ?? '');
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.equal((await cli('list')).stdout.trim(), 'No dead letters.');
  const unknown = await cli('drop', 'no-such-id');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no dead letter "no-such-id"/);
});
