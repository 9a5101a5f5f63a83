import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mentionsToPlatform } from '../../../src/sandbox/visitor-text.js';

const SLACK = { bridge: 'UBRIDGE', 'fluxra-bridge': 'UBRIDGE', ada: 'U0SBXADA' };

test('@name becomes the platform mention, as the Slack and Discord composers send it', () => {
  assert.equal(mentionsToPlatform('@bridge fix the flaky test', SLACK), '<@UBRIDGE> fix the flaky test');
  assert.equal(mentionsToPlatform('thanks @Ada, and @fluxra-bridge: go', SLACK), 'thanks <@U0SBXADA>, and <@UBRIDGE>: go');
  assert.equal(mentionsToPlatform('@bridge', { bridge: '910000000000000002' }), '<@910000000000000002>');
});

test('only whole known names: longer words, unknown names, e-mail addresses and existing mentions stay as typed', () => {
  for (const text of ['@bridget hi', '@nobody hi', 'mail ada@bridge.example', 'already <@UBRIDGE>', '@bridge-ops', '`code`']) {
    assert.equal(mentionsToPlatform(text, SLACK), text, text);
  }
});
