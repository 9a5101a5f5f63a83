/**
 * Mirror fidelity with Discord payloads shaped as Discord's documentation shows them (see
 * src/simulators/discord/doc-payloads.ts), dispatched raw through the fake gateway to the real
 * discord.js client: replies, forwards, stickers, embeds-only messages, mentions in both
 * directions, and MESSAGE_UPDATEs that change nothing.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { APIMessage, APIUser } from 'discord.js';
import { type DocMessageInit, dispatchCreate, dispatchUpdate, docMessage } from '../../src/simulators/discord/doc-payloads.js';
import type { FakeMessage } from '../../src/simulators/fluxra.js';
import { ALICE, BOB, DISCORD_CHANNEL, eventually, type MirrorWorld, SLACK_CHANNEL, startMirrorWorld } from './mirror-to-fluxra-fixture.js';

const ZWSP = '\u200B';
let world: MirrorWorld;
let bob: APIUser;

beforeEach(async () => {
  world = await startMirrorWorld();
  bob = world.discord.state.user(BOB.id, BOB.username, { globalName: BOB.globalName });
});

afterEach(async () => {
  await world.close();
});

const fluxraMessages = (): FakeMessage[] => [...world.fluxra.state.messages.values()].filter((m) => m.conversationId === world.conversationId).sort((a, b) => a.seq - b.seq);
const fluxraWith = (needle: string): Promise<FakeMessage> => eventually(() => fluxraMessages().find((m) => m.content.includes(needle)), `the Fluxra message with ${needle}`);
const slackWith = (needle: string) => eventually(() => world.slack.state.history(SLACK_CHANNEL).find((m) => m.text.includes(needle)), `the Slack copy with ${needle}`);
const discordWith = (needle: string) => eventually(() => world.discord.state.history(DISCORD_CHANNEL).find((m) => m.content.includes(needle)), `the Discord copy with ${needle}`);

function bobSays(init: Omit<DocMessageInit, 'channelId' | 'author'>): APIMessage {
  return dispatchCreate(world.discord.state, docMessage(world.discord.state, { channelId: DISCORD_CHANNEL, author: { user: bob }, ...init }));
}

describe('Discord replies, forwards, stickers and embeds', () => {
  test('a reply (type 19) to a mirrored message answers it in Fluxra and lands in its Slack thread', async () => {
    const question = bobSays({ content: 'is the deploy done?' });
    const root = await fluxraWith('is the deploy done?');
    const rootCopy = await slackWith('is the deploy done?');
    await world.engine.idle();
    bobSays({ content: 'never mind, it is', replyTo: question });
    const reply = await fluxraWith('never mind');
    assert.equal(reply.inReplyTo, root.messageId);
    assert.equal(reply.content, '[Bob · Discord] never mind, it is');
    const copy = await slackWith('never mind');
    assert.equal(copy.threadTs, rootCopy.ts, 'in the thread of the answered message’s copy');
  });

  test('a reply to a message the mirror never saw keeps its context as a quoted line', async () => {
    const old = world.discord.state.createMessage({ channelId: '500000000000000999', author: bob, content: 'from before the link' });
    const answer = bobSays({ content: 'still true', replyTo: old });
    const reply = await fluxraWith('still true');
    assert.equal(reply.inReplyTo ?? null, null);
    assert.equal(reply.content, '[Bob · Discord] > ↪ Bob: from before the link\n\nstill true');
    const copy = await slackWith('still true');
    assert.equal(copy.threadTs, undefined);
    assert.equal(copy.text, '> ↪ Bob: from before the link\n\nstill true');
    await world.engine.idle();
    // An edit keeps the quote line in Fluxra and on the copy.
    dispatchUpdate(world.discord.state, answer as Parameters<typeof dispatchUpdate>[1], { content: 'still true, checked' });
    await eventually(
      () => (world.fluxra.state.messages.get(reply.messageId)?.content === '[Bob · Discord] > ↪ Bob: from before the link\n\nstill true, checked' ? true : undefined),
      'the Fluxra edit',
    );
    await eventually(
      () => (world.slack.state.history(SLACK_CHANNEL).find((m) => m.ts === copy.ts)?.text === '> ↪ Bob: from before the link\n\nstill true, checked' ? true : undefined),
      'the Slack edit',
    );
  });

  test('a forward mirrors its snapshot text with a forwarded mark', async () => {
    const original = world.discord.state.createMessage({ channelId: '500000000000000998', author: bob, content: 'the **original** words' });
    bobSays({ forwardOf: original });
    const sent = await fluxraWith('original');
    assert.equal(sent.content, '[Bob · Discord] *Forwarded:*\nthe **original** words');
    const copy = await slackWith('original');
    assert.equal(copy.text, '_Forwarded:_\nthe *original* words');
  });

  test('a stickers-only message and an embeds-only message mirror as short texts', async () => {
    bobSays({ stickers: [{ id: '749054660769218631', name: 'Wave', format_type: 1 }] });
    const sticker = await fluxraWith('sticker');
    assert.equal(sticker.content, '[Bob · Discord] [sticker: Wave]');
    bobSays({ embeds: [{ title: 'Build 42 failed', url: 'https://ci.example/builds/42', description: 'details' }] });
    const embed = await fluxraWith('Build 42');
    assert.equal(embed.content, '[Bob · Discord] [Build 42 failed](https://ci.example/builds/42)');
    const copy = await slackWith('Build 42');
    assert.equal(copy.text, '<https://ci.example/builds/42|Build 42 failed>');
  });
});

describe('mentions', () => {
  test('Discord mentions reach Slack and Fluxra as names; typed Slack syntax never pings there', async () => {
    const carol = world.discord.state.user('300000000000000055', 'carol');
    bobSays({ content: `thanks <@${carol.id}> in <#${DISCORD_CHANNEL}>; hey <@U0SLACKADMIN> <!here>`, mentions: [{ user: carol, nick: 'Carol C' }] });
    const sent = await fluxraWith('thanks');
    assert.equal(sent.content, `[Bob · Discord] thanks @Carol C in #general; hey <${ZWSP}@U0SLACKADMIN> <${ZWSP}!here>`);
    const copy = await slackWith('thanks');
    assert.equal(copy.text, `thanks @Carol C in #general; hey &lt;${ZWSP}@U0SLACKADMIN&gt; &lt;${ZWSP}!here&gt;`);
    assert.doesNotMatch(copy.text, /<[@#!]/, 'no live mention, channel link or special in Slack');
  });

  test('Slack mentions, channels, user groups and @here reach Discord and Fluxra as names, pinging nobody', async () => {
    const text = 'ping <@U0ALICE> in <#C0MIRROR|general> for <!subteam^S0DEVS|@devs> <!here>';
    await world.slack.deliverEvent(world.slack.userMessage({ channel: SLACK_CHANNEL, user: ALICE.id, text }));
    const sent = await fluxraWith('ping');
    assert.equal(sent.content, '[Alice · Slack] ping @Alice in #general for @devs @here');
    const copy = await discordWith('ping');
    assert.equal(copy.content, `ping @Alice in #general for @devs @${ZWSP}here`);
    const post = world.discord.state.calls.find((call) => call.method === 'POST' && String((call.body as { content?: string }).content).startsWith('ping'));
    assert.deepEqual((post?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [], users: [], replied_user: false });
  });

  test('a Discord user mention never becomes a Slack mention: it reads as the name Discord resolved', async () => {
    const carol = world.discord.state.user('300000000000000056', 'carol');
    bobSays({ content: `hi <@${carol.id}>`, mentions: [{ user: carol }] });
    const copy = await slackWith('hi');
    assert.equal(copy.text, 'hi @carol');
  });
});

describe('edits that change nothing', () => {
  test('the same MESSAGE_UPDATE again, an unfurl and a pin send no second edit, also after a restart', async () => {
    const message = bobSays({ content: 'see https://example.com/a' });
    await fluxraWith('see https');
    await slackWith('example.com/a');
    await world.engine.idle();
    const docMessageRef = world.discord.state.history(DISCORD_CHANNEL).find((m) => m.id === message.id) as Parameters<typeof dispatchUpdate>[1];
    dispatchUpdate(world.discord.state, docMessageRef, { content: 'see https://example.com/b' });
    await eventually(() => (fluxraMessages().some((m) => m.content === '[Bob · Discord] see https://example.com/b') ? true : undefined), 'the edit');
    await world.engine.idle();
    const editsAfterFirst = world.fluxra.requestsTo('editMessage').length;
    const slackUpdatesAfterFirst = world.slack.state.callsTo('chat.update').length;
    assert.equal(editsAfterFirst, 1);
    assert.equal(slackUpdatesAfterFirst, 1);

    // The same update again (a RESUME replay), an unfurl adding an embed, a pin.
    dispatchUpdate(world.discord.state, docMessageRef, {});
    dispatchUpdate(world.discord.state, docMessageRef, { embeds: [{ title: 'Example', url: 'https://example.com/b' }] });
    dispatchUpdate(world.discord.state, docMessageRef, { pinned: true });
    await world.restart();
    dispatchUpdate(world.discord.state, docMessageRef, {});
    const marker = bobSays({ content: 'marker after the updates' });
    await fluxraWith('marker after');
    await world.engine.idle();
    assert.ok(marker.id);
    assert.equal(world.fluxra.requestsTo('editMessage').length, 1, 'no PATCH to Fluxra for unchanged text');
    assert.equal(world.slack.state.callsTo('chat.update').length, 1, 'no edit of the Slack copy either');
  });
});
