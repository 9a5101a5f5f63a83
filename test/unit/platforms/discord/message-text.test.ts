/**
 * Message bodies shaped as Discord's documentation shows them (Message, Message Reference,
 * Message Snapshot, Sticker Item, Embed objects), read as the mirror's neutral text.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EmbedType } from 'discord.js';
import { discordMessageText, type GuildNames } from '../../../../src/platforms/discord/message-text.js';

const noGuildNames: GuildNames = () => undefined;
const bob = { id: '300000000000000055', username: 'bob', discriminator: '0', global_name: 'Bob', avatar: null };

describe('Discord message text', () => {
  test('mentions are named from the message’s own `mentions` (nickname first) and the guild cache', () => {
    const text = discordMessageText(
      { content: 'ask <@300000000000000055> or <@&400000000000000001> in <#500000000000000001>', mentions: [{ ...bob, member: { nick: 'bobby' } }] },
      (kind) => (kind === 'role' ? 'oncall' : 'general'),
    );
    assert.equal(text, 'ask <@discord:300000000000000055|bobby> or <@&discord:400000000000000001|oncall> in <#discord:500000000000000001|general>');
  });

  test('a forward reads as its snapshot with a forwarded mark', () => {
    const forward = {
      content: '',
      message_reference: { type: 1, message_id: '600000000000000001', channel_id: '500000000000000002', guild_id: '700000000000000001' },
      message_snapshots: [
        {
          message: {
            type: 0,
            content: 'the **original** words',
            embeds: [],
            attachments: [],
            timestamp: '2026-12-04T10:00:00.000000+00:00',
            edited_timestamp: null,
            flags: 0,
            mentions: [],
            mention_roles: [],
            components: [],
          },
        },
      ],
    };
    assert.equal(discordMessageText(forward, noGuildNames), '*Forwarded:*\nthe **original** words');
  });

  test('a reply reference (type 0) is not a forward', () => {
    assert.equal(discordMessageText({ content: 'yes', message_reference: { type: 0, message_id: '1', channel_id: '2' } }, noGuildNames), 'yes');
  });

  test('a stickers-only message reads as its stickers', () => {
    const text = discordMessageText({ content: '', sticker_items: [{ id: '749054660769218631', name: 'Wave', format_type: 1 }] }, noGuildNames);
    assert.equal(text, '[sticker: Wave]');
  });

  test('an embeds-only message reads as each embed’s title and link', () => {
    const text = discordMessageText(
      {
        content: '',
        embeds: [
          { type: EmbedType.Rich, title: 'Build #42 failed', url: 'https://ci.example/builds/42', description: 'long details' },
          { type: EmbedType.Rich, title: 'Only a title' },
          { type: EmbedType.Link, url: 'https://example.com/x' },
        ],
      },
      noGuildNames,
    );
    assert.equal(text, '[Build #42 failed](https://ci.example/builds/42)\nOnly a title\nhttps://example.com/x');
  });

  test('embeds next to text (an unfurl) add nothing', () => {
    assert.equal(
      discordMessageText({ content: 'see https://example.com', embeds: [{ type: EmbedType.Link, title: 'Example', url: 'https://example.com' }] }, noGuildNames),
      'see https://example.com',
    );
  });
});
