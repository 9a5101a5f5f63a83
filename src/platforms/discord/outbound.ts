/**
 * Neutral outgoing messages → Discord REST calls: posts (as the bot, or as an agent through
 * our channel webhook), thread replies (starting the thread when needed), edits, deletes
 * and reactions. Every post carries `allowed_mentions` that can only ping users.
 */
import { type APIMessage, type REST, Routes } from 'discord.js';
import type { ChannelRef, EditOptions, EditResult, MessageRef, OutboundMessage, PostOptions } from '../../core/chat.js';
import type { Logger } from '../../core/logger.js';
import { markdownToDiscord } from '../../format/discord.js';
import { mentionedUserIds } from '../../format/mentions.js';
import { splitMessage } from '../../format/split.js';
import { buttonComponents } from './components.js';
import { DISCORD_DEFAULTS } from './config.js';
import { DiscordErrorCode, discordErrorCode, toDiscordError } from './errors.js';
import type { ChannelLocations } from './locations.js';
import type { WebhookCredentials, WebhookDirectory } from './webhooks.js';

/** Users only: never @everyone/@here or roles, and no ping of the replied-to author. */
export const ALLOWED_MENTIONS = { parse: ['users'], replied_user: false } as const;

/** Discord accepts at most this many ids in `allowed_mentions.users`. */
const MAX_ALLOWED_USERS = 100;

/**
 * What a post may ping: only the Discord users its text mentions as resolved tokens
 * (format/mentions.ts), never a `<@id>` that arrived as plain text, never roles or everyone.
 */
export function allowedMentionsFor(message: OutboundMessage): { parse: []; users: string[]; replied_user: false } {
  return { parse: [], users: mentionedUserIds(message.text, 'discord').slice(0, MAX_ALLOWED_USERS), replied_user: false };
}

export interface DiscordOutboundDeps {
  rest: REST;
  webhooks: WebhookDirectory;
  locations: ChannelLocations;
  logger: Logger;
  /** Name of threads we start when the caller gives none. */
  defaultThreadName?: string;
}

export interface DiscordOutbound {
  post(channel: ChannelRef, message: OutboundMessage, options?: PostOptions): Promise<MessageRef[]>;
  edit(ref: MessageRef, message: OutboundMessage, options?: EditOptions): Promise<EditResult>;
  delete(ref: MessageRef): Promise<void>;
  react(ref: MessageRef, emoji: string): Promise<void>;
  unreact(ref: MessageRef, emoji: string): Promise<void>;
}

/** Discord refuses webhook names containing these, and names over 80 characters. */
export function webhookUsername(name: string): string {
  const cleaned = name
    .replace(/discord/gi, 'd1scord')
    .replace(/clyde/gi, 'clyd3')
    .trim();
  return (cleaned || 'agent').slice(0, 80);
}

