import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BlockRequest, blockUsage, parseBlockArgs } from '../../../src/commands/block-parse.js';

const AGENT = 'agt_0123456789abcdef0123456789abcdef';
const CONV = 'conv_0f8fad5b-d9cb-469f-a165-70867728950e';
const BLK = 'blk_7c9e6679-7425-40de-944b-e07fc1f90ae7';

const words = (text: string) => text.split(/\s+/).filter((w) => w !== '');
const parse = (text: string) => parseBlockArgs('block', words(text));

function accepted(text: string): BlockRequest {
  const result = parse(text);
  assert.ok(result.ok, `expected "${text.slice(0, 80)}" to parse, got: ${result.ok ? '' : result.message}`);
  return result.value;
}

function refused(text: string | string[]): string {
  const result = Array.isArray(text) ? parseBlockArgs('block', text) : parse(text);
  assert.ok(!result.ok, `expected a refusal for ${JSON.stringify(text).slice(0, 80)}`);
  return result.message;
}

test('accepts each subcommand in its documented form', () => {
  const table: Array<[string, BlockRequest]> = [
    ['', { action: 'help' }],
    ['help', { action: 'help' }],
    [`agent ${AGENT}`, { action: 'block-agent', agentId: AGENT }],
    [`conversation ${CONV}`, { action: 'block-conversation', conversationId: CONV }],
    ['conversation', { action: 'block-conversation', conversationId: undefined }],
    ['list', { action: 'list' }],
    [`remove ${BLK}`, { action: 'remove', id: { kind: 'block', id: BLK } }],
    [`remove ${AGENT}`, { action: 'remove', id: { kind: 'agent', id: AGENT } }],
    [`remove ${CONV}`, { action: 'remove', id: { kind: 'conversation', id: CONV } }],
  ];
  for (const [text, expected] of table) assert.deepEqual(accepted(text), expected, text);
});

test('subcommands and IDs are accepted in upper case; IDs are sent in lower case', () => {
  assert.deepEqual(accepted(`AGENT ${AGENT.toUpperCase()}`), { action: 'block-agent', agentId: AGENT });
  assert.deepEqual(accepted(`Remove ${BLK.toUpperCase()}`), { action: 'remove', id: { kind: 'block', id: BLK } });
  assert.deepEqual(accepted(`List`), { action: 'list' });
});

test('an unknown subcommand answers with the usage, naming what was typed', () => {
  const message = refused('unblock agt_x');
  assert.match(message, /has no `unblock` subcommand/);
  assert.ok(message.includes(blockUsage('block')));
});

test('the usage uses the configured command name', () => {
  const result = parseBlockArgs('fluxblock', ['nope']);
  assert.ok(!result.ok);
  assert.match(result.message, /`\/fluxblock agent agt_…`/);
  assert.doesNotMatch(result.message, /`\/block /);
});

test('a missing ID says which one is needed', () => {
  assert.match(refused('agent'), /Which agent\? `\/block agent agt_…`/);
  assert.match(refused('remove'), /Which block\? `\/block remove blk_…`/);
});

test('extra words after a complete command are refused and named', () => {
  assert.match(refused('list all'), /`\/block list` takes nothing more; remove `all`/);
  assert.match(refused('help me'), /`\/block help` takes nothing more; remove `me`/);
  assert.match(refused(`agent ${AGENT} please now`), new RegExp(`\`/block agent ${AGENT}\` takes nothing more; remove \`please\` \`now\``));
  assert.match(refused(`conversation ${CONV} x`), /takes nothing more; remove `x`/);
  assert.match(refused(`remove ${BLK} x`), /takes nothing more; remove `x`/);
});

test('many extra words are shortened to the first few and a count', () => {
  const message = refused(['list', ...Array.from({ length: 500 }, (_, i) => `w${i}`)]);
  assert.match(message, /remove `w0` `w1` `w2` \(and 497 more words\)/);
  assert.ok(message.length < 200, `too long: ${message.length}`);
});

