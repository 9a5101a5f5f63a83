import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InboundEvent, InboundMessage } from '../../src/core/chat.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

const USERS = [
  { id: 'U0ALICE', name: 'alice', displayName: 'Alice A.' },
  { id: 'U0ADMIN', name: 'root', realName: 'Ada Admin', isAdmin: true },
  { id: 'U0OWNER', name: 'own', isPrimaryOwner: true },
];

async function withPair(mode: 'socket' | 'http', run: (pair: SlackPair) => Promise<void>): Promise<void> {
  const pair = await startSlackPair(mode, { fake: { users: USERS } });
  try {
    await run(pair);
  } finally {
    await pair.stop();
  }
}

function only<K extends InboundEvent['kind']>(events: InboundEvent[], kind: K): Extract<InboundEvent, { kind: K }>[] {
  return events.filter((event): event is Extract<InboundEvent, { kind: K }> => event.kind === kind);
}

for (const mode of ['socket', 'http'] as const) {
  describe(`Slack adapter inbound (${mode} mode)`, () => {
    test('a channel message reaches the handler as a neutral message with the author name from users.info', () =>
      withPair(mode, async ({ fake, events }) => {
        const event = fake.userMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'hi *all* &lt;3 see <https://x.io|docs>' });
        await fake.deliverEvent(event);
        const [message] = only(events, 'message');
        assert.ok(message);
        assert.equal(message.eventId, `slack:C0GENERAL:${String(event.ts)}`);
        assert.deepEqual(message.ref, { platform: 'slack', channelId: 'C0GENERAL', messageId: event.ts });
        assert.deepEqual(message.author, { id: 'U0ALICE', displayName: 'Alice A.', isBot: false, isSelf: false });
        assert.equal(message.text, 'hi **all** \\<3 see [docs](https://x.io)');
        assert.equal(message.mentionsBot, false);
        assert.equal(message.retryNum, undefined);
        assert.deepEqual(message.attachments, []);
      }));

    test('a thread reply names its root, files become attachments, and users.info is asked once per user', () =>
      withPair(mode, async ({ fake, events }) => {
        const root = fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'root' });
        const reply = fake.userMessage({
          channel: 'C1',
          user: 'U0ALICE',
          text: 'here is the log',
          threadTs: String(root.ts),
          subtype: 'file_share',
          files: [{ id: 'F1', name: 'log.txt', mimetype: 'text/plain', size: 120, url_private: 'https://files.slack.test/F1/log.txt' }],
        });
        await fake.deliverEvent(root);
        await fake.deliverEvent(reply);
        const messages = only(events, 'message');
        assert.equal(messages.length, 2);
        assert.equal(messages[0]?.ref.threadRootId, undefined, 'a thread root is not in a thread of its own');
        assert.deepEqual(messages[1]?.ref, { platform: 'slack', channelId: 'C1', messageId: reply.ts, threadRootId: root.ts });
        assert.deepEqual(messages[1]?.attachments, [{ url: 'https://files.slack.test/F1/log.txt', name: 'log.txt', contentType: 'text/plain', sizeBytes: 120 }]);
        assert.equal(fake.state.callsTo('users.info').length, 1);
      }));

    test('message_changed becomes an edit, message_deleted a delete, and other subtypes are not carried', () =>
      withPair(mode, async ({ fake, events }) => {
        const original = fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'helo', threadTs: '1700000000.000100' });
        await fake.deliverEvent({ type: 'message', subtype: 'channel_join', channel: 'C1', user: 'U0ALICE', ts: '1700000001.000001', text: '<@U0ALICE> has joined' });
        // An unfurl: message_changed without `edited`.
        await fake.deliverEvent({
          type: 'message',
          subtype: 'message_changed',
          channel: 'C1',
          ts: '1700000002.000001',
          message: { ...original, attachments: [{}] },
          previous_message: original,
        });
        await fake.deliverEvent({
          type: 'message',
          subtype: 'message_changed',
          channel: 'C1',
          ts: '1700000003.000001',
          message: { ...original, text: 'hello _world_', edited: { user: 'U0ALICE', ts: '1700000003.000001' } },
          previous_message: original,
        });
        await fake.deliverEvent({ type: 'message', subtype: 'message_deleted', channel: 'C1', ts: '1700000004.000001', deleted_ts: original.ts, previous_message: original });
        assert.deepEqual(
          events.map((event) => event.kind),
          ['edit', 'delete'],
        );
        const [edit] = only(events, 'edit');
        assert.equal(edit?.eventId, `slack:edit:C1:${String(original.ts)}:1700000003.000001`);
        assert.equal(edit?.text, 'hello *world*');
        assert.equal(edit?.author.displayName, 'Alice A.');
        assert.deepEqual(edit?.ref, { platform: 'slack', channelId: 'C1', messageId: original.ts, threadRootId: '1700000000.000100' });
        const [deletion] = only(events, 'delete');
        assert.equal(deletion?.eventId, `slack:delete:C1:${String(original.ts)}`);
        assert.deepEqual(deletion?.ref, { platform: 'slack', channelId: 'C1', messageId: original.ts, threadRootId: '1700000000.000100' });
      }));

    test('the message and app_mention events of one message share an eventId and both mention the bot', () =>
      withPair(mode, async ({ fake, events }) => {
        const message = fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: `<@${fake.botUserId}> summarise this` });
        await fake.deliverEvent(message, { eventId: 'Ev0MESSAGE' });
        await fake.deliverEvent({ ...message, type: 'app_mention' }, { eventId: 'Ev0MENTION' });
        const messages = only(events, 'message');
        assert.equal(messages.length, 2);
        assert.equal(messages[0]?.eventId, messages[1]?.eventId);
        assert.ok(messages.every((event) => event.mentionsBot));
        // The bot's mention is a token named as Slack resolved it (the fake knows no profile for it).
        assert.equal(messages[0]?.text, `<@slack:${fake.botUserId}|${fake.botUserId}> summarise this`);
      }));

    test('other bots are marked isBot and our own messages isSelf', () =>
      withPair(mode, async ({ fake, events }) => {
        await fake.deliverEvent(fake.userMessage({ channel: 'C1', botId: 'B0OTHER', subtype: 'bot_message', username: 'CI bot', text: 'build passed' }));
        await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: fake.botUserId, botId: fake.botId, username: 'Agent Smith', text: 'echo' }));
        const [other, ours] = only(events, 'message') as InboundMessage[];
        assert.deepEqual(other?.author, { id: 'B0OTHER', displayName: 'CI bot', isBot: true, isSelf: false });
        assert.equal(ours?.author.isBot, true);
        assert.equal(ours?.author.isSelf, true);
        assert.equal(ours?.author.displayName, 'Agent Smith');
      }));

    test('a redelivery carries its retry number and the same eventId', () =>
      withPair(mode, async ({ fake, events }) => {
        const message = fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'once' });
        await fake.deliverEvent(message, { eventId: 'Ev0SAME' });
        await fake.deliverEvent(message, { eventId: 'Ev0SAME', retryNum: 2, retryReason: 'timeout' });
        const [first, retry] = only(events, 'message');
        assert.equal(first?.retryNum, undefined);
        assert.equal(retry?.retryNum, 2);
        assert.equal(retry?.eventId, first?.eventId);
      }));
  });
}
