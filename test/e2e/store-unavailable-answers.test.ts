/**
 * "Durable or answered at once": with the store cut off from its Redis for real (a relay in
 * front of the shared Redis, cut), a mention and a command are answered at once with "temporarily
 * unavailable, try again" instead of silence or "something went wrong", and what could not be
 * made durable is left for the platform to deliver again (Slack: not acknowledged). The
 * real Bolt (Socket Mode) and discord.js on the fakes, the real session engine and router.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { STORE_UNAVAILABLE_ANSWER } from '../../src/commands/router.js';
import { silentLogger } from '../../src/core/logger.js';
import { MENTION_UNAVAILABLE_TEXT } from '../../src/sessions/unavailable-answers.js';
import { createStore } from '../../src/store/index.js';
import { startRedisCut } from '../support/redis-cut.js';
import { DISCORD_CHANNEL, eventually, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0AGENTS';

async function redisStore(url: string) {
  return createStore({ redisUrl: url, namespacePrefix: `unavailable-${randomUUID()}`, redisCommandTimeoutMs: 300 }, { logger: silentLogger() });
}

test('Slack: a mention the store cannot take is answered at once in its thread, left unacknowledged, and its redelivery starts no session', { timeout: 60_000 }, async () => {
  const relay = await startRedisCut();
  const rig = await startSessionsRig({ platform: 'slack', store: await redisStore(relay.url), blocks: { script: { delayMs: 50 } } });
  try {
    const fake = rig.slack!.fake;
    await relay.cut();
    const event = fake.userMessage({ channel: CHANNEL, user: 'UADA', text: '<@UBRIDGE> fix the flaky test' });
    const ts = String(event['ts']);
    const first = await fake.deliverEvent(event, { eventId: 'Ev0UNAVAILABLE', waitForAck: false });
    const answer = await eventually(() => fake.state.history(CHANNEL).find((m) => m.threadTs === ts && m.user === fake.botUserId), 'the answer in the thread');
    assert.equal(answer.text, MENTION_UNAVAILABLE_TEXT);
    // Acks travel in order on the one socket: once a later envelope is acked, an ack of the refused one would have arrived.
    await relay.restore();
    await eventually(
      () =>
        rig.store
          .ping()
          .then(() => true)
          .catch(() => false),
      'the store reachable again',
    );
    const later = await fake.deliverEvent(fake.userMessage({ channel: 'C0OTHER', user: 'UBOB', text: 'unrelated' }));
    assert.ok(later.ack);
    assert.equal(fake.state.acks.filter((ack) => ack.envelopeId === first.envelopeId).length, 0, 'the refused mention was not acknowledged');

    // Slack's retry of the same event: taken now (acknowledged), but the person was told nothing started.
    const retry = await fake.deliverEvent(event, { eventId: 'Ev0UNAVAILABLE', retryNum: 1, retryReason: 'http_timeout' });
    assert.ok(retry.ack, 'the redelivery is acknowledged');
    await rig.engine.idle();
    assert.equal(rig.blocks.state.sessions.size, 0, 'no session from the mention answered "unavailable"');
    assert.equal(fake.state.history(CHANNEL).filter((m) => m.threadTs === ts && m.user === fake.botUserId).length, 1, 'answered once');
  } finally {
    await rig.close();
    await relay.close();
  }
});

test('Slack and Discord: /agent run while the store is unreachable is answered "temporarily unavailable, try again"', { timeout: 60_000 }, async () => {
  const relay = await startRedisCut();
  const slackRig = await startSessionsRig({ platform: 'slack', store: await redisStore(relay.url) });
  const discordRig = await startSessionsRig({ platform: 'discord', store: await redisStore(relay.url) });
  try {
    await relay.cut();
    const fake = slackRig.slack!.fake;
    const before = fake.state.responses.length;
    await fake.deliverCommand({ command: 'agent', text: 'fix the flaky test', channelId: CHANNEL, userId: 'UADA' });
    const response = await fake.state.waitFor(() => fake.state.responses[before], 'the /agent answer');
    assert.equal(response.body['text'], STORE_UNAVAILABLE_ANSWER);

    const record = discordRig.discord!.fake.sendInteraction({
      commandName: 'agent',
      subcommand: 'ask',
      options: [{ name: 'prompt', value: 'fix the flaky test' }],
      channelId: DISCORD_CHANNEL,
    });
    const content = await eventually(() => record.callbacks.find((c) => c.type === 4)?.data?.['content'] ?? record.original?.content, 'the Discord answer');
    assert.equal(content, STORE_UNAVAILABLE_ANSWER);
    assert.equal(slackRig.blocks.state.sessions.size + discordRig.blocks.state.sessions.size, 0);
  } finally {
    await discordRig.close();
    await slackRig.close();
    await relay.close();
  }
});
