import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossPostName, fitInto, fluxraParts, formatAttribution, platformLabel, textWithAttachments } from '../../../src/mirror/attribution.js';

const DEFAULT_FORMAT = '[{name} · {platform}] {text}';

test('the default format names the person and the platform', () => {
  assert.equal(formatAttribution(DEFAULT_FORMAT, { name: 'Alice', platform: 'slack', text: 'hello' }), '[Alice · Slack] hello');
  assert.equal(formatAttribution(DEFAULT_FORMAT, { name: 'Bob', platform: 'discord', text: 'hi' }), '[Bob · Discord] hi');
  assert.equal(platformLabel('discord'), 'Discord');
});

test('a configured format may reorder or repeat the placeholders', () => {
  assert.equal(formatAttribution('{text} — {name} on {platform} ({name})', { name: 'Ann', platform: 'slack', text: 'ok' }), 'ok — Ann on Slack (Ann)');
});

test('placeholders inside the name or the text are inserted literally, never expanded', () => {
  assert.equal(formatAttribution(DEFAULT_FORMAT, { name: '{text}', platform: 'slack', text: 'I wrote {name} and {platform}' }), '[{text} · Slack] I wrote {name} and {platform}');
  assert.equal(formatAttribution(DEFAULT_FORMAT, { name: '$& $1', platform: 'slack', text: '$$' }), '[$& $1 · Slack] $$');
});

test('attachments become links after the text, and alone when there is no text', () => {
  const files = [{ url: 'https://files.example/a.png', name: 'a [1].png' }, { url: 'https://files.example/b' }];
  assert.equal(textWithAttachments('look', files), 'look\n[a \\[1\\].png](https://files.example/a.png)\nhttps://files.example/b');
  assert.equal(textWithAttachments('   ', files.slice(1)), 'https://files.example/b');
  assert.equal(textWithAttachments('plain', []), 'plain');
});

test('a short message is one attributed part; blank text gives none', () => {
  assert.deepEqual(fluxraParts(DEFAULT_FORMAT, { name: 'A', platform: 'slack', text: 'hi' }, 10_000), ['[A · Slack] hi']);
  assert.deepEqual(fluxraParts(DEFAULT_FORMAT, { name: 'A', platform: 'slack', text: ' \n ' }, 10_000), []);
});

test('a long message splits in order into attributed parts that each fit the limit', () => {
  const paragraphs = Array.from({ length: 60 }, (_, i) => `paragraph ${String(i).padStart(2, '0')} ${'x'.repeat(480)}`);
  const text = paragraphs.join('\n\n');
  const parts = fluxraParts(DEFAULT_FORMAT, { name: 'Alice', platform: 'discord', text }, 10_000);
  assert.equal(parts.length, 3);
  for (const part of parts) {
    assert.ok(part.length <= 10_000, `part of ${part.length} characters`);
    assert.ok(part.startsWith('[Alice · Discord] '));
  }
  const rejoined = parts.map((part) => part.slice('[Alice · Discord] '.length)).join('\n\n');
  assert.equal(rejoined, text, 'the parts read back as the original, in order');
});

test('a text of just under twice the limit arrives in exactly two parts', () => {
  const text = 'y'.repeat(19_900);
  const parts = fluxraParts(DEFAULT_FORMAT, { name: 'A', platform: 'slack', text }, 10_000);
  assert.equal(parts.length, 2);
  assert.equal(parts.map((part) => part.slice('[A · Slack] '.length)).join(''), text);
});

test('an attribution that leaves no room for text is refused rather than looping', () => {
  assert.throws(() => fluxraParts('{name}{text}', { name: 'n'.repeat(95), platform: 'slack', text: 'z'.repeat(500) }, 150), RangeError);
});

test('cross-posted copies are posted under the person and their platform', () => {
  assert.equal(crossPostName('Alice', 'slack'), 'Alice (Slack)');
  assert.equal(crossPostName('Bob', 'discord'), 'Bob (Discord)');
});

test('an edit that grew past the original parts folds the overflow into the last part, cut at the limit', () => {
  assert.deepEqual(fitInto(['a', 'b'], 3, 100), ['a', 'b']);
  assert.deepEqual(fitInto(['a', 'b', 'c'], 2, 100), ['a', 'b\nc']);
  const folded = fitInto(['a', 'b'.repeat(60), 'c'.repeat(60)], 2, 100);
  assert.equal(folded[1]?.length, 100);
  assert.ok(folded[1]?.endsWith('…'));
});
