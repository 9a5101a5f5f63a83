/**
 * Is a Discord channel closed to the guild at large? A channel whose permissions deny
 * @everyone View Channel (permission overwrites, or the @everyone role itself), a private
 * thread, a thread of such a channel, a DM or a group DM. Agent sessions started there are
 * created private on Blocks. discord.js resolves the overwrites (`permissionsFor`); what it
 * has not cached counts as private, since a session hidden by mistake costs a click and one
 * shown by mistake leaks.
 */
import { ChannelType, type Client, PermissionFlagsBits } from 'discord.js';

const ALWAYS_PRIVATE = new Set<number>([ChannelType.DM, ChannelType.GroupDM, ChannelType.PrivateThread]);

/** The decision from what the channel is and whether @everyone may view it (or its parent). */
export function isPrivateDiscordChannel(input: { type: number; everyoneCanView: boolean | undefined }): boolean {
  if (ALWAYS_PRIVATE.has(input.type)) return true;
  return input.everyoneCanView !== true;
}

/** Reads the channel (a public thread: its parent) from discord.js's cache. */
export function discordChannelIsPrivate(client: Client, channelId: string): boolean {
  const channel = client.channels.cache.get(channelId);
  if (!channel) return true;
  if (ALWAYS_PRIVATE.has(channel.type)) return true;
  const room = channel.isThread() ? channel.parent : channel;
  if (!room || room.isDMBased() || room.isThread()) return isPrivateDiscordChannel({ type: channel.type, everyoneCanView: undefined });
  const everyoneCanView = room.permissionsFor(room.guild.roles.everyone)?.has(PermissionFlagsBits.ViewChannel);
  return isPrivateDiscordChannel({ type: channel.type, everyoneCanView });
}
