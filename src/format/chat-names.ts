/**
 * How linked chat channels and people are named in command answers. A channel or person on
 * the platform the answer goes to is a reference (`<#ID>`, `<@ID>`, neutral markdown, which
 * the platform shows as the name); a channel on the other platform cannot be referenced
 * there and its bare ID means nothing to a reader, so it is named by platform ("a Discord
 * channel"). IDs come from the store, so anything of an unexpected shape is shown inertly.
 */
import type { ChannelRef, PlatformName } from '../core/chat.js';
import { showInput } from '../core/text.js';
import { mentionToken } from './mentions.js';

const PLATFORM_LABEL: Readonly<Record<PlatformName, string>> = { slack: 'Slack', discord: 'Discord' };

/** Slack channel IDs (C…, G…) and Discord snowflakes: the shapes a channel reference may carry. */
const REFERENCE_SAFE: Readonly<Record<PlatformName, RegExp>> = {
  slack: /^[A-Z0-9]{2,32}$/,
  discord: /^\d{15,22}$/,
};

/** Slack user IDs (U…, W…) and Discord snowflakes: the shapes a user reference may carry. */
const USER_REFERENCE_SAFE: Readonly<Record<PlatformName, RegExp>> = {
  slack: /^[UW][A-Z0-9]{2,32}$/,
  discord: /^\d{15,22}$/,
};

const platformLabel = (platform: PlatformName): string => PLATFORM_LABEL[platform] ?? showInput(platform, 10);

/** "<#C0GENERAL>" for the viewer's own platform, "a Discord channel" for the other. */
export function describeChannel(channel: ChannelRef, viewer: PlatformName): string {
  if (channel.platform !== viewer) return `a ${platformLabel(channel.platform)} channel`;
  if (REFERENCE_SAFE[channel.platform].test(channel.channelId)) return `<#${channel.channelId}>`;
  return `${platformLabel(channel.platform)} channel ${showInput(channel.channelId, 32)}`;
}

/**
 * A mention token of the person (`<@slack:U0ADA|U0ADA>`, which the platform's renderer writes
 * as `<@U0ADA>`, shown as the person's name) for a user ID of the viewer's platform; anything
 * else inertly. Without a platform, either platform's shape (for records kept per channel,
 * whose people are always of the channel's platform).
 */
export function describeUser(userId: string, platform?: PlatformName): string {
  const platforms = platform === undefined ? (Object.keys(USER_REFERENCE_SAFE) as PlatformName[]) : [platform];
  const own = platforms.find((candidate) => USER_REFERENCE_SAFE[candidate].test(userId));
  // A mention token (format/mentions.ts): live on its own platform, a plain name elsewhere.
  return own === undefined ? showInput(userId, 32) : mentionToken({ kind: 'user', platform: own, id: userId, name: userId });
}

/** The viewer's own platform first (the channels a reader can click), otherwise in the given order. */
export function viewerFirst<T extends { platform: PlatformName }>(items: readonly T[], viewer: PlatformName): T[] {
  return [...items.filter((item) => item.platform === viewer), ...items.filter((item) => item.platform !== viewer)];
}

/** "a, b and 2 Discord channels" of `describeChannel`s, the viewer's own platform first, the others counted. */
export function describeChannels(channels: readonly ChannelRef[], viewer: PlatformName): string {
  const own = channels.filter((channel) => channel.platform === viewer).map((channel) => describeChannel(channel, viewer));
  const elsewhere = new Map<PlatformName, number>();
  for (const channel of channels) if (channel.platform !== viewer) elsewhere.set(channel.platform, (elsewhere.get(channel.platform) ?? 0) + 1);
  const counted = [...elsewhere].map(([platform, count]) => (count === 1 ? `a ${platformLabel(platform)} channel` : `${count} ${platformLabel(platform)} channels`));
  const parts = [...own, ...counted];
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Two refs name the same channel. */
export function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.channelId === b.channelId;
}
