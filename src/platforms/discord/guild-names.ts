/**
 * Role and channel names for mentions, from what discord.js cached (GUILD_CREATE,
 * CHANNEL_CREATE, THREAD_CREATE…): no REST call on the message path. What it has not cached
 * reads as Discord shows an unknown mention (see `format/discord.ts`).
 */
import type { Client } from 'discord.js';
import type { GuildNames } from './message-text.js';

export function createGuildNames(client: Client): GuildNames {
  return (kind, id) => {
    if (kind === 'channel') {
      const channel = client.channels.cache.get(id);
      return channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : undefined;
    }
    for (const guild of client.guilds.cache.values()) {
      const role = guild.roles.cache.get(id);
      if (role) return role.name;
    }
    return undefined;
  };
}
