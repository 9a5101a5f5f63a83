import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discordToMarkdown, markdownToDiscord } from '../../../src/format/discord.js';
import { isPlainText } from '../../../src/format/plain.js';
import { markdownToSlack } from '../../../src/format/slack.js';

test('plain lines skip the markdown parse; anything a parser could read differently does not', () => {
  for (const text of ['hello mxs00001 from slack', 'Ünïcode 日本 "quoted" (ok) - it\'s 5.', 'trailing  ']) assert.equal(isPlainText(text), true, text);
  for (const text of [
    '',
    ' leading',
    '1. list',
    '- item',
    '# title',
    'a *b*',
    'a_b',
    'see www.example.com',
    'http://x',
    'a@b.co',
    'x & y',
    'a <@U1>',
    'two\nlines',
    'back`tick',
    'a\\b',
    'x ~~y~~',
    'a|b',
  ]) {
    assert.equal(isPlainText(text), false, JSON.stringify(text));
  }
});

test('the fast path gives what the full conversion gave for plain text', () => {
  assert.equal(markdownToSlack('hello (there) - "ok"  '), 'hello (there) - "ok"');
  assert.equal(markdownToDiscord('hello there  '), 'hello there  ');
  assert.equal(discordToMarkdown('hello there'), 'hello there');
  // And markdown still converts.
  assert.equal(markdownToSlack('hello **there**'), 'hello *there*');
  assert.equal(discordToMarkdown('__under__'), '*under*');
});
