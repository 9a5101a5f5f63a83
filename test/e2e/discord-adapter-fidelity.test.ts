/**
 * The Discord adapter with payloads shaped as Discord's documentation shows them, through
 * the real discord.js client: a reply's target, mentions named as the message resolved
 * them, and an interaction the gateway replays after a RESUME.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CommandInvocation, InboundEvent, InboundMessage } from '../../src/core/chat.js';
import { dispatchCreate, docMessage } from '../../src/simulators/discord/doc-payloads.js';
import { CHANNEL_ID, EXISTING_THREAD_ID, eventually, type Harness, startHarness } from '../support/discord-harness.js';

const isMessage =
  (id: string) =>
  (event: InboundEvent): event is InboundMessage =>
    event.kind === 'message' && event.ref.messageId === id;

describe('Discord adapter: documented message shapes and replays', () => {
  let h: Harness;
  let handled: CommandInvocation[] = [];
  before(async () => {
    h = await startHarness({
      adapter: {
        commands: [{ name: 'bridge', description: 'Link', requiresPrivilege: false, subcommands: [{ name: 'status', description: 'Status', options: [] }] }],
        deferAfterMs: 2_000,
      },
      onCommand: async (invocation, adapter) => {
        handled.push(invocation);
        await adapter.reply(invocation, { text: 'linked to nothing' });
      },
    });
  });
  after(async () => {
    await h.close();
  });

  test('a reply (type 19) names the message it answers, its author and the start of its text', async () => {
    const bob = h.fake.state.user('300000000000000055', 'bob', { globalName: 'Bob' });
    const question = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'is **it** up?\nsecond line', author: { id: bob.id, username: 'bob', nick: 'bobby' } });
    const reply = dispatchCreate(
      h.fake.state,
      docMessage(h.fake.state, { channelId: CHANNEL_ID, author: { user: h.fake.state.user('300000000000000056', 'carol') }, content: 'yes', replyTo: question }),
    );
    const event = await h.nextEvent(isMessage(reply.id));
    assert.deepEqual(event.replyTo, { ref: { platform: 'discord', channelId: CHANNEL_ID, messageId: question.id }, authorName: 'bobby', excerpt: 'is **it** up?' });
    assert.equal(event.text, 'yes');
  });

  test('a reply inside a thread names its target in that thread', async () => {
    const root = h.fake.sendMessage({ channelId: EXISTING_THREAD_ID, content: 'in the thread' });
    const reply = dispatchCreate(
      h.fake.state,
      docMessage(h.fake.state, { channelId: EXISTING_THREAD_ID, author: { user: h.fake.state.user('300000000000000056', 'carol') }, content: 'answer', replyTo: root }),
    );
    const event = await h.nextEvent(isMessage(reply.id));
    assert.deepEqual(event.replyTo?.ref, { platform: 'discord', channelId: CHANNEL_ID, messageId: root.id, threadRootId: EXISTING_THREAD_ID });
    assert.equal(event.ref.threadRootId, EXISTING_THREAD_ID);
  });

  test('mentions carry who they are: the user as the message resolved them, the channel from the guild', async () => {
    const dana = h.fake.state.user('300000000000000057', 'dana', { globalName: 'Dana' });
    const sent = dispatchCreate(
      h.fake.state,
      docMessage(h.fake.state, {
        channelId: CHANNEL_ID,
        author: { user: dana },
        content: `cc <@${dana.id}> in <#${CHANNEL_ID}> and <@U0SLACKADMIN>`,
        mentions: [{ user: dana, nick: 'D' }],
      }),
    );
    const event = await h.nextEvent(isMessage(sent.id));
    assert.equal(event.text, `cc <@discord:${dana.id}|D> in <#discord:${CHANNEL_ID}|general> and <\u200B@U0SLACKADMIN>`);
  });

  test('an interaction replayed after a RESUME is not handled again, and nothing is logged as an error', async () => {
    handled = [];
    const before = h.fake.gateway.lastSequence;
    const interaction = h.fake.sendInteraction({ commandName: 'bridge', subcommand: 'status', channelId: CHANNEL_ID });
    await eventually(() => (interaction.callbacks.length > 0 ? true : undefined), 'the answer');
    await h.fake.gateway.dropConnection({ replaySince: before });
    await h.fake.gateway.whenConnected();
    await eventually(() => (h.logs.some((line) => String(line['msg']).includes('replayed')) ? true : undefined), 'the replay seen');
    assert.equal(handled.length, 1);
    assert.equal(interaction.callbacks.length, 1);
    assert.deepEqual(
      h.logs.filter((line) => Number(line['level']) >= 40).map((line) => line['msg']),
      [],
    );
  });
});
