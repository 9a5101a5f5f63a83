/**
 * The discord.js side of the Discord adapter: the Client (intents, REST limits, lean cache),
 * the raw gateway dispatches it turns into neutral events, the connection changes that drive
 * catch-up, and a chat-input interaction as a neutral command invocation.
 */
import {
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  GatewayIntentBits,
  GuildMember,
  Options,
  PermissionFlagsBits,
  type REST,
  RESTEvents,
  Routes,
} from 'discord.js';
import type { CommandInvocation, CommandSpec, ConnectionChange, InboundEvent } from '../../core/chat.js';
import type { UpstreamMetrics } from '../../core/metrics-hooks.js';
import { commandArgs, commandJson } from './commands.js';
import type { resolveDiscordConfig } from './config.js';
import { type InboundContext, toInboundDeletes, toInboundEdit, toInboundMessage } from './inbound.js';
import { intakeQueueKey } from './intake-rules.js';
import type { ChannelLocation } from './locations.js';

type ResolvedDiscordConfig = ReturnType<typeof resolveDiscordConfig>;

/** The Client, its token set (so that registering commands works before start), REST failures counted. */
export function createDiscordClient(config: ResolvedDiscordConfig, metrics: UpstreamMetrics | undefined): Client {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: config.apiUrl, retries: config.restRetries, globalRequestsPerSecond: config.globalRequestsPerSecond },
    // We read raw message payloads (see inbound.ts): caching Message objects would only cost memory.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    allowedMentions: { parse: ['users'], repliedUser: false },
  });
  client.rest.setToken(config.token);
  if (metrics) {
    // Every REST answer, retries and discord.js's own queue included.
    client.rest.on(RESTEvents.Response, (_request, response) => {
      if (response.status >= 400) metrics.error('discord', String(response.status));
      if (response.status === 429) metrics.rateLimited('discord');
    });
  }
  return client;
}

/** The parent channel of a thread discord.js has cached (undefined for a channel, or a thread it has not seen). */
export function cachedParentOf(client: Client): (channelId: string) => string | undefined {
  return (channelId) => {
    const channel = client.channels.cache.get(channelId);
    return channel !== undefined && 'parentId' in channel && channel.isThread() ? (channel.parentId ?? undefined) : undefined;
  };
}

/** Message creates, edits and deletes from the raw gateway, each mapped in its channel's order by `enqueue`. */
export function onMessageDispatches(client: Client, context: InboundContext, enqueue: (key: string, work: () => Promise<InboundEvent[]>) => void): void {
  const present = <T>(event: T | undefined): T[] => (event === undefined ? [] : [event]);
  const parentOf = cachedParentOf(client);
  const keyOf = (channelId: string): string => intakeQueueKey(channelId, parentOf);
  client.on(Events.Raw, (packet: GatewayDispatchPayload) => {
    switch (packet.t) {
      case GatewayDispatchEvents.MessageCreate:
        enqueue(keyOf(packet.d.channel_id), async () => present(await toInboundMessage(packet.d, context)));
        break;
      case GatewayDispatchEvents.MessageUpdate:
        enqueue(keyOf(packet.d.channel_id), async () => present(await toInboundEdit(packet.d, context)));
        break;
      case GatewayDispatchEvents.MessageDelete:
      case GatewayDispatchEvents.MessageDeleteBulk:
        enqueue(keyOf(packet.d.channel_id), () => toInboundDeletes(packet.d, context));
        break;
      default:
        break;
    }
  });
}

/**
 * Catch-up (see ChatAdapter.onConnectionChange): a RESUME replays what the gap held, a new
 * session (READY again) does not. Closed comes before anything of the next connection.
 * Returns the reset to call at each start: its first READY is the start, not a lost gap.
 */
export function watchConnection(client: Client, tell: (change: ConnectionChange) => void): () => void {
  let sessions = 0;
  client.on(Events.ShardReconnecting, () => tell({ kind: 'interrupted' }));
  client.on(Events.ShardResume, () => tell({ kind: 'restored', lost: false }));
  client.on(Events.ShardReady, () => {
    sessions += 1;
    if (sessions > 1) tell({ kind: 'restored', lost: true });
  });
  return () => {
    sessions = 0;
  };
}

/** A chat-input interaction as the neutral command invocation (`eventId` is the interaction's). */
export function toCommandInvocation(
  interaction: ChatInputCommandInteraction,
  eventId: string,
  location: ChannelLocation,
  spec: CommandSpec | undefined,
  isPrivate: boolean,
): CommandInvocation {
  const args = commandArgs(spec, interaction.options.data);
  const permissions = interaction.memberPermissions;
  const member = interaction.member;
  // A cached guild gives a GuildMember (`nickname`), an uncached one the raw member (`nick`).
  const nick = (member instanceof GuildMember ? member.nickname : member?.nick) ?? undefined;
  return {
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
    privateChannel: isPrivate,
    ...(location.threadId ? { threadRootId: location.threadId } : {}),
  };
}

/** Replaces the application's chat-input commands in one guild (instant) or globally (up to an hour). */
export async function putCommands(rest: REST, applicationId: string | undefined, specs: CommandSpec[], guildId: string | undefined): Promise<void> {
  const appId = applicationId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  await rest.put(route, { body: specs.map(commandJson) });
}
