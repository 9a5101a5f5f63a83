/**
 * Platform → Fluxra mirroring end to end: the real Slack and Discord adapters against the
 * fakes, the real Fluxra client against the fake Fluxra, a SQLite store, the mirror engine.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { APIMessage } from 'discord.js';
import type { FakeMessage } from '../../src/simulators/fluxra.js';
import {
  ALICE,
  BOB,
  DISCORD_CHANNEL,
  discordRef,
  eventually,
  type MirrorWorld,
  SLACK_CHANNEL,
  SLACK_OTHER_CHANNEL,
  slackRef,
  startMirrorWorld,
} from './mirror-to-fluxra-fixture.js';

let world: MirrorWorld;

afterEach(async () => {
  await world.close();
});

function fluxraMessages(): FakeMessage[] {
  return [...world.fluxra.state.messages.values()].filter((m) => m.conversationId === world.conversationId).sort((a, b) => a.seq - b.seq);
}

async function fluxraCount(count: number, what: string): Promise<FakeMessage[]> {
  return eventually(() => (fluxraMessages().length >= count ? fluxraMessages() : undefined), what);
}

/** A person's message in the linked Slack channel; resolves once the app acked it. */
async function slackSay(text: string, options: { threadTs?: string; user?: string; channel?: string } = {}): Promise<string> {
  const event = world.slack.userMessage({
    channel: options.channel ?? SLACK_CHANNEL,
    user: options.user ?? ALICE.id,
    text,
    ...(options.threadTs ? { threadTs: options.threadTs } : {}),
  });
  await world.slack.deliverEvent(event);
  return event['ts'] as string;
}

/** Alice's edit of her Slack message `ts`, as Slack's `message_changed` event carries it. */
async function slackEdit(ts: string, before: string, after: string, eventTs: string): Promise<void> {
  await world.slack.deliverEvent({
    type: 'message',
    subtype: 'message_changed',
    channel: SLACK_CHANNEL,
    ts: eventTs,
    message: { user: ALICE.id, text: after, ts, edited: { user: ALICE.id, ts: eventTs } },
    previous_message: { user: ALICE.id, text: before, ts },
  });
}

function discordSay(content: string, channelId = DISCORD_CHANNEL): APIMessage {
  return world.discord.sendMessage({ channelId, content, author: BOB });
}

const discordHistory = (channelId = DISCORD_CHANNEL): APIMessage[] => world.discord.state.history(channelId);
const slackHistory = () => world.slack.state.history(SLACK_CHANNEL);

