import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InboundDelete, InboundEdit, InboundEvent, InboundMessage } from '../../src/core/chat.js';
import { APP_ID, CHANNEL_ID, EXISTING_THREAD_ID, type Harness, startHarness } from '../support/discord-harness.js';

const isMessage =
  (id: string) =>
  (event: InboundEvent): event is InboundMessage =>
    event.kind === 'message' && event.ref.messageId === id;

describe('Discord adapter: inbound events through the real discord.js client', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a user message becomes a neutral message with author, converted text, attachments and a bot mention', async () => {
    const sent = h.fake.sendMessage({
      channelId: CHANNEL_ID,
      content: 'hey <@!' + APP_ID + '> look at __this__',
      author: { id: '300000000000000009', username: 'bob', globalName: 'Bob B', nick: 'bobby' },
      attachments: [{ id: '1', filename: 'a.png', size: 42, url: 'https://cdn.test/a.png', proxy_url: 'https://cdn.test/a.png', content_type: 'image/png' }],
    });
    const event = await h.nextEvent(isMessage(sent.id));
    assert.equal(event.eventId, `discord:${sent.id}`);
    assert.deepEqual(event.ref, { platform: 'discord', channelId: CHANNEL_ID, messageId: sent.id });
    assert.deepEqual(event.author, { id: '300000000000000009', displayName: 'bobby', isBot: false, isSelf: false });
    assert.equal(event.text, `hey <@discord:${APP_ID}|fluxra-bridge> look at *this*`);
    assert.equal(event.mentionsBot, true);
    assert.deepEqual(event.attachments, [{ url: 'https://cdn.test/a.png', name: 'a.png', contentType: 'image/png', sizeBytes: 42 }]);
  });

  test('a message without a mention of us has mentionsBot false', async () => {
    const sent = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'hello <@300000000000000009>' });
    assert.equal((await h.nextEvent(isMessage(sent.id))).mentionsBot, false);
  });

  test('a message in a thread known from GUILD_CREATE is placed in the parent channel with the thread as root', async () => {
    const sent = h.fake.sendMessage({ channelId: EXISTING_THREAD_ID, content: 'in the old thread' });
    const event = await h.nextEvent(isMessage(sent.id));
    assert.deepEqual(event.ref, { platform: 'discord', channelId: CHANNEL_ID, messageId: sent.id, threadRootId: EXISTING_THREAD_ID });
  });

  test('a thread started from a message after connect names the root message', async () => {
    const root = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'root' });
    h.fake.createThread(CHANNEL_ID, 'discussion', root.id);
    const sent = h.fake.sendMessage({ channelId: root.id, content: 'first reply' });
    const event = await h.nextEvent(isMessage(sent.id));
    assert.deepEqual(event.ref, { platform: 'discord', channelId: CHANNEL_ID, messageId: sent.id, threadRootId: root.id });
  });

  test('a message in a thread discord.js never heard of is not dropped: the channel is looked up over REST', async () => {
    const root = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'quiet root' });
    h.fake.createThread(CHANNEL_ID, 'unannounced', root.id, false);
    const sent = h.fake.sendMessage({ channelId: root.id, content: 'reply in an unannounced thread' });
    const event = await h.nextEvent(isMessage(sent.id));
    assert.deepEqual(event.ref, { platform: 'discord', channelId: CHANNEL_ID, messageId: sent.id, threadRootId: root.id });
    assert.ok(h.fake.state.calls.some((call) => call.method === 'GET' && call.path === `/channels/${root.id}`));
  });

  test('another bot and a foreign webhook are bots but not us', async () => {
    const bot = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'beep', author: { id: '500000000000000001', username: 'otherbot', bot: true } });
    const hook = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'from a webhook', webhook: { id: '600000000000000001', username: 'CI' } });
    const botEvent = await h.nextEvent(isMessage(bot.id));
    const hookEvent = await h.nextEvent(isMessage(hook.id));
    assert.deepEqual([botEvent.author.isBot, botEvent.author.isSelf], [true, false]);
    assert.deepEqual([hookEvent.author.isBot, hookEvent.author.isSelf, hookEvent.author.displayName], [true, false, 'CI']);
  });

  test('our own posts come back marked as self, as the bot and through our webhook', async () => {
    const [asBot] = await h.adapter.post({ platform: 'discord', channelId: CHANNEL_ID }, { text: 'from the bridge' });
    const [asAgent] = await h.adapter.post({ platform: 'discord', channelId: CHANNEL_ID }, { text: 'from an agent', as: { name: 'Ada' } });
    assert.ok(asBot && asAgent);
    const botEcho = await h.nextEvent(isMessage(asBot.messageId));
    const agentEcho = await h.nextEvent(isMessage(asAgent.messageId));
    assert.deepEqual([botEcho.author.isBot, botEcho.author.isSelf], [true, true]);
    assert.deepEqual([agentEcho.author.isBot, agentEcho.author.isSelf, agentEcho.author.displayName], [true, true, 'Ada']);
  });

  test('edits carry the edit timestamp in their id; deletes name the message', async () => {
    const sent = h.fake.sendMessage({ channelId: EXISTING_THREAD_ID, content: 'tpyo' });
    await h.nextEvent(isMessage(sent.id));
    const edited = h.fake.editMessage(EXISTING_THREAD_ID, sent.id, 'typo ~~fixed~~');
    const edit = await h.nextEvent((event): event is InboundEdit => event.kind === 'edit' && event.ref.messageId === sent.id);
    assert.equal(edit.eventId, `discord:edit:${sent.id}:${edited?.edited_timestamp}`);
    assert.equal(edit.text, 'typo ~~fixed~~');
    assert.equal(edit.ref.threadRootId, EXISTING_THREAD_ID);
    h.fake.deleteMessage(EXISTING_THREAD_ID, sent.id);
    const removal = await h.nextEvent((event): event is InboundDelete => event.kind === 'delete' && event.ref.messageId === sent.id);
    assert.deepEqual(removal, {
      ...removal,
      eventId: `discord:delete:${sent.id}`,
      ref: { platform: 'discord', channelId: CHANNEL_ID, messageId: sent.id, threadRootId: EXISTING_THREAD_ID },
    });
  });

  test('events missed while the gateway was down arrive after RESUME, and a replayed event keeps its eventId', async () => {
    const before = h.fake.gateway.lastSequence;
    const seen = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'seen before the drop' });
    await h.nextEvent(isMessage(seen.id));
    // The socket drops; Discord then replays from an older sequence, repeating `seen`.
    const dropped = h.fake.gateway.dropConnection({ replaySince: before });
    await dropped;
    const missed = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'sent while disconnected' });
    await h.fake.gateway.whenConnected();
    await h.nextEvent(isMessage(missed.id));
    const copies = h.events.filter((event) => event.kind === 'message' && event.ref.messageId === seen.id);
    assert.equal(h.fake.gateway.counts.resume, 1);
    assert.equal(copies.length, 2, 'the replay delivered the message a second time');
    assert.equal(copies[0]?.eventId, copies[1]?.eventId);
    assert.equal(h.events.filter((event) => event.kind === 'message' && event.ref.messageId === missed.id).length, 1);
  });

  test('system messages (a "started a thread" notice) are not mirrored', async () => {
    const system = h.fake.state.createMessage({ channelId: CHANNEL_ID, author: h.fake.state.user('300000000000000001', 'alice'), content: 'discussion', type: 18 });
    const marker = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'marker' });
    // Inbound events are handled in order, so once the marker is here the notice has been seen.
    await h.nextEvent(isMessage(marker.id));
    assert.equal(
      h.events.some((event) => 'ref' in event && event.ref.messageId === system.id),
      false,
    );
  });
});
