import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundMessage } from '../../../src/core/chat.js';
import { answersUnavailable, expiredAnswers } from '../../../src/sessions/unavailable-answers.js';
import { StoreError } from '../../../src/store/index.js';

function message(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    kind: 'message',
    platform: 'slack',
    eventId: 'Ev1',
    receivedAt: 0,
    ref: { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' },
    author: { id: 'U1', displayName: 'Ada', isBot: false, isSelf: false },
    text: '<@slack:UBRIDGE|bridge> fix it',
    attachments: [],
    mentionsBot: true,
    ...overrides,
  };
}

const unreachable = new StoreError('STORE_UNAVAILABLE', 'Redis does not answer');

test("a person's mention that failed because the store does not answer is answered; other failures and other messages are not", () => {
  assert.equal(answersUnavailable(message(), unreachable), true);
  assert.equal(answersUnavailable(message({ mentionsBot: false }), unreachable), false, 'a plain message: the mirror alone, redelivered silently');
  assert.equal(answersUnavailable(message({ author: { id: 'B1', displayName: 'bot', isBot: true, isSelf: false } }), unreachable), false, 'never answer a bot');
  assert.equal(answersUnavailable(message(), new TypeError('bug')), false, 'a bug is not "try again"');
});

test('remembered answers are forgotten once expired, and the oldest go first past the count bound', () => {
  const entries: Array<readonly [string, number]> = [
    ['a', 100],
    ['b', 200],
    ['c', 300],
    ['d', 400],
  ];
  assert.deepEqual(expiredAnswers(entries, 50, 10), []);
  assert.deepEqual(expiredAnswers(entries, 200, 10), ['a', 'b']);
  assert.deepEqual(expiredAnswers(entries, 50, 3), ['a']);
  assert.deepEqual(expiredAnswers(entries, 150, 2), ['a', 'b']);
});
