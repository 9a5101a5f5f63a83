/**
 * Issue 16, item 9: agents' messages from Fluxra reach each linked channel on its own (a
 * stalled Discord does not hold back Slack), and a reply whose thread root is still queued
 * for a channel waits for it and goes into its thread there, instead of top-level.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { FakeAgentCredentials } from '../../src/simulators/fluxra.js';
import { ALICE, eventually, type MirrorWorld, SLACK_CHANNEL, startMirrorWorld } from './mirror-to-fluxra-fixture.js';

let world: MirrorWorld;
let agent: FakeAgentCredentials;

beforeEach(async () => {
  world = await startMirrorWorld();
  agent = world.fluxra.createAgent({ agentName: 'helper' });
  world.fluxra.state.addMembers(world.conversationId, [agent.agentId]);
});

afterEach(async () => {
  await world.close();
});

const agentSays = (content: string) => world.fluxra.postAs(agent.agentId, { conversationId: world.conversationId, content });
const slackHistory = () => world.slack.state.history(SLACK_CHANNEL);
const discordHistory = (channelId = '500000000000000001') => world.discord.state.history(channelId);
/** Posts into Discord channels go through the channel's webhook (as an agent, or as a person). */
const WEBHOOK_POSTS = { method: 'POST', path: /^\/webhooks\/[^/]+\/[^/]+$/ };

async function warmUp(): Promise<void> {
  agentSays('warm-up');
  await eventually(() => discordHistory().find((m) => m.content === 'warm-up'), 'the first copy (the Discord channel has its webhook)');
  await eventually(() => slackHistory().find((m) => m.text === 'warm-up'), 'the first copy on Slack');
}

test('a stalled Discord holds back only its own copies of agent messages: Slack gets each at once, Discord all of them in order once released', async () => {
  await warmUp();
  const release = world.discord.hold(WEBHOOK_POSTS);
  const texts = ['agent 1', 'agent 2', 'agent 3'];
  for (const text of texts) agentSays(text);
  // A guard against a hang (the stalled request would time out after 15 s), not a timing assertion.
  await eventually(() => (texts.every((text) => slackHistory().some((m) => m.text === text)) ? true : undefined), 'every message on Slack while Discord is stalled', 8_000);
  assert.equal(discordHistory().filter((m) => texts.includes(m.content)).length, 0, 'nothing reached the stalled Discord');

  release();
  await eventually(() => (discordHistory().filter((m) => texts.includes(m.content)).length >= texts.length ? true : undefined), 'the held copies');
  await world.engine.idle();
  assert.deepEqual(
    discordHistory()
      .filter((m) => m.webhook_id)
      .map((m) => m.content),
    ['warm-up', ...texts],
    'each once on Discord, in Fluxra order',
  );
  assert.deepEqual(
    slackHistory()
      .filter((m) => m.text === 'warm-up' || texts.includes(m.text))
      .map((m) => m.text),
    ['warm-up', ...texts],
    'each once on Slack, in Fluxra order',
  );
  assert.equal(await world.store.outbox.depth(), 0);
});

test('a Slack reply to an agent message whose Discord copy is still queued waits for it and goes into its thread on Discord', async () => {
  await warmUp();
  const release = world.discord.hold(WEBHOOK_POSTS);
  agentSays('agent root');
  const rootOnSlack = await eventually(() => slackHistory().find((m) => m.text === 'agent root'), 'the root on Slack');

  const event = world.slack.userMessage({ channel: SLACK_CHANNEL, user: ALICE.id, text: 'a reply in its thread', threadTs: rootOnSlack.ts });
  await world.slack.deliverEvent(event);
  const reply = await eventually(
    () => [...world.fluxra.state.messages.values()].find((m) => m.conversationId === world.conversationId && m.content.endsWith('a reply in its thread')),
    'the reply in Fluxra',
  );
  assert.ok(reply.inReplyTo, 'in reply to the root in Fluxra');

  release();
  const rootOnDiscord = await eventually(() => discordHistory().find((m) => m.content === 'agent root'), 'the root on Discord');
  // On Discord the thread is started from the root's copy and shares its id.
  await eventually(() => discordHistory(rootOnDiscord.id).find((m) => m.content === 'a reply in its thread'), 'the reply in the root’s Discord thread');
  await world.engine.idle();
  assert.equal(
    discordHistory().some((m) => m.content.includes('a reply in its thread')),
    false,
    'not top-level in the channel',
  );
  assert.equal(await world.store.outbox.depth(), 0);
});
