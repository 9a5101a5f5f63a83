/**
 * The buttons on an agent thread's status message, on Discord (real discord.js against the
 * fake, which dispatches MESSAGE_COMPONENT and MODAL_SUBMIT interactions shaped as Discord's
 * docs show them): Follow up answers with a modal (type 9) whose text becomes a follow-up,
 * New session starts afresh (a bound channel: as `/agent new`), Open in Blocks is a link.
 * Refusals are ephemeral (flag 64) and do nothing; a replayed interaction does nothing twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIMessage } from 'discord.js';
import type { FakeInteraction } from '../../src/simulators/discord.js';
import { DISCORD_CHANNEL, eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const OTHER_GUILD = '100000000000000009';
const OTHER_CHANNEL = '200000000000000009';
const followUps = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
const creates = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path === '/rest/v1/sessions');

function messagesIn(rig: SessionsRig, channelId: string): APIMessage[] {
  return rig.discord!.fake.state.messages.get(channelId) ?? [];
}

function buttonsOf(message: APIMessage): Array<Record<string, unknown>> {
  return (message.components ?? []).flatMap((row) => ('components' in row ? (row.components as unknown as Array<Record<string, unknown>>) : []));
}

function customId(message: APIMessage, action: string): string {
  const button = buttonsOf(message).find((b) => String(b['custom_id'] ?? '').startsWith(`${action}|`));
  assert.ok(button, `a ${action} button`);
  return String(button['custom_id']);
}

/** `/agent ask`: the root's thread id and the status message in it. */
async function startSession(rig: SessionsRig): Promise<{ threadId: string; status: APIMessage }> {
  const fake = rig.discord!.fake;
  fake.sendInteraction({ commandName: 'agent', subcommand: 'ask', options: [{ name: 'prompt', value: 'fix the flaky test' }], channelId: DISCORD_CHANNEL });
  const root = await eventually(() => messagesIn(rig, DISCORD_CHANNEL).find((m) => m.content.startsWith('alice asked claude')), 'the root message');
  const status = await eventually(() => messagesIn(rig, root.id).find((m) => /is working/.test(m.content)), 'the status message');
  return { threadId: root.id, status };
}

function press(rig: SessionsRig, threadId: string, status: APIMessage, action: string, options: { id?: string } = {}): FakeInteraction {
  const interaction = rig.discord!.fake.clickButton({ channelId: threadId, messageId: status.id, customId: customId(status, action), ...options });
  assert.ok(interaction, 'the press was dispatched');
  return interaction;
}

async function ephemeral(interaction: FakeInteraction): Promise<string> {
  const callback = await eventually(() => interaction.callbacks.find((c) => c.type === 4), 'the ephemeral answer');
  assert.equal(callback.data?.['flags'], 64);
  return String(callback.data?.['content']);
}