/** The text as Discord parts: converted, prefixed with the speaker when we cannot post as them. */
export function discordParts(message: OutboundMessage, prefixName: boolean): string[] {
  const body = markdownToDiscord(message.text);
  const prefix = prefixName && message.as ? `**${message.as.name.replace(/[*_~`|\\]/g, '')}**: ` : '';
  const parts = splitMessage(body, DISCORD_DEFAULTS.maxMessageLength - prefix.length);
  if (parts.length > 0) parts[0] = prefix + parts[0];
  return parts;
}

/** The channel a message lives in: the thread, unless it is the thread's root message. */
function messageChannel(ref: MessageRef): string {
  return ref.threadRootId && ref.threadRootId !== ref.messageId ? ref.threadRootId : ref.channelId;
}

export function createDiscordOutbound(deps: DiscordOutboundDeps): DiscordOutbound {
  const { rest, webhooks, locations, logger } = deps;

  const executeWebhook = async (hook: WebhookCredentials, threadId: string | undefined, body: Record<string, unknown>): Promise<APIMessage> =>
    (await rest.post(Routes.webhook(hook.id, hook.token), {
      body,
      query: new URLSearchParams({ wait: 'true', ...(threadId ? { thread_id: threadId } : {}) }),
      auth: false,
    })) as APIMessage;

  const postViaWebhook = async (channelId: string, hook: WebhookCredentials, threadId: string | undefined, body: Record<string, unknown>): Promise<APIMessage> => {
    try {
      return await executeWebhook(hook, threadId, body);
    } catch (error) {
      if (discordErrorCode(error) !== DiscordErrorCode.UnknownWebhook) throw error;
      // Someone deleted our webhook: forget it, make a new one, try once more.
      webhooks.forget(hook.id);
      logger.warn({ webhookId: hook.id }, 'discord webhook vanished; recreating it');
      const fresh = await webhooks.forChannel(channelId);
      if (!fresh) throw error;
      return executeWebhook(fresh, threadId, body);
    }
  };

  return {
    async post(channel, message, options = {}) {
      const threadId = options.threadRootId
        ? await locations.ensureThread(channel.channelId, options.threadRootId, options.threadName ?? deps.defaultThreadName ?? 'Thread')
        : undefined;
      try {
        const hook = message.as ? await webhooks.forChannel(channel.channelId) : undefined;
        const parts = discordParts(message, message.as !== undefined && hook === undefined);
        const refs: MessageRef[] = [];
        const allowed = allowedMentionsFor(message);
        for (const [index, content] of parts.entries()) {
          if (index < (options.fromPart ?? 0)) continue;
          // Buttons go under the last part, on posts as the bot (a webhook post cannot carry them).
          const components = index === parts.length - 1 && !(hook && message.as) ? buttonComponents(message.buttons) : undefined;
          let posted: APIMessage;
          if (hook && message.as) {
            const body = { content, username: webhookUsername(message.as.name), allowed_mentions: allowed, ...(message.as.iconUrl ? { avatar_url: message.as.iconUrl } : {}) };
            posted = await postViaWebhook(channel.channelId, hook, threadId, body);
          } else {
            posted = (await rest.post(Routes.channelMessages(threadId ?? channel.channelId), {
              body: { content, allowed_mentions: allowed, ...(components ? { components } : {}) },
            })) as APIMessage;
          }
          refs.push({
            platform: 'discord',
            channelId: channel.channelId,
            messageId: posted.id,
            ...(threadId ? { threadRootId: threadId } : {}),
            ...(posted.webhook_id ? { meta: { webhookId: posted.webhook_id } } : {}),
          });
        }
        return refs;
      } catch (error) {
        throw toDiscordError(error, 'post a message');
      }
    },

    async edit(ref, message, options = {}) {
      const webhookId = ref.meta?.['webhookId'];
      const parts = discordParts(message, message.as !== undefined && webhookId === undefined);
      // Callers that keep every part (editSplit) name the part; anyone else is told what is left out.
      if (options.part === undefined && parts.length > 1)
        logger.warn({ messageId: ref.messageId, parts: parts.length }, 'discord edit longer than one message; only the first part is shown');
      const content = parts[options.part ?? 0] ?? '\u200B';
      const channelId = messageChannel(ref);
      const allowed = allowedMentionsFor(message);
      try {
        if (webhookId) {
          const hook = await webhooks.byId(webhookId);
          const query = channelId !== ref.channelId ? new URLSearchParams({ thread_id: channelId }) : undefined;
          await rest.patch(Routes.webhookMessage(hook.id, hook.token, ref.messageId), { body: { content, allowed_mentions: allowed }, auth: false, ...(query ? { query } : {}) });
        } else {
          // An edit without components keeps the old ones; status edits send them again anyway (status-buttons.ts).
          const components = (options.part ?? 0) === Math.max(parts.length, 1) - 1 ? buttonComponents(message.buttons) : undefined;
          await rest.patch(Routes.channelMessage(channelId, ref.messageId), { body: { content, allowed_mentions: allowed, ...(components ? { components } : {}) } });
        }
      } catch (error) {
        throw toDiscordError(error, 'edit a message');
      }
      return { parts: Math.max(parts.length, 1) };
    },

    async delete(ref) {
      const webhookId = ref.meta?.['webhookId'];
      const channelId = messageChannel(ref);
      try {
        if (webhookId) {
          const hook = await webhooks.byId(webhookId);
          const query = channelId !== ref.channelId ? new URLSearchParams({ thread_id: channelId }) : undefined;
          await rest.delete(Routes.webhookMessage(hook.id, hook.token, ref.messageId), { auth: false, ...(query ? { query } : {}) });
        } else {
          await rest.delete(Routes.channelMessage(channelId, ref.messageId));
        }
      } catch (error) {
        // Already gone is what the caller wanted.
        if (discordErrorCode(error) === DiscordErrorCode.UnknownMessage) return;
        throw toDiscordError(error, 'delete a message');
      }
    },

    async react(ref, emoji) {
      try {
        await rest.put(Routes.channelMessageOwnReaction(messageChannel(ref), ref.messageId, encodeURIComponent(emoji)));
      } catch (error) {
        throw toDiscordError(error, 'add a reaction');
      }
    },

    async unreact(ref, emoji) {
      try {
        await rest.delete(Routes.channelMessageOwnReaction(messageChannel(ref), ref.messageId, encodeURIComponent(emoji)));
      } catch (error) {
        if (discordErrorCode(error) === DiscordErrorCode.UnknownMessage) return;
        throw toDiscordError(error, 'remove a reaction');
      }
    },
  };
}
