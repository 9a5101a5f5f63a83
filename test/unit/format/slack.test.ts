import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markdownToSlack, slackToMarkdown } from '../../../src/format/slack.js';

const ZWSP = '\u200B';

/** Pairs that convert exactly both ways: Slack mrkdwn ⇄ neutral markdown. */
const roundTrips: Array<{ name: string; slack: string; markdown: string }> = [
  { name: 'plain text', slack: 'just words, nothing else.', markdown: 'just words, nothing else.' },
  { name: 'bold', slack: 'a *bold* word', markdown: 'a **bold** word' },
  { name: 'italic', slack: 'an _italic_ word', markdown: 'an *italic* word' },
  { name: 'strikethrough', slack: 'a ~gone~ word', markdown: 'a ~~gone~~ word' },
  { name: 'nested bold and italic', slack: '*bold _and italic_*', markdown: '**bold *and italic***' },
  { name: 'user mention', slack: 'hi <@U012AB3CD>', markdown: 'hi <@slack:U012AB3CD|U012AB3CD>' },
  { name: 'channel mention', slack: 'see <#C024BE91L>', markdown: 'see <#slack:C024BE91L|C024BE91L>' },
  { name: 'labelled link', slack: 'read <https://example.com/a?b=1&amp;c=2|the docs>', markdown: 'read [the docs](https://example.com/a?b=1&c=2)' },
  { name: 'bare link', slack: 'go to <https://example.com/x>', markdown: 'go to https://example.com/x' },
  { name: 'mail link', slack: 'write <mailto:a@example.com|a@example.com>', markdown: 'write [a@example.com](mailto:a@example.com)' },
  { name: 'inline code keeps its contents', slack: 'run `a *b* _c_ &lt;d&gt; &amp;&amp; e`', markdown: 'run `a *b* _c_ <d> && e`' },
  { name: 'fenced code keeps its contents', slack: '```\nif (a &lt; b &amp;&amp; *c*) {\n  x_y_z();\n}\n```', markdown: '```\nif (a < b && *c*) {\n  x_y_z();\n}\n```' },
  { name: 'entities', slack: 'fish &amp; chips &lt;3 a &gt; b', markdown: 'fish & chips \\<3 a > b' },
  { name: 'blockquote', slack: '> quoted line\n> second line', markdown: '> quoted line\n> second line' },
  { name: 'paragraphs', slack: 'one\n\ntwo', markdown: 'one\n\ntwo' },
  { name: 'line breaks inside a paragraph', slack: 'one\ntwo', markdown: 'one\ntwo' },
  { name: 'bullet list', slack: '• one\n• two', markdown: '- one\n- two' },
  { name: 'numbered list', slack: '1. one\n2. two', markdown: '1. one\n2. two' },
  { name: 'literal asterisks stay literal', slack: '2*3*4 = 24', markdown: '2\\*3\\*4 = 24' },
  { name: 'snake_case is not italic', slack: 'call snake_case_name now', markdown: 'call snake_case_name now' },
  { name: 'literal brackets and backslash', slack: 'a [b](c) d\\e', markdown: 'a \\[b](c) d\\\\e' },
];

for (const { name, slack, markdown } of roundTrips) {
  test(`slack ⇄ markdown: ${name}`, () => {
    assert.equal(slackToMarkdown(slack), markdown, 'inbound');
    assert.equal(markdownToSlack(markdown), slack, 'outbound');
  });
}

const inbound: Array<{ name: string; slack: string; markdown: string }> = [
  { name: 'mention labels name the tokens', slack: '<@U1|alice> and <#C1|general>', markdown: '<@slack:U1|alice> and <#slack:C1|general>' },
  { name: 'mass mentions become plain text', slack: '<!channel> <!here|here> <!everyone>', markdown: '@channel @here @everyone' },
  { name: 'user groups become role tokens named by their label', slack: 'ping <!subteam^S0614TZR7|@devs>', markdown: 'ping <@&slack:S0614TZR7|devs>' },
  {
    name: 'mention syntax typed as text stays inert',
    slack: 'not &lt;@U0ADMIN&gt; nor &lt;@slack:U0ADMIN|x&gt;',
    markdown: `not \\<${ZWSP}@U0ADMIN> nor \\<${ZWSP}@slack:U0ADMIN|x>`,
  },
  { name: 'dates become their fallback text', slack: '<!date^1392734382^{date}|Feb 18, 2014>', markdown: 'Feb 18, 2014' },
  { name: 'a link whose label is its URL is bare', slack: '<https://x.io|https://x.io>', markdown: 'https://x.io' },
  { name: 'inline code block moves onto its own lines', slack: 'before ```code``` after', markdown: 'before\n```\ncode\n```\nafter' },
  { name: 'a code block ends at the first closing backticks', slack: '```a ``` b```', markdown: '```\na \n```\nb\\`\\`\\`' },
  { name: 'backticks inside a code block are kept', slack: '```x\n``\n```', markdown: '```\nx\n``\n```' },
  { name: 'multi-line quote', slack: '&gt;&gt;&gt; all\nof this', markdown: '> all\n> of this' },
  { name: 'a quote ends at the newline', slack: '&gt; quoted\nnot quoted', markdown: '> quoted\n\nnot quoted' },
  { name: 'a list ends at an unmarked line', slack: '• item\nafter', markdown: '- item\n\nafter' },
  { name: 'formatting needs word boundaries', slack: 'a*b*c and x_y_ and *not closed', markdown: 'a\\*b\\*c and x_y\\_ and \\*not closed' },
  { name: 'formatting does not span code', slack: '*a `b* c`', markdown: '\\*a `b* c`' },
  { name: 'a literal hash at line start is not a heading', slack: '# not a heading', markdown: '\\# not a heading' },
  { name: 'our inert mass mention reads as text again', slack: `@${ZWSP}here`, markdown: '@here' },
  { name: 'entity-looking text stays literal', slack: '&amp;copy; is not ©', markdown: '\\&copy; is not ©' },
];