describe('platform → Fluxra', () => {
  beforeEach(async () => {
    world = await startMirrorWorld();
  });

  test('a Slack message reaches Fluxra attributed, and appears once in the linked Discord channel under the person’s name', async () => {
    await slackSay('hello *everyone*');
    const [sent] = await fluxraCount(1, 'the Fluxra message');
    // Slack mrkdwn bold arrives as neutral markdown bold.
    assert.equal(sent?.content, '[Alice · Slack] hello **everyone**');
    assert.equal(sent?.senderId, world.bridgeAgent.agentId);
    assert.equal(sent?.type, 'text');
    const copy = await eventually(() => discordHistory().find((m) => m.content.includes('hello')), 'the Discord copy');
    assert.equal(copy.author.username, 'Alice (Slack)');
    assert.ok(copy.webhook_id, 'posted through our webhook, as the person');
    await world.engine.idle();
    assert.equal(discordHistory().filter((m) => m.content.includes('hello')).length, 1);
    assert.equal(fluxraMessages().length, 1);
    const status = await world.store.kv<{ lastDeliveryAt: number; lastDirection: string }>('link-status').get(world.conversationId);
    assert.equal(status?.lastDirection, 'to-fluxra');
    assert.equal(await world.store.outbox.depth(), 0, 'delivered items leave the outbox');
  });

  test('a Discord message reaches Fluxra attributed, and appears once in the linked Slack channel under the person’s name', async () => {
    discordSay('hi from discord');
    const [sent] = await fluxraCount(1, 'the Fluxra message');
    assert.equal(sent?.content, '[Bob · Discord] hi from discord');
    const copy = await eventually(() => slackHistory().find((m) => m.text.includes('hi from discord')), 'the Slack copy');
    assert.equal(copy.username, 'Bob (Discord)');
    await world.engine.idle();
    assert.equal(slackHistory().filter((m) => m.text.includes('hi from discord')).length, 1);
  });

  test('attachments travel as links after the text', async () => {
    world.discord.sendMessage({
      channelId: DISCORD_CHANNEL,
      content: 'see file',
      author: BOB,
      attachments: [{ id: '500000000000000077', filename: 'plan.pdf', size: 10, url: 'https://cdn.example/plan.pdf', proxy_url: 'https://cdn.example/plan.pdf' }],
    });
    const [sent] = await fluxraCount(1, 'the Fluxra message');
    assert.equal(sent?.content, '[Bob · Discord] see file\n[plan.pdf](https://cdn.example/plan.pdf)');
  });

  test('a thread reply goes to Fluxra in reply to the root, and into the root’s thread on Discord', async () => {
    const rootTs = await slackSay('a question');
    const [root] = await fluxraCount(1, 'the root');
    const rootCopy = await eventually(() => discordHistory().find((m) => m.content === 'a question'), 'the root on Discord');
    await slackSay('an answer', { threadTs: rootTs });
    const [, reply] = await fluxraCount(2, 'the reply');
    assert.equal(reply?.content, '[Alice · Slack] an answer');
    assert.equal(reply?.inReplyTo, root?.messageId);
    // On Discord the thread is started from the root's copy and shares its id.
    const inThread = await eventually(() => discordHistory(rootCopy.id).find((m) => m.content === 'an answer'), 'the reply in the Discord thread');
    assert.equal(inThread.author.username, 'Alice (Slack)');
    assert.equal(
      discordHistory().some((m) => m.content === 'an answer'),
      false,
      'not in the channel itself',
    );
  });

  test('a Discord thread reply lands in the Slack thread of the root’s copy', async () => {
    const root = discordSay('discord root');
    await fluxraCount(1, 'the root');
    const rootCopy = await eventually(() => slackHistory().find((m) => m.text === 'discord root'), 'the root on Slack');
    await world.engine.idle();
    const thread = world.discord.createThread(DISCORD_CHANNEL, 'talk', root.id);
    discordSay('discord reply', thread.id);
    const [first, reply] = await fluxraCount(2, 'the reply');
    assert.equal(reply?.inReplyTo, first?.messageId);
    const copy = await eventually(() => slackHistory().find((m) => m.text === 'discord reply'), 'the reply on Slack');
    assert.equal(copy.threadTs, rootCopy.ts);
  });

  test('edits and deletes follow to Fluxra and to the cross-posted copy', async () => {
    const ts = await slackSay('tpyo here');
    const [sent] = await fluxraCount(1, 'the message');
    const copy = await eventually(() => discordHistory().find((m) => m.content === 'tpyo here'), 'the Discord copy');
    await world.engine.idle();
    const original = { user: ALICE.id, text: 'tpyo here', ts };
    await world.slack.deliverEvent({
      type: 'message',
      subtype: 'message_changed',
      channel: SLACK_CHANNEL,
      ts: '1800000000.000001',
      message: { ...original, text: 'typo fixed', edited: { user: ALICE.id, ts: '1800000000.000001' } },
      previous_message: original,
    });
    await eventually(() => (world.fluxra.state.messages.get(sent?.messageId ?? '')?.content === '[Alice · Slack] typo fixed' ? true : undefined), 'the Fluxra edit');
    await eventually(() => (discordHistory().find((m) => m.id === copy.id)?.content === 'typo fixed' ? true : undefined), 'the Discord edit');
    await world.slack.deliverEvent({ type: 'message', subtype: 'message_deleted', channel: SLACK_CHANNEL, ts: '1800000001.000001', deleted_ts: ts, previous_message: original });
    await eventually(() => (world.fluxra.state.messages.get(sent?.messageId ?? '')?.deleted ? true : undefined), 'the Fluxra delete');
    await eventually(() => (discordHistory().some((m) => m.id === copy.id) ? undefined : true), 'the Discord delete');
    assert.equal(fluxraMessages().length, 1, 'no new message was sent for the edit');
  });

  test('an edit of a message the mirror never sent is ignored', async () => {
    await slackEdit('1600000000.000001', 'old', 'edited old', '1800000002.000001');
    await slackSay('marker');
    await fluxraCount(1, 'the marker');
    await world.engine.idle();
    assert.deepEqual(
      fluxraMessages().map((m) => m.content),
      ['[Alice · Slack] marker'],
    );
    assert.equal(world.fluxra.requestsTo('editMessage').length, 0);
  });

  test('an edit that arrives before its message (Slack retried the message later) is applied when the message arrives', async () => {
    const original = world.slack.userMessage({ channel: SLACK_CHANNEL, user: ALICE.id, text: 'first draft' });
    const ts = original['ts'] as string;
    await slackEdit(ts, 'first draft', 'final words', '1800000003.000001');
    await world.engine.idle();
    await world.slack.deliverEvent(original);
    const [sent] = await fluxraCount(1, 'the message');
    assert.equal(sent?.content, '[Alice · Slack] final words');
    await eventually(() => discordHistory().find((m) => m.content === 'final words'), 'the Discord copy with the edited text');
    await world.engine.idle();
    assert.equal(discordHistory().filter((m) => m.content.includes('first draft')).length, 0);
  });

  test('a delete that arrives before its message keeps the message out of the mirror', async () => {
    const original = world.slack.userMessage({ channel: SLACK_CHANNEL, user: ALICE.id, text: 'regretted words' });
    const ts = original['ts'] as string;
    await world.slack.deliverEvent({
      type: 'message',
      subtype: 'message_deleted',
      channel: SLACK_CHANNEL,
      ts: '1800000004.000001',
      deleted_ts: ts,
      previous_message: { user: ALICE.id, text: 'regretted words', ts },
    });
    await world.engine.idle();
    await world.slack.deliverEvent(original);
    await slackSay('after the delete');
    await fluxraCount(1, 'the next message');
    await world.engine.idle();
    assert.deepEqual(
      fluxraMessages().map((m) => m.content),
      ['[Alice · Slack] after the delete'],
    );
    assert.equal(discordHistory().filter((m) => m.content.includes('regretted')).length, 0);
  });

  test('our own posts, other bots and unlinked channels are not mirrored', async () => {
    await world.slack.deliverEvent(world.slack.userMessage({ channel: SLACK_CHANNEL, botId: world.slack.botId, user: world.slack.botUserId, text: 'our echo' }));
    await world.slack.deliverEvent(world.slack.userMessage({ channel: SLACK_CHANNEL, botId: 'B0OTHER', text: 'another bot', username: 'otherbot' }));
    world.discord.sendMessage({ channelId: DISCORD_CHANNEL, content: 'discord bot', author: { id: '500000000000000088', username: 'robot', bot: true } });
    await slackSay('not linked', { channel: SLACK_OTHER_CHANNEL });
    discordSay('discord marker');
    await slackSay('slack marker');
    await eventually(() => (fluxraMessages().length >= 2 ? true : undefined), 'both markers');
    await world.engine.idle();
    assert.deepEqual(
      fluxraMessages()
        .map((m) => m.content)
        .sort(),
      ['[Alice · Slack] slack marker', '[Bob · Discord] discord marker'],
    );
  });

  test('a Slack retry and a Discord gateway replay are each delivered once', async () => {
    const event = world.slack.userMessage({ channel: SLACK_CHANNEL, user: ALICE.id, text: 'said once' });
    await world.slack.deliverEvent(event, { eventId: 'Ev0MIRROR1' });
    await world.slack.deliverEvent(event, { eventId: 'Ev0MIRROR1', retryNum: 1, retryReason: 'timeout' });
    // The app_mention of the same message shares its event id.
    await world.slack.deliverEvent({ ...event, type: 'app_mention' }, { eventId: 'Ev0MIRROR1' });

    const before = world.discord.gateway.lastSequence;
    const seen = discordSay('replayed');
    await eventually(() => (world.events.some((e) => e.kind === 'message' && e.ref.messageId === seen.id) ? true : undefined), 'the first delivery');
    await world.discord.gateway.dropConnection({ replaySince: before });
    await world.discord.gateway.whenConnected();
    await eventually(() => (world.events.filter((e) => e.kind === 'message' && e.ref.messageId === seen.id).length === 2 ? true : undefined), 'the replay');

    await fluxraCount(2, 'both messages');
    await world.engine.idle();
    assert.deepEqual(
      fluxraMessages()
        .map((m) => m.content)
        .sort(),
      ['[Alice · Slack] said once', '[Bob · Discord] replayed'],
    );
    assert.equal(discordHistory().filter((m) => m.content === 'said once').length, 1);
    assert.equal(slackHistory().filter((m) => m.text === 'replayed').length, 1);
  });

  test('a 20,000-character message arrives in order in two parts', async () => {
    const words = Array.from({ length: 3_300 }, (_, i) => `w${String(i).padStart(4, '0')}`);
    const text = words.join(' ');
    assert.ok(text.length > 19_000 && text.length < 19_950, `text of ${text.length}`);
    await slackSay(text);
    const parts = await fluxraCount(2, 'both parts');
    await world.engine.idle();
    assert.equal(fluxraMessages().length, 2);
    for (const part of parts) {
      assert.ok(part.content.startsWith('[Alice · Slack] '));
      assert.ok(part.content.length <= 10_000);
    }
    const rejoined = parts.map((part) => part.content.slice('[Alice · Slack] '.length)).join(' ');
    assert.equal(rejoined.split(/\s+/).join(' '), text);
    const copies = discordHistory().filter((m) => /^w\d{4}/.test(m.content));
    assert.equal(
      copies
        .map((m) => m.content)
        .join(' ')
        .split(/\s+/)
        .join(' '),
      text,
      'the Discord copy reads the same, in order',
    );
  });
});

