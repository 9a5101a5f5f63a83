import assert from 'node:assert/strict';
import { test } from 'node:test';
import { THREAD_TITLE_MAX, threadTitle } from '../../../src/sessions/thread-title.js';

test('a pane thread is titled with the first line of its first prompt', () => {
  assert.equal(threadTitle('Fix the flaky test\nIt fails on CI only'), 'Fix the flaky test');
  assert.equal(threadTitle('\n\n   explain   this  \n'), 'explain this');
  assert.equal(threadTitle('   '), 'Agent session');
});

test('a long first line is cut at a word, with an ellipsis, within the limit', () => {
  const prompt = 'Refactor the delivery runner so that dead letters carry the original payload and the reason';
  const title = threadTitle(prompt);
  assert.ok(title.length <= THREAD_TITLE_MAX, title);
  assert.ok(title.endsWith('…'));
  assert.ok(prompt.startsWith(title.slice(0, -1)));
  assert.equal(threadTitle('x'.repeat(100)).length, THREAD_TITLE_MAX);
});
