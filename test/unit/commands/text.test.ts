import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_ECHO_LENGTH, showInput, showWords } from '../../../src/core/text.js';

test('ordinary input is wrapped in inline code as typed', () => {
  assert.equal(showInput('agt_12?x#y/../z'), '`agt_12?x#y/../z`');
});

test('long input is cut at a whole character and marked', () => {
  assert.equal(showInput('a'.repeat(10_000)), `\`${'a'.repeat(MAX_ECHO_LENGTH)}\`…`);
  // An emoji is one code point made of two UTF-16 units: never split in half.
  assert.equal(showInput('😀'.repeat(100), 3), '`\uFFFD\uFFFD\uFFFD`…');
});

test('backticks, mentions, markup and non-ASCII are replaced', () => {
  assert.equal(
    showInput('`<@U1>` @everyone *b* ~s~ ||x|| &amp; é'),
    '`\uFFFD\uFFFD\uFFFDU1\uFFFD\uFFFD \uFFFDeveryone \uFFFDb\uFFFD \uFFFDs\uFFFD \uFFFD\uFFFDx\uFFFD\uFFFD \uFFFDamp; \uFFFD`',
  );
});

test('empty input and edge spaces stay visible', () => {
  assert.equal(showInput(''), '`\uFFFD`');
  assert.equal(showInput(' a '), '`\uFFFDa\uFFFD`');
});

test('extra words are named up to three, then counted', () => {
  assert.equal(showWords(['a', 'b']), '`a` `b`');
  assert.equal(showWords(['a', 'b', 'c', 'd']), '`a` `b` `c` (and 1 more word)');
});
