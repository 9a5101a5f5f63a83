import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BridgeRequest,
  bridgeUsage,
  defaultConversationName,
  MAX_CONVERSATION_NAME_LENGTH,
  parseBridgeArgs,
  parseConversationName,
} from '../../../src/commands/bridge-parse.js';
import type { ParseResult } from '../../../src/commands/types.js';

const CONV = 'conv_0f8fad5b-d9cb-469f-a165-70867728950e';

const parse = (text: string): ParseResult<BridgeRequest> =>
  parseBridgeArgs(
    'bridge',
    text.split(/\s+/).filter((w) => w !== ''),
  );

function refusal(text: string): string {
  const result = parse(text);
  assert.equal(result.ok, false, `expected a refusal for ${JSON.stringify(text.slice(0, 60))}`);
  return result.ok ? '' : result.message;
}

test('nothing and help give the usage; subcommand words in any case', () => {
  assert.deepEqual(parse(''), { ok: true, value: { action: 'help' } });
  assert.deepEqual(parse('HELP'), { ok: true, value: { action: 'help' } });
  assert.deepEqual(parse('Status'), { ok: true, value: { action: 'status' } });
  assert.deepEqual(parse('unlink'), { ok: true, value: { action: 'unlink' } });
  assert.match(bridgeUsage('relay'), /^`\/relay` links this channel/);
  assert.match(bridgeUsage('relay'), /• `\/relay link new \[name\]`: create a new conversation/);
});

test('link takes one conversation ID, sent in lower case', () => {
  assert.deepEqual(parse(`link ${CONV}`), { ok: true, value: { action: 'link', conversationId: CONV } });
  assert.deepEqual(parse(`LINK ${CONV.toUpperCase()}`), { ok: true, value: { action: 'link', conversationId: CONV } });
});

test('link new with and without a name', () => {
  assert.deepEqual(parse('link new'), { ok: true, value: { action: 'link-new', name: undefined } });
  assert.deepEqual(parse('link NEW ops-room_2'), { ok: true, value: { action: 'link-new', name: 'ops-room_2' } });
});

test('link without a target says what it takes', () => {
  assert.equal(refusal('link'), 'Link to which conversation? `/bridge link conv_…` (an existing one), or `/bridge link new [name]` (a new one).');
});

test('extra words are refused, naming them inertly', () => {
  assert.equal(refusal('status now'), '`/bridge status` takes nothing more; remove `now` and try again.');
  assert.equal(refusal('unlink <!channel>'), '`/bridge unlink` takes nothing more; remove `\uFFFD!channel\uFFFD` and try again.');
  assert.equal(refusal('help me please'), '`/bridge help` takes nothing more; remove `me` `please` and try again.');
  assert.equal(refusal(`link ${CONV} and more`), `\`/bridge link ${CONV}\` takes nothing more; remove \`and\` \`more\` and try again.`);
  assert.equal(refusal('link new two words'), 'A conversation name is one word: `/bridge link new two`, without `words` (join words with `-`).');
});

test('a target that is not a conversation ID is refused before anything is sent', () => {
  assert.equal(
    refusal('link ../../api/blocks'),
    '`../../api/blocks` is not a conversation ID (conv_…): IDs never contain `/`. To create a new conversation: `/bridge link new [name]`.',
  );
  assert.match(refusal('link conv_1234'), /^`conv_1234` is not a conversation ID: after `conv_` come a UUID .*; that one is 9 characters long, a conversation ID is 41\.$/);
  assert.equal(refusal('link agt_0123456789abcdef0123456789abcdef'), '`agt_0123456789abcdef0123456789abcdef` is not a conversation ID (conv_…).');
  // A Cyrillic "с" in place of the Latin "c".
  assert.match(refusal(`link \u0441onv_0f8fad5b-d9cb-469f-a165-70867728950e`), /it contains the character U\+0441/);
  assert.match(refusal(`link conv_${'a'.repeat(10_000)}`), /that one is 10005 characters long, a conversation ID is 41\.$/);
  assert.ok(refusal(`link conv_${'a'.repeat(10_000)}`).length < 400, 'the 10 kB word is not echoed whole');
});

test('an unknown subcommand gets the usage, echoed without pinging anyone', () => {
  const message = refusal('<@U0OWNER>');
  assert.ok(message.startsWith('`/bridge` has no `\uFFFD\uFFFDU0OWNER\uFFFD` subcommand.\n'));
  assert.ok(message.endsWith(bridgeUsage('bridge')));
  assert.doesNotMatch(message, /<@U0OWNER>/);
  // Words that later issues will add are unknown today, and get the usage too.
  assert.match(refusal('pause'), /^`\/bridge` has no `pause` subcommand\.\n`\/bridge` links/);
});

test('conversation names: letters, digits, - and _, at most 80 characters', () => {
  assert.deepEqual(parseConversationName('a'.repeat(MAX_CONVERSATION_NAME_LENGTH)), { ok: true, value: 'a'.repeat(80) });
  const long = parseConversationName('a'.repeat(10_000));
  assert.equal(long.ok, false);
  assert.match(long.ok ? '' : long.message, /^`a{48}`… is too long for a conversation name \(10000 characters\): names are 1 to 80 letters, digits, `-` and `_`\.$/);
  assert.deepEqual(parseConversationName('../etc'), {
    ok: false,
    message: '`../etc` is not a conversation name: it contains `.`, and names are 1 to 80 letters, digits, `-` and `_`.',
  });
  assert.deepEqual(parseConversationName('a`b'), {
    ok: false,
    message: '`a\uFFFDb` is not a conversation name: it contains the character U+0060, and names are 1 to 80 letters, digits, `-` and `_`.',
  });
  assert.deepEqual(parseConversationName('@everyone'), {
    ok: false,
    message: '`\uFFFDeveryone` is not a conversation name: it contains the character U+0040, and names are 1 to 80 letters, digits, `-` and `_`.',
  });
  assert.match(refusal('link new caf\u00e9'), /^`caf\uFFFD` is not a conversation name: it contains the character U\+00E9, and names are/);
  assert.match(refusal('link new \u202Eevil'), /the character U\+202E/);
  // A Discord option value may hold spaces: the name is still one word.
  const spaced = parseBridgeArgs('bridge', ['link', 'new', 'two words']);
  assert.deepEqual(spaced, { ok: false, message: '`two words` is not a conversation name: names are 1 to 80 letters, digits, `-` and `_`, without spaces (use `-`).' });
});

test('the default name comes from the channel and always passes the name check', () => {
  assert.equal(defaultConversationName('slack', 'C0GENERAL'), 'slack-C0GENERAL');
  assert.equal(defaultConversationName('discord', '200000000000000001'), 'discord-200000000000000001');
  for (const odd of ['C0/../x', 'a'.repeat(500), '', 'ch\u00e9']) {
    const name = defaultConversationName('slack', odd);
    assert.equal(parseConversationName(name).ok, true, name);
  }
});