test('Discord: the status message carries Follow up, New session and Open in Blocks, kept when edited to done', async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { delayMs: 100 } } });
  try {
    const { threadId, status } = await startSession(rig);
    const buttons = buttonsOf(status);
    assert.deepEqual(
      buttons.map((b) => [b['style'], b['label']]),
      [
        [1, 'Follow up'],
        [2, 'New session'],
        [5, 'Open in Blocks'],
      ],
    );
    assert.match(String(buttons[2]!['url']), /^https:\/\/blocks\.team\/app\/.+\/sessions\/[0-9a-f-]{36}$/);
    await eventually(() => messagesIn(rig, threadId).find((m) => m.content === 'Done: fix the flaky test'), 'the answer');
    await eventually(() => /done\./.test(status.content), 'the status edited to done');
    const edit = rig.discord!.fake.state.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/messages/${status.id}`)).at(-1)!;
    assert.ok(Array.isArray((edit.body as { components?: unknown }).components), 'the edit sent the buttons again');
    assert.equal(buttonsOf(status).length, 3);
  } finally {
    await rig.close();
  }
});

test('Discord: Follow up answers with a modal; its text is shown in the thread and sent as a follow-up', async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { manual: true } } });
  try {
    const { threadId, status } = await startSession(rig);
    const pressed = press(rig, threadId, status, 'follow-up');
    const modal = await eventually(() => pressed.callbacks.find((c) => c.type === 9), 'the modal response');
    assert.equal(modal.data?.['title'], 'Follow up');
    assert.match(String(modal.data?.['custom_id']), /^follow-up\|c:discord:/);
    const submitted = rig.discord!.fake.submitModal({ from: pressed, text: 'also update the changelog' });
    assert.match(await ephemeral(submitted), /^Sent your follow-up to claude/);
    await eventually(() => followUps(rig).length === 1, 'the follow-up on Blocks');
    assert.equal((followUps(rig)[0]!.body as Record<string, unknown>)['message'], 'also update the changelog');
    await eventually(() => messagesIn(rig, threadId).find((m) => m.content.startsWith('alice followed up:')), 'the text in the thread');
    await eventually(() => /interrupted by a follow-up/.test(status.content), 'the first turn interrupted');
  } finally {
    await rig.close();
  }
});

test('Discord: New session in a thread starts a fresh session there; the old buttons are then stale', async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { delayMs: 50 } } });
  try {
    const { threadId, status } = await startSession(rig);
    const pressed = press(rig, threadId, status, 'new-session');
    await eventually(() => pressed.callbacks.find((c) => c.type === 9), 'the modal response');
    const submitted = rig.discord!.fake.submitModal({ from: pressed, text: 'write the release notes' });
    assert.match(await ephemeral(submitted), /^Starting a new claude session in this thread/);
    await eventually(() => creates(rig).length === 2, 'a second Blocks session');
    await eventually(() => messagesIn(rig, threadId).find((m) => m.content === 'Done: write the release notes'), 'its answer in the same thread');
    const stale = press(rig, threadId, status, 'follow-up');
    assert.match(await ephemeral(stale), /replaced by a newer one/);
    assert.equal(stale.callbacks.filter((c) => c.type === 9).length, 0);
  } finally {
    await rig.close();
  }
});

test("Discord: a bound channel's New session is /agent new; after it, and after the link is removed, its buttons are stale", async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { delayMs: 50 } } });
  try {
    const fake = rig.discord!.fake;
    const channel = { platform: 'discord' as const, channelId: DISCORD_CHANNEL };
    await rig.engine.channels.bind(channel, 'claude', 'alice');
    const asked = fake.sendMessage({ channelId: DISCORD_CHANNEL, content: 'what does the build do?' });
    const status = await eventually(() => messagesIn(rig, asked.id).find((m) => /is working/.test(m.content)), 'the status in the message thread');
    assert.match(customId(status, 'new-session'), /^new-session\|ch:discord:/);
    // Follow up joins the channel's queue, as a reply in the thread would, and reaches the same session.
    const pressed = press(rig, asked.id, status, 'follow-up');
    const modal = await eventually(() => pressed.callbacks.find((c) => c.type === 9), 'the modal response');
    assert.match(String(modal.data?.['custom_id']), /^follow-up\|ch:discord:.+@\d+$/);
    assert.match(await ephemeral(fake.submitModal({ from: pressed, text: 'and the lint step?' })), /^Sent your follow-up to claude/);
    await eventually(() => followUps(rig).some((r) => String((r.body as Record<string, unknown>)['message']).includes('and the lint step?')), 'the follow-up on Blocks');
    await eventually(() => messagesIn(rig, asked.id).find((m) => m.content.startsWith('alice followed up:')), 'the text in the thread');
    await rig.engine.idle();
    const renewed = press(rig, asked.id, status, 'new-session');
    assert.match(await ephemeral(renewed), /^The next message here starts a new claude session/);
    const stale = press(rig, asked.id, status, 'follow-up');
    assert.match(await ephemeral(stale), /replaced by a newer one/);

    const again = fake.sendMessage({ channelId: DISCORD_CHANNEL, content: 'and the tests?' });
    const second = await eventually(() => messagesIn(rig, again.id).find((m) => /is working|done\./.test(m.content)), 'the new session status');
    await rig.engine.channels.unbind(channel);
    const unlinked = press(rig, again.id, second, 'follow-up');
    assert.match(await ephemeral(unlinked), /agent link was removed/);
  } finally {
    await rig.close();
  }
});

test('Discord: a forged button from another server and a follow-up over quota are refused privately', async () => {
  const rig = await startSessionsRig({
    platform: 'discord',
    blocks: { script: { manual: true } },
    quota: { perPersonRunning: 1, perPersonPerHour: 1, perChannelRunning: 8, perChannelPerHour: 100 },
    discordOtherGuilds: [{ id: OTHER_GUILD, channels: [{ id: OTHER_CHANNEL, name: 'elsewhere' }] }],
  });
  try {
    const fake = rig.discord!.fake;
    const { threadId, status } = await startSession(rig);
    const theirs = fake.sendMessage({ channelId: OTHER_CHANNEL, content: 'hello', author: { id: '300000000000000077', username: 'mallory' } });
    const forged = fake.clickButton({
      channelId: OTHER_CHANNEL,
      messageId: theirs.id,
      customId: customId(status, 'follow-up'),
      forged: true,
      user: { id: '300000000000000077', username: 'mallory' },
    })!;
    assert.match(await ephemeral(forged), /does not belong to this channel/);

    const pressed = press(rig, threadId, status, 'follow-up');
    await eventually(() => pressed.callbacks.find((c) => c.type === 9), 'the modal response');
    const submitted = fake.submitModal({ from: pressed, text: 'one more thing' });
    assert.match(await ephemeral(submitted), /^You have started 1 agent turn in the last hour, the most allowed/);
    assert.equal(followUps(rig).length, 0);
  } finally {
    await rig.close();
  }
});

test('Discord: a replayed press and a replayed submission do nothing the second time', async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { manual: true } } });
  try {
    const fake = rig.discord!.fake;
    const { threadId, status } = await startSession(rig);
    const pressed = press(rig, threadId, status, 'follow-up');
    await eventually(() => pressed.callbacks.find((c) => c.type === 9), 'the modal response');
    const submitted = fake.submitModal({ from: pressed, text: 'and the docs' });
    await ephemeral(submitted);
    await eventually(() => followUps(rig).length === 1, 'the follow-up');
    // The gateway replays both (a RESUME): the same interaction ids again.
    fake.clickButton({ channelId: threadId, messageId: status.id, customId: customId(status, 'follow-up'), id: pressed.id });
    fake.submitModal({ from: pressed, text: 'and the docs', id: submitted.id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await rig.engine.idle();
    assert.equal(followUps(rig).length, 1, 'one follow-up');
    assert.equal(pressed.callbacks.length, 1, 'one modal');
  } finally {
    await rig.close();
  }
});
