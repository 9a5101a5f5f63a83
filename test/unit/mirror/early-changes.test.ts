import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundMessage } from '../../../src/core/chat.js';
import { withEarlyChange } from '../../../src/mirror/to-fluxra/early-changes.js';

const message: InboundMessage = {
  kind: 'message',
  platform: 'slack',
  eventId: 'Ev1',
  receivedAt: 0,
  ref: { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' },
  author: { id: 'U1', displayName: 'Alice', isBot: false, isSelf: false },
  text: 'first draft',
  attachments: [],
  mentionsBot: false,
};

test('a message without an early change is sent as it came', () => {
  assert.equal(withEarlyChange(message, undefined), message);
});

test('an early edit gives the message its edited text and attachments, the rest unchanged', () => {
  const attachments = [{ url: 'https://files.example/a.png', name: 'a.png' }];
  const changed = withEarlyChange(message, { kind: 'edit', text: 'final words', attachments });
  assert.deepEqual(changed, { ...message, text: 'final words', attachments });
});

test('an early delete keeps the message out', () => {
  assert.equal(withEarlyChange(message, { kind: 'delete' }), undefined);
});
