import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserInputError } from '../../../src/core/errors.js';
import { followUpBody, newestTurnFinal } from '../../../src/services/blocks/client.js';
import type { BlocksMessage } from '../../../src/services/blocks/types.js';

const THREAD = '5b1f6d0e-7c1a-4f5e-9a53-3f1d2c9e8a10';
const OTHER = '0c9e4d7b-2a61-4b8f-8e0d-6a5b4c3d2e1f';

function item(id: string, fields: Partial<BlocksMessage>): BlocksMessage {
  return {
    id,
    chatId: null,
    chatThreadId: THREAD,
    taskId: null,
    role: 'assistant',
    type: 'final_message',
    message: `answer ${id}`,
    ts: null,
    createdAt: null,
    updatedAt: null,
    ...fields,
  };
}

describe('newestTurnFinal', () => {
  test("the newest final message of the turn's thread; steps and other threads are left out", () => {
    const items = [
      item('a', { ts: 100 }),
      item('b', { ts: 300, type: 'message' }),
      item('c', { ts: 400, chatThreadId: OTHER }),
      item('d', { ts: 200, chatThreadId: THREAD.toUpperCase() }),
    ];
    assert.equal(newestTurnFinal(items, { threadId: THREAD, answersAfterGts: undefined })?.id, 'd');
  });

  test('a threadless turn takes any thread, but only answers after its follow-up', () => {
    const items = [item('old', { ts: 50, chatThreadId: OTHER }), item('new', { ts: 150, chatThreadId: OTHER })];
    assert.equal(newestTurnFinal(items, { threadId: null, answersAfterGts: '100' })?.id, 'new');
    assert.equal(newestTurnFinal(items, { threadId: null, answersAfterGts: '200' }), undefined);
  });

  test('created_at stands in for a missing ts', () => {
    const items = [item('x', { createdAt: '2026-01-01T00:00:00Z' }), item('y', { createdAt: '2026-01-02T00:00:00Z' })];
    assert.equal(newestTurnFinal(items, { threadId: THREAD, answersAfterGts: undefined })?.id, 'y');
  });

  test('an empty final message still counts (done, spec §10.4); none at all is undefined', () => {
    assert.equal(newestTurnFinal([item('e', { ts: 1, message: '' })], { threadId: THREAD, answersAfterGts: undefined })?.id, 'e');
    assert.equal(newestTurnFinal([], { threadId: THREAD, answersAfterGts: undefined }), undefined);
  });
});

describe('followUpBody', () => {
  test('the message alone', () => {
    assert.deepEqual(followUpBody({ message: 'and now?' }), { message: 'and now?' });
  });

  test('an empty message is the person’s input error', () => {
    assert.throws(() => followUpBody({ message: '   ' }), UserInputError);
  });
});
