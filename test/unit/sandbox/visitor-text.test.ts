import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mentionsToPlatform, slackTyped } from '../../../src/sandbox/visitor-text.js';

const SLACK = { bridge: 'UBRIDGE', 'fluxra-bridge': 'UBRIDGE', ada: 'U0SBXADA' };

test('@name becomes the platform mention, as the Slack and Discord composers send it', () => {
  assert.equal(mentionsToPlatform('@bridge fix the flaky test', SLACK), '<@UBRIDGE> fix the flaky test');
  assert.equal(mentionsToPlatform('thanks @Ada, and @fluxra-bridge: go', SLACK), 'thanks <@U0SBXADA>, and <@UBRIDGE>: go');
  assert.equal(mentionsToPlatform('@bridge', { bridge: '910000000000000002' }), '<@910000000000000002>');
  assert.equal(mentionsToPlatform('see #sandbox, #general and #1', SLACK, { sandbox: 'C0SANDBOX' }), 'see <#C0SANDBOX>, #general and #1');
});

test('only whole known names: longer words, unknown names, e-mail addresses and existing mentions stay as typed', () => {
  for (const text of ['@bridget hi', '@nobody hi', 'mail ada@bridge.example', 'already <@UBRIDGE>', '@bridge-ops', '`code`']) {
    assert.equal(mentionsToPlatform(text, SLACK), text, text);
  }
});

test('Slack receives what a person typed with &, < and > encoded once, and the mentions as markup', () => {
  assert.equal(slackTyped('a <b> & @bridge in #sandbox', SLACK, { sandbox: 'C0SANDBOX' }), 'a &lt;b&gt; &amp; <@UBRIDGE> in <#C0SANDBOX>');
  assert.equal(slackTyped('&lt; stays typed', SLACK, {}), '&amp;lt; stays typed');
});
