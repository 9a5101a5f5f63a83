/**
 * How a linked chat channel is named in command answers. A channel on the platform the
 * answer goes to is a channel reference (`<#ID>`, neutral markdown, which the adapter turns
 * into a clickable link); a channel on the other platform cannot be referenced there, so it
 * is named by platform and ID. IDs come from the store, so anything of an unexpected shape
 * is shown inertly.
 */
import type { ChannelRef, PlatformName } from '../platforms/types.js';
import { showInput } from './text.js';

const PLATFORM_LABEL: Readonly<Record<PlatformName, string>> = { slack: 'Slack', discord: 'Discord' };

/** Slack channel IDs (C…, G…) and Discord snowflakes: the shapes a channel reference may carry. */
const REFERENCE_SAFE: Readonly<Record<PlatformName, RegExp>> = {
  slack: /^[A-Z0-9]{2,32}$/,
  discord: /^\d{15,22}$/,
};

/** "<#C0GENERAL>" for the viewer's own platform, "Discord channel `2000…`" for the other. */
export function describeChannel(channel: ChannelRef, viewer: PlatformName): string {
  if (channel.platform === viewer && REFERENCE_SAFE[channel.platform].test(channel.channelId)) return `<#${channel.channelId}>`;
  return `${PLATFORM_LABEL[channel.platform] ?? showInput(channel.platform, 10)} channel ${showInput(channel.channelId, 32)}`;
}

/** The viewer's own platform first (the channels a reader can click), otherwise in the given order. */
export function viewerFirst<T extends { platform: PlatformName }>(items: readonly T[], viewer: PlatformName): T[] {
  return [...items.filter((item) => item.platform === viewer), ...items.filter((item) => item.platform !== viewer)];
}

/** "a, b and c" of `describeChannel`s, the viewer's own platform first. */
export function describeChannels(channels: readonly ChannelRef[], viewer: PlatformName): string {
  const parts = viewerFirst(channels, viewer).map((channel) => describeChannel(channel, viewer));
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Two refs name the same channel. */
export function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.channelId === b.channelId;
}
