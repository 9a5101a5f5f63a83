import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelType } from 'discord.js';
import { isPrivateDiscordChannel } from '../../../../src/platforms/discord/channel-privacy.js';

test('a Discord channel is private when @everyone cannot view it, or by its kind', () => {
  assert.equal(isPrivateDiscordChannel({ type: ChannelType.GuildText, everyoneCanView: true }), false);
  assert.equal(isPrivateDiscordChannel({ type: ChannelType.PublicThread, everyoneCanView: true }), false);
  assert.equal(isPrivateDiscordChannel({ type: ChannelType.GuildText, everyoneCanView: false }), true);
  assert.equal(isPrivateDiscordChannel({ type: ChannelType.GuildText, everyoneCanView: undefined }), true, 'unknown counts as private');
  for (const type of [ChannelType.DM, ChannelType.GroupDM, ChannelType.PrivateThread]) assert.equal(isPrivateDiscordChannel({ type, everyoneCanView: true }), true);
});
