import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BridgeError, UserInputError } from '../../../src/core/errors.js';
import { FLUXRA_MAX_CONTENT_LENGTH, FluxraApiError } from '../../../src/services/fluxra/client.js';
import { type Harness, rejection, startHarness } from './helpers.js';

async function withConversation(run: (h: Harness, conversationId: string, peerId: string) => Promise<void>, fake = {}): Promise<void> {
  const h = await startHarness({ fake });
  try {
    const peer = h.fake.createAgent({ agentName: 'peer-agent' });
    const conversation = h.fake.createConversation({ creatorId: h.bridge.agentId, name: 'general', memberIds: [peer.agentId] });
    await run(h, conversation.conversationId, peer.agentId);
  } finally {
    await h.close();
  }
}

describe('fluxra client: conversations and sending', () => {
  test('createConversation posts type, name and member_ids and maps the answer', async () => {
    const h = await startHarness();
    try {
      const peer = h.fake.createAgent();
      const conversation = await h.client.createConversation({ name: 'slack-general', memberIds: [peer.agentId] });
      assert.match(conversation.conversationId, /^conv_/);
      assert.equal(conversation.type, 'group');
      assert.equal(conversation.name, 'slack-general');
      assert.deepEqual(conversation.memberIds, [h.bridge.agentId, peer.agentId]);
      assert.deepEqual(h.fake.requestsTo('createConversation')[0]?.body, { type: 'group', name: 'slack-general', member_ids: [peer.agentId] });
    } finally {
      await h.close();
    }
  });

  test('sendMessage sends the documented body and maps the answer', async () => {
    await withConversation(async (h, conversationId, peerId) => {
      const root = h.fake.postAs(peerId, { conversationId, content: 'root' });
      const sent = await h.client.sendMessage({ conversationId, content: '[Alice via Slack] hi', inReplyTo: root.messageId, mention: [peerId] });
      assert.match(sent.messageId, /^msg_/);
      assert.equal(sent.conversationId, conversationId);
      assert.equal(sent.senderId, h.bridge.agentId);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.type, 'text');
      const request = h.fake.requestsTo('sendMessage')[0];
      assert.deepEqual(request?.body, { conversation_id: conversationId, content: '[Alice via Slack] hi', type: 'text', in_reply_to: root.messageId, mention: [peerId] });
      assert.equal(h.fake.state.messages.get(sent.messageId)?.inReplyTo, root.messageId);
    });
  });

  test('sendDirectMessage sends only recipient_agent_id, never a conversation id', async () => {
    await withConversation(async (h, _conversationId, peerId) => {
      const sent = await h.client.sendDirectMessage({ recipientAgentId: peerId, content: 'hello' });
      const body = h.fake.requestsTo('sendMessage')[0]?.body as Record<string, unknown>;
      assert.equal(body['recipient_agent_id'], peerId);
      assert.equal('conversation_id' in body, false);
      assert.equal(h.fake.state.conversations.get(sent.conversationId)?.type, 'direct');
    });
  });

  test('content over 10,000 UTF-16 code units is refused before any request is made', async () => {
    await withConversation(async (h, conversationId) => {
      const error = await rejection(() => h.client.sendMessage({ conversationId, content: 'x'.repeat(FLUXRA_MAX_CONTENT_LENGTH + 1) }));
      assert.ok(error instanceof UserInputError);
      assert.equal(error.code, 'CONTENT_TOO_LONG');
      assert.match(error.message, /10001 characters long; Fluxra accepts at most 10000/);
      const emoji = await rejection(() => h.client.sendMessage({ conversationId, content: '😀'.repeat(5_001) }));
      assert.ok(emoji instanceof BridgeError && emoji.code === 'CONTENT_TOO_LONG');
      const edit = await rejection(() => h.client.editMessage('msg_1', 'y'.repeat(10_001)));
      assert.ok(edit instanceof BridgeError && edit.code === 'CONTENT_TOO_LONG');
      assert.equal(h.fake.state.requests.length, 0);
    });
  });

  test('content of exactly 10,000 code units is sent', async () => {
    await withConversation(async (h, conversationId) => {
      const sent = await h.client.sendMessage({ conversationId, content: '😀'.repeat(5_000) });
      assert.equal(h.fake.state.messages.get(sent.messageId)?.content.length, 10_000);
    });
  });

  test('more than 50 mentions or empty content are refused before any request', async () => {
    await withConversation(async (h, conversationId) => {
      const mentions = await rejection(() => h.client.sendMessage({ conversationId, content: 'hi', mention: Array.from({ length: 51 }, (_, i) => `agt_${i}`) }));
      assert.ok(mentions instanceof BridgeError && mentions.code === 'TOO_MANY_MENTIONS');
      const empty = await rejection(() => h.client.sendMessage({ conversationId, content: '' }));
      assert.ok(empty instanceof BridgeError && empty.code === 'CONTENT_EMPTY');
      assert.equal(h.fake.state.requests.length, 0);
    });
  });

  test('send refusals keep status and code: not a member 403, blocked 403, unknown 404', async () => {
    await withConversation(async (h, conversationId, peerId) => {
      const outsider = h.fake.createAgent();
      const foreign = h.fake.createConversation({ creatorId: outsider.agentId, name: 'theirs' });
      const notMember = await rejection(() => h.client.sendMessage({ conversationId: foreign.conversationId, content: 'hi' }));
      assert.ok(notMember instanceof FluxraApiError && notMember.status === 403 && notMember.code === 'FORBIDDEN');
      assert.match(notMember.apiMessage, /not a member/);

      const unknown = await rejection(() => h.client.sendMessage({ conversationId: 'conv_missing', content: 'hi' }));
      assert.ok(unknown instanceof FluxraApiError && unknown.status === 404 && unknown.code === 'NOT_FOUND');

      h.fake.blockFrom(peerId, h.bridge.agentId);
      const blocked = await rejection(() => h.client.sendMessage({ conversationId, content: 'hi' }));
      assert.ok(blocked instanceof FluxraApiError && blocked.status === 403);
      assert.match(blocked.apiMessage, /has blocked you/);
      assert.equal(blocked.retryable, false);
      assert.equal(h.fake.requestsTo('sendMessage').length, 3);
    });
  });

  test('a conversation the bridge blocked refuses its sends with 403', async () => {
    await withConversation(async (h, conversationId) => {
      await h.client.createBlock({ type: 'group', targetId: conversationId });
      const error = await rejection(() => h.client.sendMessage({ conversationId, content: 'hi' }));
      assert.ok(error instanceof FluxraApiError && error.status === 403);
      assert.match(error.apiMessage, /you have blocked this conversation/);
    });
  });

  test('a send answer without message_id is a BAD_RESPONSE error', async () => {
    await withConversation(async (h, conversationId) => {
      h.fake.inject({ kind: 'status', status: 201, json: { status: 'sent', conversation_id: conversationId } }, { route: 'sendMessage' });
      const error = await rejection(() => h.client.sendMessage({ conversationId, content: 'hi' }));
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.code, 'BAD_RESPONSE');
      assert.match(error.message, /message_id/);
    });
  });
});

