/**
 * Agent sessions from Discord (real discord.js on the fake): `/agent ask` with `prompt` and
 * `agent` options, and a mention; the answers land in a thread created from the message
 * that roots the session, and replies in that thread are follow-ups.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIMessage } from 'discord.js';
import { DISCORD_CHANNEL, eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

function messagesIn(rig: SessionsRig, channelId: string): APIMessage[] {
  return rig.discord!.fake.state.messages.get(channelId) ?? [];
}

test('/agent ask on Discord: root message, answer in its thread, ✅ on the status', async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { delayMs: 100 } } });
  try {
    const fake = rig.discord!.fake;
    const interaction = fake.sendInteraction({
      commandName: 'agent',
      subcommand: 'ask',
      options: [
        { name: 'prompt', value: 'fix the flaky test' },
        { name: 'agent', value: 'codex' },
      ],
      channelId: DISCORD_CHANNEL,
    });
    const ack = await eventually(() => interaction.callbacks.find((c) => c.type === 4)?.data?.['content'] ?? interaction.original?.content, 'the ephemeral answer');
    assert.match(String(ack), /^Asking codex/);
    const root = await eventually(() => messagesIn(rig, DISCORD_CHANNEL).find((m) => m.content.startsWith('alice asked codex')), 'the root message');
    // The thread started from the root has the root's id.
    const answer = await eventually(() => messagesIn(rig, root.id).find((m) => m.content === 'Done: fix the flaky test'), 'the answer in the thread');
    const status = messagesIn(rig, root.id)[0]!;
    assert.notEqual(status.id, answer.id);
    await eventually(() => fake.state.reactions.get(`${root.id}/${status.id}`)?.has('✅'), 'the ✅ on the status');
    assert.deepEqual([...rig.blocks.state.sessions.values()][0]!.agent, { agent_name: 'codex' });
    // An unknown agent option is refused with the valid names.
    const wrong = fake.sendInteraction({
      commandName: 'agent',
      subcommand: 'ask',
      options: [
        { name: 'prompt', value: 'x' },
        { name: 'agent', value: 'gpt9' },
      ],
      channelId: DISCORD_CHANNEL,
    });
    const refusal = await eventually(() => wrong.callbacks.find((c) => c.type === 4)?.data?.['content'] ?? wrong.original?.content, 'the refusal');
    assert.match(String(refusal), /^There is no agent `gpt9`\. Agents: claude, codex/);
  } finally {
    await rig.close();
  }
});

test('a Discord mention is answered in a thread on it; a reply there is a follow-up', async () => {
  const rig = await startSessionsRig({ platform: 'discord', blocks: { script: { delayMs: 100 } } });
  try {
    const fake = rig.discord!.fake;
    const self = rig.discord!.adapter.selfUserId;
    const asked = fake.sendMessage({ channelId: DISCORD_CHANNEL, content: `<@${self}> gemini explain the build` });
    await eventually(() => messagesIn(rig, asked.id).find((m) => m.content === 'Done: explain the build'), 'the answer in the thread on the mention');
    fake.sendMessage({ channelId: asked.id, content: 'and the deploy' });
    await eventually(() => messagesIn(rig, asked.id).find((m) => m.content === 'Done: and the deploy'), 'the follow-up answer');
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.deepEqual(session.agent, { agent_name: 'gemini' });
    assert.equal(session.turns.length, 2);
  } finally {
    await rig.close();
  }
});