test('wrong ID shapes are refused with what is wrong', () => {
  const table: Array<[string, RegExp]> = [
    ['agent agt_123', /`agt_123` is not an agent ID: after `agt_` come 32 hex digits \(0-9, a-f\); that one is 7 characters long, an agent ID is 36/],
    [`agent agt_${'g'.repeat(32)}`, /is not an agent ID: after `agt_` come 32 hex digits/],
    ['agent 0123456789abcdef0123456789abcdef', /is not an agent ID \(agt_…\)\./],
    [`agent ${CONV}`, /is not an agent ID \(agt_…\)\. To block a conversation: `\/block conversation conv_…`/],
    [`conversation ${AGENT}`, /is not a conversation ID \(conv_…\)\. To block an agent: `\/block agent agt_…`/],
    ['conversation conv_1234', /after `conv_` comes? a UUID/],
    [`agent ${BLK}`, /To remove a block: `\/block remove blk_…`/],
    ['remove 42', /`42` is not a block ID \(blk_…\), an agent ID \(agt_…\) or a conversation ID \(conv_…\)\./],
  ];
  for (const [text, expected] of table) assert.match(refused(text), expected, text);
});

test('path tricks in IDs are refused before any request: ../, ?, #, %2F, backslash', () => {
  const table: Array<[string, string]> = [
    ['remove blk_../../api/agents', '/'],
    ['remove ../blk_7c9e6679-7425-40de-944b-e07fc1f90ae7', '/'],
    ['remove blk_7c9e6679-7425-40de-944b-e07fc1f90ae7?limit=1', '?'],
    ['remove blk_7c9e6679-7425-40de-944b-e07fc1f90ae7#x', '#'],
    ['remove blk_%2E%2E%2Fapi', '%'],
    ['agent agt_..\\..\\x', '\\'],
  ];
  for (const [text, char] of table) {
    const message = refused(text);
    assert.ok(message.includes(`IDs never contain \`${char}\``), `${text} → ${message}`);
  }
});

test('unicode lookalikes, zero-width characters and bidi controls are refused by code point', () => {
  // Cyrillic а (U+0430) in place of a Latin a.
  assert.match(refused(`agent agt_0123456789\u0430bcdef0123456789abcdef`), /contains the character U\+0430/);
  assert.match(refused(`remove blk_7c9e6679\u200b-7425-40de-944b-e07fc1f90ae7`), /contains the character U\+200B/);
  assert.match(refused(['agent', `agt_\u202e${'a'.repeat(32)}`]), /contains the character U\+202E/);
  // A Discord option value may hold a space.
  assert.match(refused(['agent', `agt_0123 ${'a'.repeat(28)}`]), /IDs never contain spaces\./);
});

test('the echo of a bad ID never carries raw unicode or control characters', () => {
  const message = refused(['agent', `agt_\u202e<@U123>`]);
  assert.doesNotMatch(message, /[\u202e<>@]/);
});

test('10 kB of text is refused with a short answer that echoes a shortened input', () => {
  const huge = `agt_${'a'.repeat(10_000)}`;
  const message = refused(['agent', huge]);
  assert.match(message, /that one is 10004 characters long, an agent ID is 36/);
  assert.ok(message.length < 300, `too long: ${message.length}`);
  const hugeWord = 'x'.repeat(10_000);
  const unknown = refused([hugeWord]);
  assert.ok(unknown.length < 1000, `too long: ${unknown.length}`);
  assert.match(unknown, /`x{48}`…/);
});

test('mentions and markup in what was typed are not echoed in a form that could ping', () => {
  for (const text of ['<!channel>', '@everyone', '<@U012ABC>', '`x`', '**bold**', '||spoiler||', '<#C123>']) {
    const message = refused([text]);
    const echoed = /has no (`[^`]*`) subcommand/.exec(message)?.[1] ?? '';
    assert.ok(echoed.startsWith('`') && echoed.endsWith('`'), `${text}: ${message}`);
    assert.doesNotMatch(echoed, /[<>@*|]/, text);
  }
});
