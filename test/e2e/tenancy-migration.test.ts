/**
 * Links made before conversation owners existed (issue 14): at start, each link gets its
 * channel's server (asked of Discord through the real adapter, here the fake serving two
 * guilds) and each conversation the server of its earliest link. Owners already recorded
 * stay; a second run changes nothing.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrateTenancy } from '../../src/app/tenancy.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { CONVERSATION_OWNERS_KV, createConversationOwners, type OwnerRecord } from '../../src/store/conversation-owners.js';
import { openTempStore, type TempStore } from '../unit/commands/bridge-harness.js';
import { CHANNEL_A, CHANNEL_B, DISCORD_TOKEN, GUILD_A, GUILD_B } from './tenancy-harness.js';

let discord: FakeDiscord;
let adapter: DiscordAdapter;
let temp: TempStore;

before(async () => {
  discord = await createFakeDiscord({
    token: DISCORD_TOKEN,
    guildId: GUILD_A,
    channels: [{ id: CHANNEL_A, name: 'a' }],
    otherGuilds: [{ id: GUILD_B, channels: [{ id: CHANNEL_B, name: 'b' }] }],
  });
  adapter = createDiscordAdapter({ token: DISCORD_TOKEN, apiUrl: discord.apiUrl, commands: [], restRetries: 0 }, { logger: silentLogger() });
  temp = await openTempStore();
});

after(async () => {
  await adapter.stop();
  await discord.close();
  await temp.close();
});

test('existing links get the server of their channel, and each conversation the owner of its earliest link', async () => {
  const { links } = temp.store;
  const a = { platform: 'discord' as const, channelId: CHANNEL_A };
  const b = { platform: 'discord' as const, channelId: CHANNEL_B };
  // As an older bridge wrote them: no place on the links, no owners. B linked conv_shared later than A.
  await links.link(b, { conversationId: 'conv_shared', linkedBy: 'u-b', linkedAt: 2_000 });
  await links.link(a, { conversationId: 'conv_shared', linkedBy: 'u-a', linkedAt: 1_000 });
  const owners = createConversationOwners(temp.store.kv<OwnerRecord>(CONVERSATION_OWNERS_KV));
  await owners.claim('conv_kept', { platform: 'slack', placeId: 'T0KEPT' }, 500);

  const first = await migrateTenancy({ store: temp.store, owners, adapters: [adapter], logger: silentLogger() });
  assert.deepEqual(first, { placed: 2, owned: 1 });
  assert.equal((await links.get(a))?.placeId, GUILD_A);
  assert.equal((await links.get(b))?.placeId, GUILD_B);
  assert.deepEqual(await owners.get('conv_shared'), { platform: 'discord', placeId: GUILD_A, since: 1_000 });
  assert.deepEqual(await owners.get('conv_kept'), { platform: 'slack', placeId: 'T0KEPT', since: 500 });

  assert.deepEqual(await migrateTenancy({ store: temp.store, owners, adapters: [adapter], logger: silentLogger() }), { placed: 0, owned: 0 });
});