describe('platform → Fluxra when the conversation is blocked', () => {
  const BLOCKED = "This channel's Fluxra conversation is blocked; mirroring is paused until it is unblocked.";
  const notices = (text: string) => slackHistory().filter((m) => m.text.includes(text.slice(0, 40)));

  test('a blocked send pauses the link with one notice; queued messages wait and go in order once it is unblocked', async () => {
    world = await startMirrorWorld();
    world.fluxra.blockFrom(world.bridgeAgent.agentId, world.conversationId, 'group');
    await slackSay('one');
    await eventually(async () => ((await world.store.links.get(slackRef))?.paused ? true : undefined), 'the pause');
    await slackSay('two');
    await slackSay('three');
    await eventually(() => (notices(BLOCKED).length === 1 ? true : undefined), 'the notice');
    // Several probes fail while it stays blocked; the channel hears about it once.
    await eventually(() => (world.fluxra.requestsTo('sendMessage').filter((r) => r.status === 403).length >= 3 ? true : undefined), 'more probes');
    assert.equal(notices(BLOCKED).length, 1);
    assert.equal(fluxraMessages().length, 0);

    const [block] = world.fluxra.state.listBlocks(world.bridgeAgent.agentId);
    world.fluxra.state.deleteBlock(world.bridgeAgent.agentId, block?.blockId ?? '');
    await fluxraCount(3, 'the queued messages');
    await world.engine.idle();
    assert.deepEqual(
      fluxraMessages().map((m) => m.content),
      ['[Alice · Slack] one', '[Alice · Slack] two', '[Alice · Slack] three'],
    );
    assert.equal((await world.store.links.get(slackRef))?.paused, false);
    assert.equal(notices('no longer blocked').length, 1, 'the channel hears once that it resumed');
    assert.equal(notices(BLOCKED).length, 1);
  });

  test('a member’s block pauses too, and a link resumed elsewhere is woken at once', async () => {
    world = await startMirrorWorld({ mirror: { blockedProbeMs: 3_600_000 } });
    const member = world.fluxra.createAgent({ agentName: 'strict-member' });
    world.fluxra.addMembers(world.conversationId, [member.agentId]);
    world.fluxra.blockFrom(member.agentId, world.bridgeAgent.agentId, 'agent');
    discordSay('blocked words');
    await eventually(async () => ((await world.store.links.get(discordRef))?.paused ? true : undefined), 'the pause');
    const notice = await eventually(() => discordHistory().find((m) => m.content.startsWith("This channel's Fluxra conversation is blocked")), 'the notice');
    assert.equal(notice.webhook_id, undefined, 'the bridge speaks as itself');

    const [block] = world.fluxra.state.listBlocks(member.agentId);
    world.fluxra.state.deleteBlock(member.agentId, block?.blockId ?? '');
    // What `/block remove` or `/bridge` does: resume the link and wake the engine. The probe
    // interval is an hour, so only the wake can deliver it now.
    await world.store.links.resume(discordRef);
    world.engine.wake(discordRef);
    const [sent] = await fluxraCount(1, 'the waiting message');
    assert.equal(sent?.content, '[Bob · Discord] blocked words');
  });
});

