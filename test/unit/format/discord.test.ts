import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MENTION_BREAKER, discordToMarkdown, markdownToDiscord } from '../../../src/format/discord.js';

const Z = MENTION_BREAKER;

describe('discordToMarkdown', () => {
  const table: Array<[string, string, string]> = [
    ['plain text', 'hello world', 'hello world'],
    ['legacy nickname mention', 'hi <@!123456789012345678>', 'hi <@123456789012345678>'],
    ['user mention', 'hi <@123456789012345678>', 'hi <@123456789012345678>'],
    ['role mention kept', 'ping <@&222222222222222222>', 'ping <@&222222222222222222>'],
    ['channel reference kept', 'see <#333333333333333333>', 'see <#333333333333333333>'],
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
    ['user mention kept', 'thanks <@123456789012345678>', 'thanks <@123456789012345678>'],
    ['legacy mention normalised', 'thanks <@!123456789012345678>', 'thanks <@123456789012345678>'],
    ['role mention kept (never pings: allowed_mentions)', '<@&222222222222222222>', '<@&222222222222222222>'],
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
    'hi <@123456789012345678> in <#333333333333333333>, role <@&222222222222222222>',
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

  test('neutral strong written with underscores never turns into a Discord underline', () => {
    assert.equal(discordToMarkdown(markdownToDiscord('__strong__')), '**strong**');
  });
});
