/**
 * The Discord `ChatAdapter`: a discord.js Client for the gateway and REST, wired to the
 * inbound mapper, the interaction responder and the outbound calls in this folder.
 */
import {
  Client,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GuildMember,
  Options,
  PermissionFlagsBits,
  RESTEvents,
  Routes,
  Status,
  type ChatInputCommandInteraction,
  type GatewayDispatchPayload,
  type Interaction,
} from 'discord.js';
import { BridgeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { UpstreamMetrics } from '../../core/metrics-hooks.js';
import { registerSecret } from '../../core/redact.js';
import type { ChatAdapter, CommandInvocation, CommandSpec, ConnectionChange, InboundEvent, InboundHandler } from '../../core/chat.js';
import { commandArgs, commandJson } from './commands.js';
import { DISCORD_DEFAULTS, resolveDiscordConfig, type DiscordAdapterConfig } from './config.js';
import { toDiscordError } from './errors.js';
import { discordChannelIsPrivate } from './channel-privacy.js';
import { toInboundDeletes, toInboundEdit, toInboundMessage, type InboundContext } from './inbound.js';
import { createGuildNames } from './guild-names.js';
import { createInteractionResponder } from './interactions.js';
import { createChannelLocations } from './locations.js';
import { createDiscordOutbound, discordParts } from './outbound.js';
import { guildOfChannel, readDiscordSince } from './history.js';
import { createOwnPostFinder } from './own-posts.js';
import { createWebhookDirectory } from './webhooks.js';

/** The Discord adapter: a `ChatAdapter` that can also register its slash commands. */
export interface DiscordAdapter extends ChatAdapter {
  readonly platform: 'discord';
  /**
   * Registers `specs` as chat-input commands (replacing the previous set) in one guild
   * (`options.guildId`, else `config.guildId`: instant) or globally (up to an hour to appear).
   */
  registerCommands(specs: CommandSpec[], options?: { guildId?: string }): Promise<void>;
}

export interface DiscordAdapterDeps {
  logger: Logger;
  /** Counts failed REST calls and 429s. */
  metrics?: UpstreamMetrics;
}

export function createDiscordAdapter(input: DiscordAdapterConfig, deps: DiscordAdapterDeps): DiscordAdapter {
  const config = resolveDiscordConfig(input);
  registerSecret(config.token);
  const logger = deps.logger.child({ platform: 'discord' });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: config.apiUrl, retries: config.restRetries, globalRequestsPerSecond: config.globalRequestsPerSecond },
    // We read raw message payloads (see inbound.ts): caching Message objects would only cost memory.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    allowedMentions: { parse: ['users'], repliedUser: false },
  });
  // Set now so that registerCommands works before start (e.g. from the CLI).
  client.rest.setToken(config.token);
  const rest = client.rest;
  const metrics = deps.metrics;
  if (metrics) {
    // Every REST answer, retries and discord.js's own queue included.
    rest.on(RESTEvents.Response, (_request, response) => {
      if (response.status >= 400) metrics.error('discord', String(response.status));
      if (response.status === 429) metrics.rateLimited('discord');
    });
  }

  let handler: InboundHandler | undefined;
  let selfUserId: string | undefined;
  let started = false;
  let inboundQueue: Promise<void> = Promise.resolve();

  const applicationId = (): string | undefined => config.applicationId ?? client.application?.id;
  const locations = createChannelLocations({ client, rest, logger });
  const webhooks = createWebhookDirectory({
    rest,
    logger,
    name: config.webhookName,
    selfUserId: () => selfUserId,
    applicationId,
    retryAfterMs: DISCORD_DEFAULTS.webhookRetryAfterMs,
  });
  const outbound = createDiscordOutbound({ rest, webhooks, locations, logger });
  const findOwnPost = createOwnPostFinder({ rest, selfUserId: () => selfUserId, isOurWebhook: (webhookId, channelId) => webhooks.isOurs(webhookId, channelId) });
  const responder = createInteractionResponder({
    deferAfterMs: config.deferAfterMs,
    lifetimeMs: DISCORD_DEFAULTS.interactionLifetimeMs,
    allowedMentions: { parse: ['users'], repliedUser: false },
    logger,
  });
  const context: InboundContext = {
    selfUserId: () => selfUserId,
    isOurWebhook: (webhookId, channelId) => webhooks.isOurs(webhookId, channelId),
    locate: (channelId) => locations.locate(channelId),
    guildNames: createGuildNames(client),
    isPrivate: (channelId) => discordChannelIsPrivate(client, channelId),
    now: Date.now,
  };

  const deliver = async (event: InboundEvent): Promise<void> => {
    if (!handler) {
      logger.warn({ eventId: event.eventId }, 'discord event before onEvent was set; dropped');
      return;
    }
    try {
      await handler(event);
    } catch (error) {
      logger.error({ eventId: event.eventId, err: error }, 'discord event handler failed');
    }
  };

  /** Message events are handled one at a time so that an edit never overtakes its create. */
  const enqueue = (work: () => Promise<InboundEvent[]>): void => {
    inboundQueue = inboundQueue
      .then(async () => {
        for (const event of await work()) await deliver(event);
      })
      .catch((error: unknown) => logger.error({ err: error }, `discord inbound mapping failed: ${describeError(error)}`));
  };

  client.on(Events.Raw, (packet: GatewayDispatchPayload) => {
    switch (packet.t) {
      case GatewayDispatchEvents.MessageCreate:
        enqueue(async () => [await toInboundMessage(packet.d, context)].filter((event) => event !== undefined));
        break;
      case GatewayDispatchEvents.MessageUpdate:
        enqueue(async () => [await toInboundEdit(packet.d, context)].filter((event) => event !== undefined));
        break;
      case GatewayDispatchEvents.MessageDelete:
      case GatewayDispatchEvents.MessageDeleteBulk:
        enqueue(() => toInboundDeletes(packet.d, context));
        break;
      default:
        break;
    }
  });

  const onInteraction = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    const eventId = `discord:interaction:${interaction.id}`;
    // The clock starts now: the channel lookup below may take a REST call.
    if (!responder.track(eventId, interaction)) {
      logger.debug({ eventId }, 'discord interaction replayed after a RESUME; already handled');
      return;
    }
    const location = await locations.locate(interaction.channelId);
    const spec = config.commands.find((candidate) => candidate.name === interaction.commandName);
    const args = commandArgs(spec, interaction.options.data);
    const permissions = interaction.memberPermissions;
    const member = interaction.member;
    // A cached guild gives a GuildMember (`nickname`), an uncached one the raw member (`nick`).
    const nick = (member instanceof GuildMember ? member.nickname : member?.nick) ?? undefined;
    const invocation: CommandInvocation = {
      kind: 'command',
      platform: 'discord',
      eventId,
      receivedAt: Date.now(),
      ...(interaction.guildId ? { placeId: interaction.guildId } : {}),
      command: interaction.commandName,
      args,
      rawText: args.join(' '),
      user: {
        id: interaction.user.id,
        displayName: nick ?? interaction.user.globalName ?? interaction.user.username,
        isPrivileged: Boolean(permissions?.has(PermissionFlagsBits.ManageChannels) || permissions?.has(PermissionFlagsBits.Administrator)),
      },
      channel: { platform: 'discord', channelId: location.channelId },
      privateChannel: discordChannelIsPrivate(client, interaction.channelId),
      ...(location.threadId ? { threadRootId: location.threadId } : {}),
    };
    await deliver(invocation);
    // Answered by now, or ignored on purpose: either way no "thinking…" response is due.
    responder.settled(eventId);
  };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (!interaction.isChatInputCommand() || !interaction.inGuild()) return;
    onInteraction(interaction).catch((error: unknown) => logger.error({ err: error }, 'discord interaction handling failed'));
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardResume, (_shardId, replayed) => logger.info({ replayed }, 'discord gateway resumed'));
  // Catch-up (see ChatAdapter.onConnectionChange): a RESUME replays what the gap held, a new
  // session (READY again) does not. Closed comes before anything of the next connection.
  const connectionListeners: Array<(change: ConnectionChange) => void> = [];
  const tellConnection = (change: ConnectionChange): void => {
    for (const listener of connectionListeners) listener(change);
  };
  let sessions = 0;
  client.on(Events.ShardReconnecting, () => tellConnection({ kind: 'interrupted' }));
  client.on(Events.ShardResume, () => tellConnection({ kind: 'restored', lost: false }));
  client.on(Events.ShardReady, () => {
    sessions += 1;
    if (sessions > 1) tellConnection({ kind: 'restored', lost: true });
  });

  return {
    platform: 'discord',
    get selfUserId() {
      return selfUserId;
    },

    onEvent(next) {
      handler = next;
    },

    async start() {
      if (started) return;
      started = true;
      // The first READY of this start is the start itself, not a lost gap.
      sessions = 0;
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      try {
        await client.login(config.token);
      } catch (error) {
        started = false;
        await client.destroy();
        throw new BridgeError('DISCORD_LOGIN_FAILED', `Discord login failed: ${describeError(error)}`);
      }
      await ready;
      selfUserId = client.user?.id;
      logger.info({ userId: selfUserId, applicationId: applicationId() }, 'discord connected');
    },

    async stop() {
      responder.stop();
      await client.destroy();
      await inboundQueue;
      started = false;
    },

    connectionState() {
      if (!started) return 'idle';
      const shards = client.ws.shards;
      return shards.size > 0 && shards.every((shard) => shard.status === Status.Ready) ? 'connected' : 'disconnected';
    },

    post: (channel, message, options) => outbound.post(channel, message, options),
    findOwnPost: (channel, message, options) => findOwnPost(channel, message, options),
    readSince: (channel, options) =>
      readDiscordSince(
        { rest, guildOf: (channelId) => guildOfChannel(client, rest, channelId), toMessage: (data) => toInboundMessage(data, context) },
        channel.channelId,
        options,
      ),
    placeOfChannel: (channelId) => guildOfChannel(client, rest, channelId),
    onConnectionChange(listener) {
      connectionListeners.push(listener);
    },
    edit: (ref, message) => outbound.edit(ref, message),
    delete: (ref) => outbound.delete(ref),
    react: (ref, emoji) => outbound.react(ref, emoji),
    unreact: (ref, emoji) => outbound.unreact(ref, emoji),

    async reply(invocation, message, options = {}) {
      const parts = discordParts(message, message.as !== undefined);
      if (parts.length === 0) return;
      await responder.reply(invocation.eventId, parts, options.ephemeral ?? true);
    },

    async registerCommands(specs, options = {}) {
      const guildId = options.guildId ?? config.guildId;
      try {
        const appId = applicationId() ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
        const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
        await rest.put(route, { body: specs.map(commandJson) });
        logger.info({ guildId, commands: specs.map((spec) => spec.name) }, 'discord commands registered');
      } catch (error) {
        throw toDiscordError(error, 'register slash commands');
      }
    },
  };
}
