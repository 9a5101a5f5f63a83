import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPersonsPrompt, PANE_REFUSAL, paneRefusal } from '../../../../src/platforms/slack/assistant.js';

test('the side pane is refused only in a workspace outside the allow-list', () => {
  assert.equal(paneRefusal('T1', undefined), undefined);
  assert.equal(paneRefusal('T1', ['T1', 'T2']), undefined);
  assert.equal(paneRefusal('T9', ['T1']), PANE_REFUSAL);
  // A delivery that names no workspace is served, as the dispatch gate serves it.
  assert.equal(paneRefusal(undefined, ['T1']), undefined);
});

test("only a person's written prompt gets a status, never a bot post or our own answer", () => {
  assert.equal(isPersonsPrompt({ user: 'U1', text: 'fix the test' }, 'UBOT'), true);
  assert.equal(isPersonsPrompt({ user: 'UBOT', text: 'the answer' }, 'UBOT'), false);
  assert.equal(isPersonsPrompt({ user: 'UBOT', bot_id: 'B1', text: 'the answer' }, undefined), false);
  assert.equal(isPersonsPrompt({ user: 'U1', subtype: 'file_share', text: 'look' }, 'UBOT'), false);
  assert.equal(isPersonsPrompt({ user: 'U1', text: '   ' }, 'UBOT'), false);
});
