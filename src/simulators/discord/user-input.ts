/**
 * What people and the test itself do to the fake Discord outside the bot's REST calls: post
 * messages (as a user or through a webhook), and shape the traffic the bot meets (429s, stalls).
 */
import type { APIAttachment, APIMessage, APIUser } from 'discord.js';
import { makeMember } from './objects.js';
import type { FakeDiscordState } from './state.js';

export interface FakeUserMessage {
  channelId: string;
  content: string;
  /** Defaults to a human user. */
  author?: { id: string; username: string; bot?: boolean; globalName?: string; nick?: string };
  /** Post through this webhook (id and display name) instead of as a user. */
  webhook?: { id: string; username: string };
  attachments?: APIAttachment[];
}

/** Stores a user (not bot) or webhook message and dispatches MESSAGE_CREATE. */
export function postUserMessage(state: FakeDiscordState, init: FakeUserMessage): APIMessage {
  if (init.webhook) {
    const author: APIUser = { id: init.webhook.id, username: init.webhook.username, discriminator: '0000', global_name: null, avatar: null, bot: true };
    return state.createMessage({ channelId: init.channelId, author, content: init.content, webhookId: init.webhook.id, attachments: init.attachments ?? [] });
  }
  const who = init.author ?? { id: '300000000000000001', username: 'alice' };
  const author = state.user(who.id, who.username, { bot: who.bot ?? false, ...(who.globalName ? { globalName: who.globalName } : {}) });
  const member = makeMember(author, who.nick ? { nick: who.nick } : {});
  // MESSAGE_CREATE carries the author once, at the top: its partial member has no user.
  delete (member as { user?: unknown }).user;
  return state.createMessage({ channelId: init.channelId, author, member, content: init.content, attachments: init.attachments ?? [] });
}

/** Answers the next `count` requests matching `path` (after /api/v10) with 429. */
export function addRateLimit(state: FakeDiscordState, rule: { method?: string; path: RegExp; count?: number; retryAfterSeconds?: number; global?: boolean }): void {
  state.rateLimits.push({ ...rule, remaining: rule.count ?? 1, retryAfterSeconds: rule.retryAfterSeconds ?? 0.05 });
}

/** Stalls every request matching `path` until the returned function is called; waiting requests then go in arrival order. */
export function holdRequests(state: FakeDiscordState, rule: { method?: string; path: RegExp }): () => void {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hold = { ...rule, released };
  state.holds.push(hold);
  return () => {
    const index = state.holds.indexOf(hold);
    if (index >= 0) state.holds.splice(index, 1);
    release();
  };
}
