import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BlockSummary, formatBlockList, formatWhen, MAX_LISTED_BLOCKS } from '../../../src/commands/block-format.js';
import { showInput } from '../../../src/core/text.js';

const block = (n: number, overrides: Partial<BlockSummary> = {}): BlockSummary => ({
  blockId: `blk_00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  targetType: n % 2 === 0 ? 'agent' : 'group',
  targetId: n % 2 === 0 ? `agt_${String(n).padStart(32, '0')}` : `conv_00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  createdAt: new Date(Date.UTC(2026, 3, 3, 20, n % 60)).toISOString(),
  ...overrides,
});

test('dates read as a day, a month name, a year and a UTC time', () => {
  assert.equal(formatWhen('2026-04-03T20:00:00Z'), '3 Apr 2026, 20:00 UTC');
  assert.equal(formatWhen('2026-12-31T23:59:59.999+00:00'), '31 Dec 2026, 23:59 UTC');
  assert.equal(formatWhen('2026-01-01T01:30:00+02:00'), '31 Dec 2025, 23:30 UTC');
});

test('a date the server wrote in another form is shown as sent, safely', () => {
  assert.equal(formatWhen('yesterday <@U1>'), '`yesterday \uFFFD\uFFFDU1\uFFFD`');
  assert.equal(formatWhen(''), 'an unknown time');
});

test('an empty list says so and how to block', () => {
  assert.equal(formatBlockList([], 'block'), 'Nothing is blocked. Block an agent with `/block agent agt_…`.');
});

test('each block shows its kind, target, block ID and when, newest first', () => {
  const text = formatBlockList([block(1), block(2)], 'block');
  const lines = text.split('\n');
  assert.equal(lines[0], '2 blocks, newest first:');
  assert.equal(lines[1], `• agent \`${block(2).targetId}\`, block \`${block(2).blockId}\`, since 3 Apr 2026, 20:02 UTC`);
  assert.equal(lines[2], `• conversation \`${block(1).targetId}\`, block \`${block(1).blockId}\`, since 3 Apr 2026, 20:01 UTC`);
  assert.equal(lines[3], 'Remove a block with `/block remove blk_…`.');
});

test('a long list is cut, says how many more, and fits one Discord message', () => {
  const blocks = Array.from({ length: 250 }, (_, i) => block(i));
  const text = formatBlockList(blocks, 'block');
  assert.equal(text.split('\n').filter((line) => line.startsWith('• ')).length, MAX_LISTED_BLOCKS);
  assert.match(text, new RegExp(`…and ${250 - MAX_LISTED_BLOCKS} older, not shown`));
  assert.ok(text.length <= 2000, `${text.length} characters`);
});

test('server values are echoed through the safe form', () => {
  const text = formatBlockList([block(1, { targetId: '<!channel> hi', targetType: 'weird`type' })], 'block');
  assert.ok(text.includes(showInput('<!channel> hi', 64)));
  assert.doesNotMatch(text, /<!channel>/);
  assert.ok(text.includes('`weird\uFFFDtype`'));
});
