/**
 * Saves and restores the fake Discord's guild contents: users, channels and threads,
 * message histories, the bot's reactions (Discord keeps them on the message) and webhooks
 * (the bridge posts as agents through its webhooks and edits those posts later).
 * Interactions are not kept: their tokens expire on Discord too.
 */
import type { APIChannel, APIMessage, APIUser } from 'discord.js';
import type { FakeDiscordState, FakeWebhook } from '../../simulators/discord.js';

export interface DiscordSnapshot {
  users: APIUser[];
  channels: APIChannel[];
  messages: Array<[channelId: string, messages: APIMessage[]]>;
  webhooks: FakeWebhook[];
  /** `channelId/messageId` → emoji; absent in snapshots written before reactions were kept. */
  reactions?: Array<[key: string, emoji: string[]]>;
}

export function snapshotDiscord(state: FakeDiscordState): DiscordSnapshot {
  return {
    users: [...state.users.values()],
    channels: [...state.channels.values()],
    messages: [...state.messages.entries()],
    webhooks: [...state.webhooks.values()],
    reactions: [...state.reactions.entries()].map(([key, emoji]) => [key, [...emoji]]),
  };
}

/** Run before the bridge connects, so that its GUILD_CREATE carries the restored threads. */
export function restoreDiscord(state: FakeDiscordState, saved: DiscordSnapshot): void {
  for (const user of saved.users) state.users.set(user.id, user);
  for (const channel of saved.channels) state.channels.set(channel.id, channel);
  state.messages.clear();
  for (const [channelId, messages] of saved.messages) state.messages.set(channelId, messages);
  state.webhooks.clear();
  for (const webhook of saved.webhooks) state.webhooks.set(webhook.id, webhook);
  state.reactions.clear();
  for (const [key, emoji] of saved.reactions ?? []) state.reactions.set(key, new Set(emoji));
}
