import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { markdownToDiscord } from '../../../src/format/discord.js';
import { breakMentionSyntax, mentionedUserIds, mentionsAsNames, mentionsIn, mentionToken, SYNTAX_BREAKER } from '../../../src/format/mentions.js';
import { markdownToSlack } from '../../../src/format/slack.js';
import { stripSelfMentions } from '../../../src/sessions/parse.js';

const Z = SYNTAX_BREAKER;

describe('the neutral mention model', () => {
  test('a token carries platform, id and name, and reads back the same', () => {
    const token = mentionToken({ kind: 'user', platform: 'discord', id: '300000000000000055', name: 'Bob' });
    assert.equal(token, '<@discord:300000000000000055|Bob>');
    assert.deepEqual(mentionsIn(`hi ${token}`), [{ kind: 'user', platform: 'discord', id: '300000000000000055', name: 'Bob' }]);
  });

  test('names cannot end the token, start a mass mention or format text', () => {
    const token = mentionToken({ kind: 'user', platform: 'slack', id: 'U1', name: '<b>|@here *x* `y`' });
    assert.equal(token, '<@slack:U1|bhere \\*x\\* \\`y\\`>');
    assert.deepEqual(
      mentionsIn(token).map((mention) => mention.name),
      ['bhere *x* `y`'],
    );
  });

  test('one token renders live on its own platform only, as a plain name elsewhere (Fluxra too)', () => {
    const slackUser = mentionToken({ kind: 'user', platform: 'slack', id: 'U0ALICE', name: 'Alice' });
    const discordUser = mentionToken({ kind: 'user', platform: 'discord', id: '300000000000000055', name: 'Bob' });
    const text = `${slackUser} and ${discordUser}`;
    assert.equal(markdownToSlack(text), '<@U0ALICE> and @Bob');
    assert.equal(markdownToDiscord(text), '@Alice and <@300000000000000055>');
    assert.equal(mentionsAsNames(text), '@Alice and @Bob');
  });

  test('only Discord user tokens may ping on Discord', () => {
    const text = `<@discord:1|a> <@&discord:2|mods> <@slack:U1|b> <@1> <@discord:1|a>`;
    assert.deepEqual(mentionedUserIds(text, 'discord'), ['1']);
    assert.deepEqual(mentionedUserIds(text, 'slack'), ['U1']);
  });

  test('mention syntax typed as text is made inert, tokens included', () => {
    assert.equal(breakMentionSyntax('<@U0SLACKADMIN> <#C1> <!here> <@slack:U1|x> a < b'), `<${Z}@U0SLACKADMIN> <${Z}#C1> <${Z}!here> <${Z}@slack:U1|x> a < b`);
    const broken = breakMentionSyntax('<@slack:U0SLACKADMIN|Admin>');
    assert.deepEqual(mentionsIn(broken), []);
    assert.equal(markdownToSlack(broken).includes('<@U0SLACKADMIN>'), false);
  });

  test('an agent prompt loses our own mention and names the others', () => {
    assert.equal(stripSelfMentions('<@slack:UBOT|bridge> ask <@slack:U2|Bob> why', 'UBOT'), 'ask @Bob why');
    assert.equal(stripSelfMentions('<@discord:900|bridge>, hi', '900'), 'hi');
  });
});