for (const { name, slack, markdown } of inbound) {
  test(`slackToMarkdown: ${name}`, () => assert.equal(slackToMarkdown(slack), markdown));
}

test('slackToMarkdown: user mentions are named as Slack resolved them, before any label', () => {
  const names = (id: string) => (id === 'U1' ? 'Alice Liddell' : undefined);
  assert.equal(slackToMarkdown('<@U1> <@U1|alice> <@U2|bob> <@U3>', names), '<@slack:U1|Alice Liddell> <@slack:U1|Alice Liddell> <@slack:U2|bob> <@slack:U3|U3>');
});

const outbound: Array<{ name: string; markdown: string; slack: string }> = [
  { name: 'literal mass mentions are made inert', markdown: '@channel @here and @everyone', slack: `@${ZWSP}channel @${ZWSP}here and @${ZWSP}everyone` },
  { name: 'Slack mass-mention sequences are made inert', markdown: '<!channel> <!here> <!everyone>', slack: `@${ZWSP}channel @${ZWSP}here @${ZWSP}everyone` },
  { name: 'mass mentions inside code cannot ping', markdown: '`<!channel>`', slack: '`&lt;!channel&gt;`' },
  { name: 'headings become bold lines', markdown: '# Title\n\ntext', slack: '*Title*\n\ntext' },
  { name: 'underscore emphasis', markdown: '_it_ and __bold__', slack: '_it_ and *bold*' },
  { name: 'code language is dropped and contents kept', markdown: '```ts\nconst x = a<b>();\n```', slack: '```\nconst x = a&lt;b&gt;();\n```' },
  { name: 'nested lists are indented', markdown: '- a\n  - b', slack: '• a\n    • b' },
  { name: 'task lists', markdown: '- [x] done\n- [ ] todo', slack: '• ☑ done\n• ☐ todo' },
  { name: 'autolink literal', markdown: 'see https://example.com.', slack: 'see <https://example.com>.' },
  { name: 'reference links are resolved', markdown: '[docs][d]\n\n[d]: https://d.io', slack: '<https://d.io|docs>' },
  { name: 'a pipe in a URL is encoded', markdown: '[x](https://a.io/?q=a|b)', slack: '<https://a.io/?q=a%7Cb|x>' },
  { name: 'raw HTML is shown as text', markdown: 'a <b>bold</b> tag', slack: 'a &lt;b&gt;bold&lt;/b&gt; tag' },
  { name: 'a Slack user token is a live mention', markdown: '<@slack:U1|bob>', slack: '<@U1>' },
  { name: 'Slack channel and user group tokens are live', markdown: '<#slack:C1|general> <@&slack:S1|devs>', slack: '<#C1> <!subteam^S1>' },
  { name: 'a Discord user token is a plain name, never a Slack mention', markdown: '<@discord:300000000000000055|Bob>', slack: '@Bob' },
  { name: 'Discord channel and role tokens are plain names', markdown: '<#discord:3|general> <@&discord:2|mods>', slack: '#general @mods' },
  { name: 'a Discord user called "here" cannot ping the channel', markdown: '<@discord:1|here>', slack: `@${ZWSP}here` },
  { name: 'a raw user mention (resolved nowhere) is plain text', markdown: 'hi <@U0SLACKADMIN>', slack: 'hi &lt;@U0SLACKADMIN&gt;' },
  { name: 'a raw channel reference (the bridge’s own answers) stays a link', markdown: 'see <#C0GENERAL>', slack: 'see <#C0GENERAL>' },
  { name: 'hard breaks', markdown: 'a  \nb\\\nc', slack: 'a\nb\nc' },
  { name: 'tables become monospaced rows', markdown: '| a | b |\n|---|---|\n| 1 | 2 |', slack: '```\na | b\n1 | 2\n```' },
  { name: 'quotes with several paragraphs', markdown: '> a\n>\n> b', slack: '> a\n>\n> b' },
];

for (const { name, markdown, slack } of outbound) {
  test(`markdownToSlack: ${name}`, () => assert.equal(markdownToSlack(markdown), slack));
}

test('Slack text converted to markdown and back is a fixed point', () => {
  const samples = [
    'hello *world* and _it_ ~gone~ `a &lt; b` <@U1|bob> in <#C2|general>',
    '<!here> look &amp; see <https://x.com/a?b=1&amp;c=2|the link>',
    '&gt; quoted\nnot quoted\n• one\n• two\n1. first',
    'before ```code &amp; more``` after',
    'snake_case 2*3*4 [WIP] #tag',
  ];
  for (const sample of samples) {
    const slack = markdownToSlack(slackToMarkdown(sample));
    assert.equal(markdownToSlack(slackToMarkdown(slack)), slack, sample);
  }
});
