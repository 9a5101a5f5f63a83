import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DiscordNames, discordToMarkdown, MENTION_BREAKER, markdownToDiscord } from '../../../src/format/discord.js';

const Z = MENTION_BREAKER;

describe('discordToMarkdown', () => {
  const table: Array<[string, string, string]> = [
    ['plain text', 'hello world', 'hello world'],
    ['a user mention Discord did not resolve reads as Discord shows it', 'hi <@123456789012345678>', 'hi @unknown-user'],
    ['a role Discord did not resolve', 'ping <@&222222222222222222>', 'ping @unknown-role'],
    ['a channel Discord did not resolve', 'see <#333333333333333333>', 'see #unknown-channel'],
    ['Slack mention syntax typed on Discord is made inert', 'hey <@U0SLACKADMIN> <!here> <#C0SECRET>', `hey <${Z}@U0SLACKADMIN> <${Z}!here> <${Z}#C0SECRET>`],
    ['a whole mention token typed on Discord is made inert', 'x <@slack:U0ADMIN|Admin>', `x <${Z}@slack:U0ADMIN|Admin>`],
    ['bold, italic, strike', '**b** *i* _i_ ~~s~~', '**b** *i* _i_ ~~s~~'],
    ['underline becomes emphasis', 'an __important__ point', 'an *important* point'],
    ['underline inside bold', '**__both__**', '***both***'],
    ['spoiler kept verbatim', 'the end: ||he dies||', 'the end: ||he dies||'],
    ['inline code untouched', 'run `__init__ <@!1>`', 'run `__init__ <@!1>`'],
    ['code block untouched', '```py\ndef __init__(self): pass  # <@!1>\n```', '```py\ndef __init__(self): pass  # <@!1>\n```'],
    ['quote', '> quoted\nnot', '> quoted\nnot'],
    ['multi-line quote', 'intro\n>>> one\ntwo\n\nthree', 'intro\n> one\n> two\n>\n> three'],
    ['masked link', '[docs](https://example.com/a_b)', '[docs](https://example.com/a_b)'],
    ['custom emoji', 'nice <:party:123> <a:wave:456>', 'nice :party: :wave:'],
  ];
  for (const [name, input, expected] of table) {
    test(name, () => assert.equal(discordToMarkdown(input), expected));
  }

  test('resolved user, role and channel mentions become tokens carrying platform, id and name', () => {
    const known: Record<string, string> = { 'user:1': 'Bob_B', 'role:2': 'mods', 'channel:3': 'general' };
    const names: DiscordNames = (kind, id) => known[`${kind}:${id}`];
    assert.equal(discordToMarkdown('hi <@1>, <@!1> and <@&2> in <#3>', names), 'hi <@discord:1|Bob\\_B>, <@discord:1|Bob\\_B> and <@&discord:2|mods> in <#discord:3|general>');
  });
});

describe('markdownToDiscord', () => {
  const table: Array<[string, string, string]> = [
    ['plain text', 'hello', 'hello'],
    ['underscore bold becomes asterisk bold', '__bold__ and **bold**', '**bold** and **bold**'],
    ['italic kept', '_it_ *it*', '_it_ *it*'],
    ['strike and code kept', '~~gone~~ `x`', '~~gone~~ `x`'],
    ['@everyone and @here neutralised', 'hey @everyone and @here', `hey @${Z}everyone and @${Z}here`],
    ['an email address is left alone', 'mail ops@here.com', 'mail ops@here.com'],
    ['mass mentions in code left for the reader', '`@everyone`\n```\n@here\n```', '`@everyone`\n```\n@here\n```'],
    ['a Discord user token is a live mention', 'thanks <@discord:123456789012345678|Bob>', 'thanks <@123456789012345678>'],
    ['Discord role and channel tokens are live', '<@&discord:2|mods> <#discord:3|general>', '<@&2> <#3>'],
    ['a Slack user token is a plain name', 'thanks <@slack:U0ALICE|Alice>', 'thanks @Alice'],
    ['Slack channel and user group tokens are plain names', '<#slack:C1|general> <@&slack:S1|devs>', '#general @devs'],
    ['a Slack user called "everyone" cannot ping everyone', '<@slack:U1|everyone>', `@${Z}everyone`],
    ['a raw user mention (not resolved anywhere) is inert', 'thanks <@123456789012345678>', `thanks <${Z}@123456789012345678>`],
    ['a raw role mention is inert', '<@&222222222222222222>', `<${Z}@&222222222222222222>`],
    ['a raw channel reference (the bridge’s own answers) stays', 'see <#333333333333333333>', 'see <#333333333333333333>'],
    ['image becomes its URL', 'look ![a __chart__](https://x.test/c.png) here', 'look https://x.test/c.png here'],
    ['links kept', '[a](https://a.test) <https://b.test>', '[a](https://a.test) <https://b.test>'],
    ['spoiler kept', '||secret||', '||secret||'],
    ['quote kept', '> q', '> q'],
  ];
  for (const [name, input, expected] of table) {
    test(name, () => assert.equal(markdownToDiscord(input), expected));
  }
});

describe('round trips', () => {
  // Text that means the same on both sides survives Discord → neutral → Discord unchanged.
  const stable = [
    '**bold** *italic* ~~strike~~ `code`',
    '```ts\nconst a = __b__;\n```',
    '> a quote\n\nafter',
    '[docs](https://example.com) and ||spoiler||',
    '- item one\n- item two',
  ];
  for (const text of stable) {
    test(`Discord → neutral → Discord keeps ${JSON.stringify(text)}`, () => assert.equal(markdownToDiscord(discordToMarkdown(text)), text));
    test(`neutral → Discord → neutral keeps ${JSON.stringify(text)}`, () => assert.equal(discordToMarkdown(markdownToDiscord(text)), text));
  }

  test('underline survives as emphasis, and stays emphasis on the way back', () => {
    assert.equal(markdownToDiscord(discordToMarkdown('__u__')), '*u*');
  });

  test('resolved Discord mentions survive Discord → neutral → Discord', () => {
    const names: DiscordNames = (kind) => (kind === 'user' ? 'Bob' : kind === 'role' ? 'mods' : 'general');
    const text = 'hi <@123456789012345678> in <#333333333333333333>, role <@&222222222222222222>';
    assert.equal(markdownToDiscord(discordToMarkdown(text, names)), text);
  });

  test('neutral strong written with underscores never turns into a Discord underline', () => {
    assert.equal(discordToMarkdown(markdownToDiscord('__strong__')), '**strong**');
  });
});
