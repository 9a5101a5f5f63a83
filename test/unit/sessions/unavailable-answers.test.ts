import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundMessage } from '../../../src/core/chat.js';
import { answersUnavailable, expiredAnswers, mentionPostedAtMs } from '../../../src/sessions/unavailable-answers.js';
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
  // Slack's redelivery may reach another replica, which cannot know whether the first try was answered.
  assert.equal(answersUnavailable(message({ retryNum: 1 }), unreachable), false, 'only the first delivery is answered');
});

test("a mention's posting time is its Slack ts; elsewhere when it was received", () => {
  assert.equal(mentionPostedAtMs(message()), 1_700_000_000_000);
  assert.equal(mentionPostedAtMs(message({ ref: { platform: 'slack', channelId: 'C1', messageId: '1700000000.123456' } })), 1_700_000_000_123);
  assert.equal(mentionPostedAtMs(message({ platform: 'discord', receivedAt: 42, ref: { platform: 'discord', channelId: '2', messageId: '1578905309118857226' } })), 42);
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
