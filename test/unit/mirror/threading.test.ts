import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MessageRef } from '../../../src/core/chat.js';
import { replyParent, replyQuote, threadsInlineReplies, withQuote } from '../../../src/mirror/threading.js';
import { editChangesText } from '../../../src/mirror/to-fluxra/edit-changed.js';

const at = (messageId: string, threadRootId?: string): MessageRef => ({ platform: 'discord', channelId: '100', messageId, ...(threadRootId ? { threadRootId } : {}) });

describe('the threading rule', () => {
  test('a top-level message continues nothing', () => {
    assert.equal(replyParent({ ref: at('1') }), undefined);
  });

  test('a thread reply continues its thread root (not inline)', () => {
    assert.deepEqual(replyParent({ ref: at('2', '1') }), { ref: { platform: 'discord', channelId: '100', messageId: '1' }, inline: false });
  });

  test('a Discord reply outside a thread continues the message it answers (inline)', () => {
    assert.deepEqual(replyParent({ ref: at('3'), replyTo: { ref: at('1') } }), { ref: at('1'), inline: true });
  });

  test('inside a thread the thread wins over the replied-to message', () => {
    assert.deepEqual(replyParent({ ref: at('4', '1'), replyTo: { ref: at('2', '1') } })?.ref.messageId, '1');
  });

  test('the root of a thread started from it is a top-level message', () => {
    assert.equal(replyParent({ ref: at('1', '1') }), undefined);
  });

  test('Slack threads inline replies; Discord quotes them', () => {
    assert.equal(threadsInlineReplies('slack'), true);
    assert.equal(threadsInlineReplies('discord'), false);
  });

  test('the quote line names the author and quotes the start, as its own paragraph', () => {
    const quote = replyQuote({ ref: at('1'), authorName: 'Bob_B', excerpt: 'is it up?' });
    assert.equal(quote, '> ↪ Bob\\_B: is it up?');
    assert.equal(withQuote(quote, 'yes'), '> ↪ Bob\\_B: is it up?\n\nyes');
    assert.equal(replyQuote({ ref: at('1') }), '> ↪ …');
  });
});

describe('whether an edit is news', () => {
  test('the same contents again are not', () => {
    assert.equal(editChangesText(['[Bob · Discord] fixed'], ['[Bob · Discord] fixed']), false);
  });

  test('changed contents are', () => {
    assert.equal(editChangesText(['[Bob · Discord] tpyo'], ['[Bob · Discord] typo']), true);
  });

  test('nothing known about what was sent: it is news', () => {
    assert.equal(editChangesText(undefined, ['x']), true);
  });

  test('a part an earlier edit deleted stays deleted without another send', () => {
    assert.equal(editChangesText(['short', ''], ['short']), false);
    assert.equal(editChangesText(['long part one', 'long part two'], ['short']), true);
  });
});