describe('platform → Fluxra under failures and restarts', () => {
  test('order per channel holds under a burst of 50 messages a side with Fluxra 5xx, drops and latency', async () => {
    world = await startMirrorWorld();
    world.fluxra.inject({ kind: 'latency', ms: 25 }, { route: 'sendMessage', times: 10 });
    world.fluxra.inject({ kind: 'status', status: 503, json: { error: { code: 'UNAVAILABLE', message: 'try later' } } }, { route: 'sendMessage', times: 6 });
    world.fluxra.inject({ kind: 'drop' }, { route: 'sendMessage', times: 3 });
    world.fluxra.inject({ kind: 'status', status: 500, json: { error: { code: 'INTERNAL_ERROR', message: 'oops' } } }, { route: 'sendMessage', times: 4 });
    for (let i = 0; i < 50; i += 1) {
      // Each Slack message is acked (so queued) before the next is sent: Slack itself gives
      // no order between events in flight at once, the order under test is the bridge's.
      discordSay(`d${String(i).padStart(2, '0')}`);
      await slackSay(`s${String(i).padStart(2, '0')}`);
    }
    await fluxraCount(100, 'all 100 messages');
    await eventually(() => (discordHistory().filter((m) => /^s\d\d$/.test(m.content)).length >= 50 ? true : undefined), 'the Discord copies');
    await eventually(() => (slackHistory().filter((m) => /^d\d\d$/.test(m.text)).length >= 50 ? true : undefined), 'the Slack copies');
    await world.engine.idle();

    const expected = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
    const contents = fluxraMessages().map((m) => m.content);
    assert.equal(contents.length, 100, 'each exactly once in Fluxra');
    assert.deepEqual(
      contents.filter((c) => c.startsWith('[Alice')).map((c) => c.slice('[Alice · Slack] '.length)),
      expected('s'),
    );
    assert.deepEqual(
      contents.filter((c) => c.startsWith('[Bob')).map((c) => c.slice('[Bob · Discord] '.length)),
      expected('d'),
    );
    assert.deepEqual(
      discordHistory()
        .filter((m) => /^s\d\d$/.test(m.content))
        .map((m) => m.content),
      expected('s'),
    );
    assert.deepEqual(
      slackHistory()
        .filter((m) => /^d\d\d$/.test(m.text))
        .map((m) => m.text),
      expected('d'),
    );
    assert.ok(world.fluxra.requestsTo('listMessages').length > 0, 'ambiguous failures were reconciled before sending again');
  });

  test('a stalled Discord holds back only the copies into it: the Slack channel keeps reaching Fluxra, and the copies follow in order', async () => {
    world = await startMirrorWorld();
    await slackSay('warm-up');
    await eventually(() => discordHistory().find((m) => m.content === 'warm-up'), 'the first copy (the channel has its webhook)');
    // Executing a webhook is how the bridge posts as a person on Discord.
    const release = world.discord.hold({ method: 'POST', path: /^\/webhooks\/[^/]+\/[^/]+$/ });
    const held = ['held 1', 'held 2', 'held 3', 'held 4', 'held 5'];
    for (const text of held) await slackSay(text);
    discordSay('meanwhile on Discord');

    const sent = await fluxraCount(7, 'every message in Fluxra while Discord is stalled');
    // The two channels are independent: only each one's own order is fixed.
    assert.deepEqual(
      sent.map((m) => m.content).filter((c) => c.startsWith('[Alice')),
      ['[Alice · Slack] warm-up', ...held.map((text) => `[Alice · Slack] ${text}`)],
    );
    assert.deepEqual(
      sent.map((m) => m.content).filter((c) => c.startsWith('[Bob')),
      ['[Bob · Discord] meanwhile on Discord'],
    );
    await eventually(() => slackHistory().find((m) => m.text === 'meanwhile on Discord'), 'the Discord message copied into Slack, not held behind Discord');
    assert.equal(discordHistory().filter((m) => held.includes(m.content)).length, 0, 'no copy could reach the stalled Discord');

    release();
    await eventually(() => (discordHistory().filter((m) => held.includes(m.content)).length >= held.length ? true : undefined), 'the held copies');
    await world.engine.idle();
    assert.deepEqual(
      discordHistory()
        .filter((m) => m.webhook_id)
        .map((m) => m.content),
      ['warm-up', ...held],
      'each copied to Discord once, in the order it was written',
    );
    assert.equal(fluxraMessages().length, 7, 'nothing sent to Fluxra twice');
    assert.equal(await world.store.outbox.depth(), 0);
  });

  test('a linked channel the platform refuses for good is skipped with an error logged; the other copies and later messages go on', async () => {
    world = await startMirrorWorld();
    // A second Slack channel on the same conversation, linked and then deleted on Slack.
    await world.store.links.link({ platform: 'slack', channelId: SLACK_OTHER_CHANNEL }, { conversationId: world.conversationId, linkedBy: 'test' });
    world.slack.deleteChannel(SLACK_OTHER_CHANNEL);
    discordSay('first');
    discordSay('second');
    await fluxraCount(2, 'both messages in Fluxra');
    await eventually(() => (slackHistory().filter((m) => m.text === 'first' || m.text === 'second').length >= 2 ? true : undefined), 'both copies in the working Slack channel');
    await world.engine.idle();
    assert.deepEqual(
      slackHistory()
        .filter((m) => m.text === 'first' || m.text === 'second')
        .map((m) => m.text),
      ['first', 'second'],
      'the working channel gets each copy once, in order',
    );
    const refusals = world.logs.filter((line) => line['msg'] === 'platform refused a mirrored message; this copy is skipped');
    assert.equal(refusals.length, 2, 'one error per skipped copy');
    assert.equal(refusals[0]?.['channel'], `slack:${SLACK_OTHER_CHANNEL}`);
    assert.match(JSON.stringify(refusals[0]?.['err']), /channel_not_found/);
    assert.equal(await world.store.outbox.depth(), 0, 'nothing left retrying');
  });

  test('a new engine on the same SQLite store delivers what was pending exactly once, including a send whose answer was lost', async () => {
    world = await startMirrorWorld();
    await slackSay('before');
    await fluxraCount(1, 'the first message');
    await world.engine.idle();
    await world.stopEngine();

    // Accepted while no worker runs: durable in the outbox, nothing delivered.
    const lostTs = await slackSay('answer lost');
    await slackSay('pending one');
    discordSay('pending two');
    await eventually(async () => ((await world.store.outbox.depth()) === 3 ? true : undefined), 'all three queued');
    assert.equal(fluxraMessages().length, 1);
    // The state a crash leaves when Fluxra stored a send but the answer never came back.
    await world.store.kv('mirror-progress').set(`slack:${SLACK_CHANNEL}:${encodeURIComponent(lostTs)}`, {
      conversationId: world.conversationId,
      parts: [{ content: '[Alice · Slack] answer lost', intentAt: Date.now() }],
    });
    world.fluxra.postAs(world.bridgeAgent.agentId, { conversationId: world.conversationId, content: '[Alice · Slack] answer lost' });

    await world.restart();
    await fluxraCount(4, 'the pending messages');
    await eventually(() => (discordHistory().some((m) => m.content === 'pending one') ? true : undefined), 'the cross-post');
    await world.engine.idle();
    const contents = fluxraMessages().map((m) => m.content);
    assert.deepEqual(
      contents.filter((c) => c.startsWith('[Alice')),
      ['[Alice · Slack] before', '[Alice · Slack] answer lost', '[Alice · Slack] pending one'],
      'the Slack channel in order, the lost answer not sent again',
    );
    assert.deepEqual(
      contents.filter((c) => c.startsWith('[Bob')),
      ['[Bob · Discord] pending two'],
    );
    assert.deepEqual(
      discordHistory()
        .filter((m) => m.webhook_id)
        .map((m) => m.content),
      ['before', 'answer lost', 'pending one'],
      'each copied to Discord once, in order',
    );
    assert.equal(slackHistory().filter((m) => m.text === 'pending two').length, 1);
    assert.equal(await world.store.outbox.depth(), 0);
  });
});

describe('platform → Fluxra with other bots allowed', () => {
  test('other bots are mirrored when the config allows it; our own posts never are', async () => {
    world = await startMirrorWorld({ mirror: { allowBotMessages: true } });
    world.discord.sendMessage({ channelId: DISCORD_CHANNEL, content: 'beep', author: { id: '500000000000000088', username: 'robot', bot: true } });
    await world.slack.deliverEvent(world.slack.userMessage({ channel: SLACK_CHANNEL, botId: world.slack.botId, user: world.slack.botUserId, text: 'our echo' }));
    await slackSay('marker');
    await eventually(() => (fluxraMessages().length >= 2 ? true : undefined), 'the bot message and the marker');
    await world.engine.idle();
    assert.deepEqual(
      fluxraMessages()
        .map((m) => m.content)
        .sort(),
      ['[Alice · Slack] marker', '[robot · Discord] beep'],
    );
    assert.equal(slackHistory().filter((m) => m.text === 'beep').length, 1, 'cross-posted once');
  });
});
