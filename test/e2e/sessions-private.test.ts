/**
 * Sessions asked for in closed rooms are created private on Blocks (`is_private: true`,
 * spec §5.1): a Slack private channel or DM, a Discord channel hidden from @everyone. Asked
 * in a public channel, the create carries no `is_private` (Blocks' default, visible).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISCORD_CHANNEL, eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const PUBLIC = 'C0PUBLIC1';
const SECRET = 'C0SECRET1';
const DM = 'D0DIRECT1';
const HIDDEN_DISCORD = '200000000000000777';

/** The create bodies Blocks received whose prompt is `prompt`. */
function createsFor(rig: SessionsRig, prompt: string): Array<Record<string, unknown>> {
  return rig.blocks.state.requests
    .filter((r) => r.method === 'POST' && r.path === '/rest/v1/sessions')
    .map((r) => r.body as Record<string, unknown>)
    .filter((body) => body['message'] === prompt);
}

async function slackCommand(rig: SessionsRig, channelId: string, text: string): Promise<void> {
  const fake = rig.slack!.fake;
  const before = fake.state.responses.length;
  await fake.deliverCommand({ command: 'agent', text, channelId, userId: 'UADA' });
  await fake.state.waitFor(() => fake.state.responses[before], 'the /agent answer');
}

test('Slack: /agent in a private channel and a mention in a DM create private sessions; a public channel does not', async () => {
  const rig = await startSessionsRig({
    platform: 'slack',
    slackChannels: [
      { id: PUBLIC, name: 'general' },
      { id: SECRET, name: 'secret-plans', isPrivate: true },
    ],
  });
  try {
    await slackCommand(rig, SECRET, 'summarise the secret plan');
    await slackCommand(rig, PUBLIC, 'summarise the public plan');
    // A DM as Slack sends it: channel_type im, the bot mentioned.
    await rig.slack!.fake.deliverEvent(rig.slack!.fake.userMessage({ channel: DM, channelType: 'im', user: 'UADA', text: '<@UBRIDGE> look at my draft' }));
    // A public channel's message event says so itself (no lookup needed).
    await rig.slack!.fake.deliverEvent(rig.slack!.fake.userMessage({ channel: PUBLIC, channelType: 'channel', user: 'UADA', text: '<@UBRIDGE> look at the public draft' }));

    const [secret] = await eventually(() => (createsFor(rig, 'summarise the secret plan').length ? createsFor(rig, 'summarise the secret plan') : undefined), 'the private create');
    const [open] = await eventually(() => (createsFor(rig, 'summarise the public plan').length ? createsFor(rig, 'summarise the public plan') : undefined), 'the public create');
    const [dm] = await eventually(() => (createsFor(rig, 'look at my draft').length ? createsFor(rig, 'look at my draft') : undefined), 'the DM create');
    const [mention] = await eventually(
      () => (createsFor(rig, 'look at the public draft').length ? createsFor(rig, 'look at the public draft') : undefined),
      'the public mention create',
    );
    assert.equal(secret!['is_private'], true);
    assert.equal(dm!['is_private'], true);
    assert.equal(open!['is_private'], undefined);
    assert.equal(mention!['is_private'], undefined);
    const sessions = [...rig.blocks.state.sessions.values()];
    assert.equal(sessions.filter((s) => s.is_private).length, 2);
  } finally {
    await rig.close();
  }
});

test('Discord: /agent in a channel hidden from @everyone creates a private session; a mention in a public one does not', async () => {
  const rig = await startSessionsRig({
    platform: 'discord',
    discordChannels: [
      { id: DISCORD_CHANNEL, name: 'general' },
      { id: HIDDEN_DISCORD, name: 'staff-only', private: true },
    ],
  });
  try {
    const fake = rig.discord!.fake;
    fake.sendInteraction({ commandName: 'agent', subcommand: 'ask', options: [{ name: 'prompt', value: 'review the staff notes' }], channelId: HIDDEN_DISCORD });
    fake.sendMessage({ channelId: DISCORD_CHANNEL, content: `<@${fake.state.botUser.id}> review the public notes`, author: { id: '200000000000000501', username: 'carol' } });
    const [hidden] = await eventually(() => (createsFor(rig, 'review the staff notes').length ? createsFor(rig, 'review the staff notes') : undefined), 'the private create');
    const [open] = await eventually(() => (createsFor(rig, 'review the public notes').length ? createsFor(rig, 'review the public notes') : undefined), 'the public create');
    assert.equal(hidden!['is_private'], true);
    assert.equal(open!['is_private'], undefined);
  } finally {
    await rig.close();
  }
});
