/**
 * The channel webhooks we post through as agents. One webhook per text channel, found by
 * name (and owner) or created, cached with its token in memory only: a `MessageRef` keeps
 * the webhook id, never the token, and the token is looked up again here when needed.
 */
import { type APIWebhook, type REST, Routes } from 'discord.js';
import { BridgeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { DiscordErrorCode, discordErrorCode, toDiscordError } from './errors.js';

export interface WebhookCredentials {
  id: string;
  token: string;
}

export interface WebhookDirectoryDeps {
  rest: REST;
  logger: Logger;
  /** Name of our webhook in each channel. */
  name: string;
  /** Our bot user and application, to recognise webhooks we created. */
  selfUserId: () => string | undefined;
  applicationId: () => string | undefined;
  /** How long a permission refusal is remembered before asking again. */
  retryAfterMs: number;
  now?: () => number;
}

export interface WebhookDirectory {
  /** Our webhook in `channelId`, created when missing; `undefined` when we may not manage webhooks. */
  forChannel(channelId: string): Promise<WebhookCredentials | undefined>;
  /** Credentials of one of our webhooks by id (for edits and deletes). */
  byId(webhookId: string): Promise<WebhookCredentials>;
  /** Whether a message's `webhook_id` is one of ours (checked once per channel against REST). */
  isOurs(webhookId: string, channelId: string): Promise<boolean>;
  /** Forgets a webhook that Discord no longer knows (deleted by someone). */
  forget(webhookId: string): void;
}

interface ChannelEntry {
  webhook?: WebhookCredentials;
  refusedAt?: number;
}

const MISSING_ACCESS = new Set<number>([DiscordErrorCode.MissingPermissions, DiscordErrorCode.MissingAccess]);

export function createWebhookDirectory(deps: WebhookDirectoryDeps): WebhookDirectory {
  const now = deps.now ?? Date.now;
  const byChannel = new Map<string, ChannelEntry>();
  const byId = new Map<string, WebhookCredentials>();
  // One lookup per channel at a time, so that concurrent posts do not create two webhooks.
  const pending = new Map<string, Promise<ChannelEntry>>();

  const isOurWebhook = (hook: APIWebhook): hook is APIWebhook & { token: string } =>
    hook.name === deps.name &&
    typeof hook.token === 'string' &&
    ((hook.user?.id !== undefined && hook.user.id === deps.selfUserId()) || (hook.application_id != null && hook.application_id === deps.applicationId()));

  const keep = (hook: { id: string; token: string }): WebhookCredentials => {
    const credentials = { id: hook.id, token: hook.token };
    byId.set(hook.id, credentials);
    return credentials;
  };

  const load = async (channelId: string, create: boolean): Promise<ChannelEntry> => {
    try {
      const hooks = (await deps.rest.get(Routes.channelWebhooks(channelId))) as APIWebhook[];
      const found = hooks.find(isOurWebhook);
      if (found) return { webhook: keep(found) };
      if (!create) return {};
      const created = (await deps.rest.post(Routes.channelWebhooks(channelId), { body: { name: deps.name } })) as APIWebhook;
      if (typeof created.token !== 'string') return {};
      deps.logger.info({ channelId, webhookId: created.id }, 'discord webhook created');
      return { webhook: keep({ id: created.id, token: created.token }) };
    } catch (error) {
      const code = discordErrorCode(error);
      if (code !== undefined && MISSING_ACCESS.has(code)) {
        deps.logger.warn({ channelId }, 'discord: no Manage Webhooks permission; posting agent messages as the bot with the name in the text');
        return { refusedAt: now() };
      }
      throw toDiscordError(error, 'find or create a channel webhook');
    }
  };

  const entryFor = async (channelId: string, create: boolean): Promise<ChannelEntry> => {
    const entry = byChannel.get(channelId);
    const fresh = entry && (entry.webhook || (entry.refusedAt !== undefined && now() - entry.refusedAt < deps.retryAfterMs) || !create);
    if (entry && fresh) return entry;
    let request = pending.get(channelId);
    if (!request) {
      request = load(channelId, create).finally(() => pending.delete(channelId));
      pending.set(channelId, request);
    }
    const loaded = await request;
    byChannel.set(channelId, loaded);
    return loaded;
  };

  return {
    async forChannel(channelId) {
      return (await entryFor(channelId, true)).webhook;
    },
    async byId(webhookId) {
      const known = byId.get(webhookId);
      if (known) return known;
      try {
        const hook = (await deps.rest.get(Routes.webhook(webhookId))) as APIWebhook;
        if (typeof hook.token !== 'string') throw new BridgeError('DISCORD_WEBHOOK_NOT_OURS', `webhook ${webhookId} has no token for us`);
        return keep({ id: hook.id, token: hook.token });
      } catch (error) {
        throw toDiscordError(error, 'look up a webhook');
      }
    },
    async isOurs(webhookId, channelId) {
      if (byId.has(webhookId)) return true;
      if (byChannel.has(channelId)) return false;
      try {
        await entryFor(channelId, false);
      } catch (error) {
        deps.logger.warn({ channelId, err: error }, 'discord: could not list channel webhooks');
        return false;
      }
      return byId.has(webhookId);
    },
    forget(webhookId) {
      byId.delete(webhookId);
      for (const [channelId, entry] of byChannel) if (entry.webhook?.id === webhookId) byChannel.delete(channelId);
    },
  };
}
