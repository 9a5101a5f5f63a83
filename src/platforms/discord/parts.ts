/**
 * The Discord adapter's parts over one Client: channel locations (threads), our webhooks,
 * outbound calls, finding our own posts, the interaction responder, and what the inbound
 * mapper needs to know. Built once per adapter; `selfUserId` is known after login.
 */
import type { Client } from 'discord.js';
import type { Logger } from '../../core/logger.js';
import { discordChannelIsPrivate } from './channel-privacy.js';
import { DISCORD_DEFAULTS, type resolveDiscordConfig } from './config.js';
import { createGuildNames } from './guild-names.js';
import type { InboundContext } from './inbound.js';
import { createInteractionResponder } from './interactions.js';
import { createChannelLocations } from './locations.js';
import { createDiscordOutbound } from './outbound.js';
import { createOwnPostFinder } from './own-posts.js';
import { createWebhookDirectory } from './webhooks.js';

export function createDiscordParts(client: Client, config: ReturnType<typeof resolveDiscordConfig>, logger: Logger, selfUserId: () => string | undefined) {
  const rest = client.rest;
  const applicationId = (): string | undefined => config.applicationId ?? client.application?.id;
  const locations = createChannelLocations({ client, rest, logger });
  const webhooks = createWebhookDirectory({
    rest,
    logger,
    name: config.webhookName,
    selfUserId,
    applicationId,
    retryAfterMs: DISCORD_DEFAULTS.webhookRetryAfterMs,
  });
  const isOurWebhook = (webhookId: string, channelId: string): Promise<boolean> => webhooks.isOurs(webhookId, channelId);
  const context: InboundContext = {
    selfUserId,
    isOurWebhook,
    locate: (channelId) => locations.locate(channelId),
    guildNames: createGuildNames(client),
    isPrivate: (channelId) => discordChannelIsPrivate(client, channelId),
    now: Date.now,
  };
  return {
    applicationId,
    locations,
    outbound: createDiscordOutbound({ rest, webhooks, locations, logger }),
    findOwnPost: createOwnPostFinder({ rest, selfUserId, isOurWebhook }),
    responder: createInteractionResponder({
      deferAfterMs: config.deferAfterMs,
      lifetimeMs: DISCORD_DEFAULTS.interactionLifetimeMs,
      allowedMentions: { parse: ['users'], repliedUser: false },
      logger,
    }),
    context,
  };
}
