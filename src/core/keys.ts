/**
 * How platform references become store keys. Only the identity of a channel or message goes
 * into a key (platform, channel id, message id); `threadRootId` and `meta` are payload.
 * Each part is URI-encoded so that a `:` inside an id can never make two refs collide.
 */
import type { ChannelRef, MessageRef } from './chat.js';

/** The identifying part of a MessageRef: enough to look a message up. */
export type MessageKey = Pick<MessageRef, 'platform' | 'channelId' | 'messageId'>;

const part = (value: string): string => encodeURIComponent(value);

export function channelKey(channel: ChannelRef): string {
  return `${channel.platform}:${part(channel.channelId)}`;
}

export function messageKey(message: MessageKey): string {
  return `${message.platform}:${part(message.channelId)}:${part(message.messageId)}`;
}

/** A ChannelRef with nothing else on it (callers may hand us a MessageRef). */
export function toChannelRef(channel: ChannelRef): ChannelRef {
  return { platform: channel.platform, channelId: channel.channelId };
}
