/**
 * A Discord channel bound to a Blocks agent (issue 8), end to end: real discord.js on the
 * fake Discord, the real session engine on the fake Blocks. Answers land in a thread created
 * from the message that asked; messages that arrive while a turn runs wait (⏳) and go as one
 * follow-up; `/agent new` starts a fresh session; `/bridge unlink what:agent` unbinds.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIMessage } from 'discord.js';
import { startBoundRig } from './bound-channel-harness.js';
import { DISCORD_CHANNEL, eventually, type SessionsRig } from './sessions-harness.js';

/** Manage Channels: what `/bridge` asks of a Discord member when there is no allow-list. */
const MANAGE_CHANNELS = String(1 << 4);

function messagesIn(rig: SessionsRig, channelId: string): APIMessage[] {
  return rig.discord!.fake.state.messages.get(channelId) ?? [];
}

function reactionsOn(rig: SessionsRig, messageId: string): string[] {
  return [...(rig.discord!.fake.state.reactions.get(`${DISCORD_CHANNEL}/${messageId}`) ?? [])].sort();
}

async function command(rig: SessionsRig, commandName: string, subcommand: string, options: Array<{ name: string; value: string }> = []): Promise<string> {
  const interaction = rig.discord!.fake.sendInteraction({ commandName, subcommand, options, channelId: DISCORD_CHANNEL, permissions: MANAGE_CHANNELS });
  return String(
    await eventually(() => interaction.callbacks.find((c) => c.type === 4)?.data?.['content'] ?? interaction.original?.content, `the /${commandName} ${subcommand} answer`),
  );
}

function say(rig: SessionsRig, content: string, channelId = DISCORD_CHANNEL, author?: { id: string; username: string }): APIMessage {
  return rig.discord!.fake.sendMessage({ channelId, content, ...(author ? { author } : {}) });
}

test('Discord: bind, three quick messages queued behind a running turn and answered together in the last one’s thread', async () => {
  const rig = await startBoundRig({
    platform: 'discord',
    blocks: { script: (ctx) => (ctx.turnIndex === 0 ? { manual: true } : { delayMs: 30, final: `Answer ${ctx.turnIndex}` }) },
  });
  try {
    assert.match(
      await command(rig, 'bridge', 'link', [
        { name: 'conversation', value: 'agent' },
        { name: 'name', value: 'codex' },
      ]),
      /^Bound this channel to `codex`/,
    );
    const first = say(rig, 'why is the build red?');
    await eventually(() => messagesIn(rig, first.id).find((m) => m.content.startsWith('codex is working')), 'the status in a thread on the first message');
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.deepEqual(session.agent, { agent_name: 'codex' });

    const bob = { id: '300000000000000009', username: 'bob' };
    const quick = [say(rig, 'also check lint'), say(rig, 'and the e2e job', DISCORD_CHANNEL, bob), say(rig, 'thanks')];
    for (const m of quick) await eventually(() => reactionsOn(rig, m.id).includes('⏳'), `⏳ on ${m.content}`);
    assert.match(await command(rig, 'agent', 'status'), /Running: turn 1[\s\S]*Queue: 3 waiting/);
    assert.equal(session.turns.length, 1);

    rig.blocks.completeTurn(session.turns[0]!.threadId, 'Lint fails.');
    await eventually(() => messagesIn(rig, first.id).find((m) => m.content === 'Lint fails.'), 'the first answer');
    const last = quick[2]!;
    await eventually(() => messagesIn(rig, last.id).find((m) => m.content === 'Answer 1'), 'the combined answer in the thread of the last message');
    assert.equal(session.turns.length, 2);
    assert.match(session.turns[1]!.prompt, /1\. alice: also check lint\n\n2\. bob: and the e2e job\n\n3\. alice: thanks$/);
    for (const m of quick.slice(0, 2)) {
      await eventually(
        () => messagesIn(rig, m.id).find((p) => p.content === 'codex answered this together with 2 other messages, in the thread of “thanks” from alice.'),
        `the pointer on ${m.content}`,
      );
    }
    for (const m of [first, ...quick]) await eventually(() => reactionsOn(rig, m.id).join() === '✅', `only ✅ on ${m.content}`);

    // A reply in a thread is a follow-up answered there.
    say(rig, 'and fix it please', first.id);
    await eventually(() => messagesIn(rig, first.id).find((m) => m.content === 'Answer 2'), 'the follow-up answer in the first thread');

    assert.match(await command(rig, 'agent', 'new'), /^The next message here starts a new `codex` session/);
    const fresh = say(rig, 'start over');
    await eventually(() => messagesIn(rig, fresh.id).find((m) => m.content.startsWith('codex is working')), 'the new session');
    assert.equal(rig.blocks.state.sessions.size, 2);

    assert.match(await command(rig, 'bridge', 'unlink', [{ name: 'what', value: 'agent' }]), /^Unbound this channel from `codex`/);
    const posts = rig.blocks.state.requests.filter((r) => r.method === 'POST').length;
    const ignored = say(rig, 'hello?');
    assert.match(await command(rig, 'bridge', 'status'), /^This channel is not bound to an agent/);
    await rig.engine.idle();
    assert.equal(rig.blocks.state.requests.filter((r) => r.method === 'POST').length, posts, 'nothing sent after the unbind');
    assert.deepEqual(reactionsOn(rig, ignored.id), []);
  } finally {
    await rig.close();
  }
});