describe('fluxra client: reading, editing, deleting', () => {
  test('listMessages without a cursor returns the newest page, oldest first, with a resume cursor', async () => {
    await withConversation(async (h, conversationId, peerId) => {
      for (let i = 1; i <= 5; i += 1) h.fake.postAs(peerId, { conversationId, content: `m${i}` });
      const page = await h.client.listMessages({ conversationId, limit: 3 });
      assert.deepEqual(
        page.messages.map((m) => m.content),
        ['m3', 'm4', 'm5'],
      );
      assert.equal(page.hasMore, false);
      assert.ok(page.cursor);
      const first = page.messages[0]!;
      assert.equal(first.senderId, peerId);
      assert.equal(first.senderName, 'peer-agent');
      assert.equal(first.inReplyTo, null);
      assert.equal(first.editedAt, null);
      assert.equal(first.deleted, false);
      assert.deepEqual(first.mention, []);
      assert.deepEqual(h.fake.requestsTo('listMessages')[0]?.query, { limit: '3' });

      const empty = await h.client.readMessagesSince({ conversationId, cursor: page.cursor });
      assert.deepEqual(empty.messages, []);
      assert.equal(empty.cursor, page.cursor);
    });
  });

  test('readMessagesSince follows shape-B cursors over several pages and returns the resume point', async () => {
    await withConversation(async (h, conversationId, peerId) => {
      const start = await h.client.listMessages({ conversationId });
      for (let i = 1; i <= 7; i += 1) h.fake.postAs(peerId, { conversationId, content: `n${i}` });
      const read = await h.client.readMessagesSince({ conversationId, cursor: start.cursor, limit: 3 });
      assert.deepEqual(
        read.messages.map((m) => m.content),
        ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'],
      );
      assert.equal(h.fake.requestsTo('listMessages').length, 1 + 3);
      h.fake.postAs(peerId, { conversationId, content: 'n8' });
      const next = await h.client.readMessagesSince({ conversationId, cursor: read.cursor, limit: 3 });
      assert.deepEqual(
        next.messages.map((m) => m.content),
        ['n8'],
      );
    });
  });

  test('shape-A pages (next_cursor) are followed too, stopping at an empty cursor even if has_more says true', async () => {
    await withConversation(async (h, conversationId) => {
      const wire = (id: string) => ({ message_id: id, conversation_id: conversationId, sender_id: 'agt_x', content: id, created_at: '2026-04-03T20:00:00Z', extra_field: 1 });
      h.fake.inject({ kind: 'status', status: 200, json: { messages: [wire('msg_1')], next_cursor: 'c1', has_more: true } }, { route: 'listMessages' });
      h.fake.inject({ kind: 'status', status: 200, json: { messages: [wire('msg_2')], next_cursor: 'c2', has_more: true } }, { route: 'listMessages' });
      h.fake.inject({ kind: 'status', status: 200, json: { messages: [wire('msg_3')], next_cursor: '', has_more: true } }, { route: 'listMessages' });
      const read = await h.client.readMessagesSince({ conversationId, cursor: 'c0' });
      assert.deepEqual(
        read.messages.map((m) => m.messageId),
        ['msg_1', 'msg_2', 'msg_3'],
      );
      assert.equal(read.cursor, 'c2');
      assert.deepEqual(
        h.fake.requestsTo('listMessages').map((r) => r.query['cursor']),
        ['c0', 'c1', 'c2'],
      );
    });
  });

  test('a message list entry without message_id is a BAD_RESPONSE error naming it', async () => {
    await withConversation(async (h, conversationId) => {
      h.fake.inject({ kind: 'status', status: 200, json: { messages: [{ content: 'x' }], cursor: 'c', has_more: false } }, { route: 'listMessages' });
      const error = await rejection(() => h.client.listMessages({ conversationId }));
      assert.ok(error instanceof FluxraApiError && error.code === 'BAD_RESPONSE');
      assert.match(error.message, /messages\[0\]\.message_id/);
    });
  });

  test('edits keep the id and gain editedAt; deletes read back as deleted with empty content', async () => {
    await withConversation(async (h, conversationId) => {
      const a = await h.client.sendMessage({ conversationId, content: 'first' });
      const b = await h.client.sendMessage({ conversationId, content: 'second' });
      const edited = await h.client.editMessage(a.messageId, 'first, edited');
      assert.equal(edited.messageId, a.messageId);
      assert.equal(edited.content, 'first, edited');
      assert.ok(edited.editedAt);
      assert.deepEqual(h.fake.requestsTo('editMessage')[0]?.body, { content: 'first, edited' });
      assert.equal(h.fake.requestsTo('editMessage')[0]?.method, 'PATCH');

      await h.client.deleteMessage(b.messageId);
      assert.equal(h.fake.requestsTo('deleteMessage')[0]?.method, 'DELETE');
      const page = await h.client.listMessages({ conversationId });
      assert.deepEqual(
        page.messages.map((m) => [m.messageId, m.content, m.deleted, m.editedAt !== null]),
        [
          [a.messageId, 'first, edited', false, true],
          [b.messageId, '', true, false],
        ],
      );
    });
  });

  test("editing or deleting another agent's message is 403; an unknown message is 404", async () => {
    await withConversation(async (h, conversationId, peerId) => {
      const theirs = h.fake.postAs(peerId, { conversationId, content: 'theirs' });
      const edit = await rejection(() => h.client.editMessage(theirs.messageId, 'mine now'));
      assert.ok(edit instanceof FluxraApiError && edit.status === 403 && edit.code === 'FORBIDDEN');
      const del = await rejection(() => h.client.deleteMessage(theirs.messageId));
      assert.ok(del instanceof FluxraApiError && del.status === 403);
      const missing = await rejection(() => h.client.deleteMessage('msg_missing'));
      assert.ok(missing instanceof FluxraApiError && missing.status === 404 && missing.code === 'NOT_FOUND');
    });
  });

  test('path parameters are URL-encoded so an id cannot change the path', async () => {
    await withConversation(async (h) => {
      const error = await rejection(() => h.client.deleteMessage('../blocks?x=1'));
      assert.ok(error instanceof FluxraApiError && error.status === 404);
      const request = h.fake.state.requests.at(-1);
      assert.equal(request?.path, '/api/messages/..%2Fblocks%3Fx%3D1');
      assert.equal(request?.route, 'deleteMessage');
      assert.equal(h.fake.requestsTo('listBlocks').length, 0);
    });
  });

  test('reading a conversation the bridge is not a member of is 403', async () => {
    await withConversation(async (h) => {
      const outsider = h.fake.createAgent();
      const foreign = h.fake.createConversation({ creatorId: outsider.agentId, name: 'private' });
      const error = await rejection(() => h.client.listMessages({ conversationId: foreign.conversationId }));
      assert.ok(error instanceof FluxraApiError && error.status === 403);
    });
  });
});
