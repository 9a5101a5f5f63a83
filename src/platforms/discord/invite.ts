/**
 * The Discord invite (OAuth2 authorize) URL with the permissions the bridge uses, computed
 * from discord.js' own flag constants so that the bitfield cannot be mistyped.
 */
import { PermissionFlagsBits } from 'discord.js';

/** Each permission with what the bridge does with it. */
export const DISCORD_PERMISSIONS = [
  ['ViewChannel', 'View Channels', 'see the linked channels'],
  ['SendMessages', 'Send Messages', 'post mirrored messages and agent replies'],
  ['SendMessagesInThreads', 'Send Messages in Threads', 'answer in threads'],
  ['CreatePublicThreads', 'Create Public Threads', 'start the thread of an agent session'],
  ['ReadMessageHistory', 'Read Message History', 'find its own posts again after a restart'],
  ['AddReactions', 'Add Reactions', 'mark messages with status reactions'],
  ['ManageWebhooks', 'Manage Webhooks', 'post as each agent, with its name, through a channel webhook'],
  ['UseApplicationCommands', 'Use Application Commands', 'slash commands'],
] as const satisfies ReadonlyArray<readonly [keyof typeof PermissionFlagsBits, string, string]>;

export const DISCORD_SCOPES = ['bot', 'applications.commands'] as const;

/** The permissions bitfield, as the decimal string Discord expects. */
export function discordPermissionBits(): string {
  let bits = 0n;
  for (const [flag] of DISCORD_PERMISSIONS) bits |= PermissionFlagsBits[flag];
  return bits.toString();
}

export function discordInviteUrl(applicationId: string, guildId?: string): string {
  const url = new URL('https://discord.com/oauth2/authorize');
  url.searchParams.set('client_id', applicationId);
  url.searchParams.set('permissions', discordPermissionBits());
  url.searchParams.set('scope', DISCORD_SCOPES.join(' '));
  if (guildId !== undefined) {
    url.searchParams.set('guild_id', guildId);
    url.searchParams.set('disable_guild_select', 'true');
  }
  return url.toString();
}

/** Application flags (GET /applications/@me) that mean the Message Content intent is on. */
const GATEWAY_MESSAGE_CONTENT = 1 << 18;
const GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19;

export function hasMessageContentIntent(flags: number): boolean {
  return (flags & (GATEWAY_MESSAGE_CONTENT | GATEWAY_MESSAGE_CONTENT_LIMITED)) !== 0;
}
