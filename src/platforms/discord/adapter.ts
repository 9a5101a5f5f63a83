/**
 * The Discord `ChatAdapter`: a discord.js Client for the gateway and REST, wired to the
 * inbound mapper, the interaction responder and the outbound calls in this folder.
 */
import { Events, Status } from 'discord.js';
import type { ChatAdapter, CommandSpec, ConnectionChange, InboundHandler } from '../../core/chat.js';
import { BridgeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { UpstreamMetrics } from '../../core/metrics-hooks.js';
import { registerSecret } from '../../core/redact.js';
import { modalData } from './components.js';
import { type DiscordAdapterConfig, resolveDiscordConfig } from './config.js';
import { toDiscordError } from './errors.js';
import { createDiscordClient, onMessageDispatches, putCommands, watchConnection } from './gateway.js';
import { guildOfChannel, readDiscordSince } from './history.js';
import { toInboundMessage } from './inbound.js';
import { createInboundQueue } from './inbound-queue.js';
import { listenForInteractions } from './interaction-events.js';
import { discordParts } from './outbound.js';
import { createDiscordParts } from './parts.js';
import { createDiscordProgress } from './progress.js';

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
  // The token is set now so that registerCommands works before start (e.g. from the CLI).
  const client = createDiscordClient(config, deps.metrics);
  const rest = client.rest;

  let handler: InboundHandler | undefined;
  let selfUserId: string | undefined;
  let started = false;

  const { applicationId, locations, outbound, findOwnPost, responder, context } = createDiscordParts(client, config, logger, () => selfUserId);

  const connectionListeners: Array<(change: ConnectionChange) => void> = [];
  let stopping = false;
  const tellConnection = (change: ConnectionChange): void => {
    // Our own `destroy()` closes the shard with 1000, which discord.js reports as
    // "reconnecting": told as `interrupted`, it would hold the platform's live events
    // behind a catch-up that never comes, and `stop` would wait for them for ever.
    if (stopping) return;
    for (const listener of connectionListeners) listener(change);
  };
  // A channel queue that overflowed left events out: the catch-up reads them as after a lost gap.
  const inbound = createInboundQueue({ handler: () => handler, logger, onGap: () => tellConnection({ kind: 'restored', lost: true }) });
  const deliver = inbound.deliver;
  onMessageDispatches(client, context, inbound.enqueue);

  listenForInteractions(client, { commands: config.commands, responder, locations, deliver, logger });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardResume, (_shardId, replayed) => logger.info({ replayed }, 'discord gateway resumed'));
  const resetSessions = watchConnection(client, tellConnection);

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
      resetSessions();
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
      stopping = true;
      responder.stop();
      await client.destroy();
      inbound.stop();
      await inbound.drained();
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
      readDiscordSince({ rest, guildOf: (channelId) => guildOfChannel(client, rest, channelId), toMessage: (data) => toInboundMessage(data, context) }, channel.channelId, options),
    placeOfChannel: (channelId) => guildOfChannel(client, rest, channelId),
    onConnectionChange(listener) {
      connectionListeners.push(listener);
    },
    progress: createDiscordProgress(rest),
    edit: (ref, message, options) => outbound.edit(ref, message, options),
    delete: (ref) => outbound.delete(ref),
    react: (ref, emoji) => outbound.react(ref, emoji),
    unreact: (ref, emoji) => outbound.unreact(ref, emoji),

    async reply(invocation, message, options = {}) {
      const parts = discordParts(message, message.as !== undefined);
      if (parts.length === 0) return;
      await responder.reply(invocation.eventId, parts, options.ephemeral ?? true);
    },

    async openForm(press, form) {
      const modal = modalData(form);
      if (!modal) throw new BridgeError('DISCORD_FORM_TOO_LONG', `the form ${form.form} does not fit in a custom_id`);
      await responder.showModal(press.eventId, modal);
    },

    async registerCommands(specs, options = {}) {
      const guildId = options.guildId ?? config.guildId;
      try {
        await putCommands(rest, applicationId(), specs, guildId);
        logger.info({ guildId, commands: specs.map((spec) => spec.name) }, 'discord commands registered');
      } catch (error) {
        throw toDiscordError(error, 'register slash commands');
      }
    },
  };
}
