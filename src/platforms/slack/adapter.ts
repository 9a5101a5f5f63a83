/**
 * The Slack `ChatAdapter`: a Bolt App in Socket Mode (default) or HTTP mode, turning Slack
 * events into neutral events and neutral messages into Web API calls.
 *
 * Acknowledgement: an inbound message, edit or delete is acknowledged to Slack only after
 * the handler's promise settles, and not at all when it rejects, so Slack redelivers what
 * we failed to accept. HTTP mode gets this from `processBeforeResponse`; Socket Mode from
 * `DeferredAckSocketModeReceiver`. Slash commands are the exception: Slack wants their ack
 * within 3 seconds, so they are acked at once and answered later through `reply()`.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import bolt from '@slack/bolt';
import type { webApi } from '@slack/bolt';
import { BridgeError, describeError } from '../../core/errors.js';
import { markdownToSlack } from '../../format/slack.js';
import { splitMessage } from '../../format/split.js';
import type { Logger } from '../../core/logger.js';
import type { UpstreamMetrics } from '../../core/metrics-hooks.js';
import { registerSecret } from '../../core/redact.js';
import type { ChannelRef, ChatAdapter, CommandInvocation, ConnectionChange, InboundHandler, MessageRef, OutboundMessage, PostOptions, ReplyOptions } from '../../core/chat.js';
import { createBoltLogger } from './bolt-logger.js';
import { SLACK_DEFAULTS, validateSlackAdapterConfig, type SlackAdapterConfig } from './config.js';
import { slackEmojiName } from './emoji.js';
import { slackErrorCode, toSlackError } from './errors.js';
import { toCommandInvocation, toInboundEvent, type InboundContext, type SlackCommandPayload, type SlackIdentity } from './inbound.js';
import { createInvocationRegistry } from './invocations.js';
import { readSlackSince, type SlackHistoryEntry } from './history.js';
import { findOwnSlackPost, type SlackHistoryMessage } from './own-posts.js';
import { refuseStaleOrFutureRequests } from './request-freshness.js';
import { DeferredAckSocketModeReceiver } from './socket-mode-receiver.js';
import { createSlackChannelPrivacy } from './channel-privacy.js';
import { createSlackUserDirectory } from './users.js';

// Bolt is CommonJS: its classes come off the default export.
const { App, HTTPReceiver } = bolt;
type BoltApp = InstanceType<typeof App>;

export interface SlackAdapter extends ChatAdapter {
  readonly platform: 'slack';
  /** HTTP mode: the port bound by `start()` (useful with `port: 0`). */
  readonly port: number | undefined;
  /** Our bot id (`B…`), known after `start()`. */
  readonly botId: string | undefined;
}

export interface SlackAdapterDeps {
  logger: Logger;
  /** Clock for receivedAt stamps and cache expiry. */
  now?: () => number;
  /** Counts failed Web API calls and 429s. */
  metrics?: UpstreamMetrics;
}

export function createSlackAdapter(config: SlackAdapterConfig, deps: SlackAdapterDeps): SlackAdapter {
  validateSlackAdapterConfig(config);
  registerSecret(config.botToken);
  registerSecret(config.appToken);
  registerSecret(config.signingSecret);
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'slack' });
  const apiUrl = config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: apiUrl,
    retryConfig: { retries: config.clientRetries ?? SLACK_DEFAULTS.clientRetries, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
  };
  const identity: SlackIdentity = { botUserId: config.botUserId, botId: config.botId };
  const invocations = createInvocationRegistry({ ttlMs: SLACK_DEFAULTS.invocationTtlMs, maxEntries: SLACK_DEFAULTS.maxInvocations, now });
  const inflight = new Set<Promise<void>>();
  let handler: InboundHandler | undefined;
  let app: BoltApp | undefined;
  let port: number | undefined;
  /** The receiver runs (HTTP server listening, or Socket Mode wanted); `connected`: the socket is up. */
  let receiving = false;
  let connected = false;

  async function call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!app) throw new BridgeError('SLACK_NOT_STARTED', `Slack adapter used before start() (${method})`);
    try {
      return (await app.client.apiCall(method, args)) as unknown as Record<string, unknown>;
    } catch (error) {
      const mapped = toSlackError(error, method, apiUrl);
      deps.metrics?.error('slack', slackErrorCode(mapped) ?? (mapped.status > 0 ? String(mapped.status) : mapped.code));
      throw mapped;
    }
  }

  /** Socket Mode connection state, for readiness (the client reconnects by itself). */
  function watchSocket(receiver: DeferredAckSocketModeReceiver): DeferredAckSocketModeReceiver {
    receiver.client.on('connected', () => (connected = true));
    for (const state of ['connecting', 'reconnecting', 'disconnected']) receiver.client.on(state, () => (connected = false));
    return receiver;
  }

  const connectionListeners: Array<(change: ConnectionChange) => void> = [];
  function reportConnections(receiver: DeferredAckSocketModeReceiver): DeferredAckSocketModeReceiver {
    receiver.onConnectionChange((change) => {
      for (const listener of connectionListeners) listener(change);
    });
    return receiver;
  }

  const users = createSlackUserDirectory({
    fetchUser: async (userId) => (await call('users.info', { user: userId })).user as Record<string, unknown> | undefined,
    logger,
    displayNameTtlMs: SLACK_DEFAULTS.displayNameTtlMs,
    privilegeTtlMs: SLACK_DEFAULTS.privilegeTtlMs,
    maxEntries: SLACK_DEFAULTS.maxCachedUsers,
    now,
  });

  const channels = createSlackChannelPrivacy({
    fetchChannel: async (channelId) => (await call('conversations.info', { channel: channelId })).channel as Record<string, unknown> | undefined,
    logger,
    ttlMs: SLACK_DEFAULTS.displayNameTtlMs,
    maxEntries: SLACK_DEFAULTS.maxCachedUsers,
    now,
  });

  function inboundContext(retryNum: unknown, teamId?: string): InboundContext {
    return { identity, users, channels, retryNum: typeof retryNum === 'number' && retryNum > 0 ? retryNum : undefined, now, teamId };
  }

  /** Runs the handler inside Bolt's listener: a rejection propagates so the event is not acked. */
  async function deliverInbound(raw: unknown, retryNum: unknown, teamId: string | undefined): Promise<void> {
    const event = await toInboundEvent(raw, inboundContext(retryNum, teamId));
    if (!event) return;
    if (!handler) throw new BridgeError('SLACK_NO_HANDLER', 'Slack event arrived before onEvent() was called');
    try {
      await handler(event);
    } catch (error) {
      logger.error({ eventId: event.eventId, kind: event.kind, err: describeError(error) }, 'slack inbound handler failed; not acknowledging so that Slack redelivers');
      throw error;
    }
  }

  function runCommand(payload: SlackCommandPayload, respond: (message: Record<string, unknown>) => Promise<unknown>, retryNum: unknown): void {
    const task = (async () => {
      const invocation = await toCommandInvocation(payload, inboundContext(retryNum));
      invocations.put(invocation.eventId, { channelId: payload.channel_id, userId: payload.user_id, respond });
      if (!handler) throw new BridgeError('SLACK_NO_HANDLER', 'Slack command arrived before onEvent() was called');
      await handler(invocation);
    })().catch((error: unknown) => {
      logger.error({ command: payload.command, err: describeError(error) }, 'slack command handler failed');
    });
    inflight.add(task);
    void task.finally(() => inflight.delete(task));
  }

  /** HTTP mode: Bolt's receiver, refusing requests stamped more than 5 min from now either way. */
  function httpReceiver(boltLogger: ReturnType<typeof createBoltLogger>): InstanceType<typeof HTTPReceiver> {
    const receiver = new HTTPReceiver({ signingSecret: config.signingSecret ?? '', processBeforeResponse: true, endpoints: '/slack/events', logger: boltLogger });
    return refuseStaleOrFutureRequests(receiver, {
      now,
      onRefused: (verdict, req) => logger.warn({ verdict, path: req.url?.split('?')[0] }, 'refused a Slack request whose timestamp is more than 5 minutes from now'),
    });
  }

  function buildApp(): BoltApp {
    const boltLogger = createBoltLogger(deps.logger);
    const common = {
      token: config.botToken,
      logger: boltLogger,
      clientOptions,
      // Our own messages must reach the engines (marked isSelf) for echo suppression.
      ignoreSelf: false,
      deferInitialization: true,
      ...(config.botId && config.botUserId ? { botId: config.botId, botUserId: config.botUserId } : {}),
    };
    const built =
      config.mode === 'http'
        ? new App({ ...common, receiver: httpReceiver(boltLogger) })
        : new App({ ...common, receiver: watchSocket(reportConnections(new DeferredAckSocketModeReceiver({ appToken: config.appToken ?? '', logger: boltLogger, clientOptions }))) });

    built.event('message', async ({ event, context }) => deliverInbound(event, context.retryNum, context.teamId));
    built.event('app_mention', async ({ event, context }) => deliverInbound(event, context.retryNum, context.teamId));
    for (const name of config.commandNames) {
      built.command(`/${name}`, async ({ command, ack, respond, context }) => {
        await ack();
        runCommand(command as SlackCommandPayload, respond as (message: Record<string, unknown>) => Promise<unknown>, context.retryNum);
      });
    }
    // Listener errors are logged where they happen; rethrowing keeps the event unacknowledged.
    built.error(async (error) => {
      throw error;
    });
    built.client.on(bolt.webApi.WebClientEvent.RATE_LIMITED, () => deps.metrics?.rateLimited('slack'));
    return built;
  }

  async function postParts(channelId: string, text: string, extra: Record<string, unknown>): Promise<string[]> {
    const parts = splitMessage(text, SLACK_DEFAULTS.maxMessageLength);
    if (parts.length === 0) throw new BridgeError('SLACK_EMPTY_MESSAGE', 'Refusing to post an empty message to Slack');
    const ids: string[] = [];
    for (const part of parts) {
      const result = await call('chat.postMessage', { channel: channelId, text: markdownToSlack(part), unfurl_links: false, unfurl_media: false, ...extra });
      ids.push(String(result.ts));
    }
    return ids;
  }

  return {
    platform: 'slack',
    get selfUserId() {
      return identity.botUserId;
    },
    get botId() {
      return identity.botId;
    },
    get port() {
      return port;
    },
    onEvent(next) {
      handler = next;
    },

    async start() {
      if (app) return;
      const built = buildApp();
      // init() runs auth.test (token verification) unless both ids were configured.
      await built.init().catch((error: unknown) => {
        throw toSlackError(error, 'auth.test', apiUrl);
      });
      if (!identity.botUserId || !identity.botId) {
        const auth = await built.client.auth.test().catch((error: unknown) => {
          throw toSlackError(error, 'auth.test', apiUrl);
        });
        identity.botUserId ??= auth.user_id;
        identity.botId ??= auth.bot_id;
      }
      app = built;
      try {
        const started = config.mode === 'http' ? await built.start(config.port) : await built.start();
        if (config.mode === 'http') port = ((started as Server).address() as AddressInfo).port;
        receiving = true;
      } catch (error) {
        app = undefined;
        throw new BridgeError('SLACK_START_FAILED', `Slack ${config.mode} mode did not start: ${describeError(error)}`, { cause: error, retryable: true });
      }
      logger.info({ mode: config.mode, port, botUserId: identity.botUserId }, 'slack adapter started');
    },

    async stop() {
      const running = app;
      if (!running) return;
      if (receiving) await running.stop();
      receiving = false;
      connected = false;
      // Commands acked earlier may still be answering; let them finish while the client lives.
      await Promise.allSettled([...inflight]);
      app = undefined;
      port = undefined;
      logger.info('slack adapter stopped');
    },

    // Every channel this token sees is read through this workspace's install: its team.
    async placeOfChannel() {
      const auth = (await call('auth.test', {})) as { team_id?: unknown };
      return typeof auth.team_id === 'string' ? auth.team_id : undefined;
    },

    connectionState() {
      if (!receiving) return 'idle';
      return config.mode === 'http' || connected ? 'connected' : 'disconnected';
    },

    async stopReceiving() {
      if (!app || !receiving) return;
      receiving = false;
      connected = false;
      // Bolt's stop closes the receiver only (socket or HTTP server); the Web API client lives on.
      await app.stop();
      logger.info('slack adapter stopped receiving');
    },

    async post(channel: ChannelRef, message: OutboundMessage, options: PostOptions = {}): Promise<MessageRef[]> {
      const extra = {
        ...(options.threadRootId ? { thread_ts: options.threadRootId } : {}),
        // Needs the chat:write.customize scope.
        ...(message.as ? { username: message.as.name, ...(message.as.iconUrl ? { icon_url: message.as.iconUrl } : {}) } : {}),
      };
      const ids = await postParts(channel.channelId, message.text, extra);
      return ids.map((ts) => ({ platform: 'slack', channelId: channel.channelId, messageId: ts, ...(options.threadRootId ? { threadRootId: options.threadRootId } : {}) }));
    },

    async findOwnPost(channel, message, options) {
      const method = options.threadRootId ? 'conversations.replies' : 'conversations.history';
      const read = async (args: Record<string, unknown>) => {
        const result = await call(method, args);
        const metadata = result.response_metadata as { next_cursor?: unknown } | undefined;
        const next = typeof metadata?.next_cursor === 'string' && metadata.next_cursor !== '' ? metadata.next_cursor : undefined;
        return { messages: Array.isArray(result.messages) ? (result.messages as SlackHistoryMessage[]) : [], nextCursor: next };
      };
      try {
        return await findOwnSlackPost(read, identity, channel.channelId, message, options);
      } catch (error) {
        // A thread whose root is gone holds no post of ours.
        if (slackErrorCode(error) === 'thread_not_found') return undefined;
        throw error;
      }
    },

    async readSince(channel, options) {
      const read = async (method: 'conversations.history' | 'conversations.replies', args: Record<string, unknown>) => {
        let result: Record<string, unknown>;
        try {
          result = await call(method, args);
        } catch (error) {
          // A root deleted since the history read has no replies to catch up.
          if (slackErrorCode(error) === 'thread_not_found') return { messages: [], nextCursor: undefined };
          throw error;
        }
        const metadata = result.response_metadata as { next_cursor?: unknown } | undefined;
        const next = typeof metadata?.next_cursor === 'string' && metadata.next_cursor !== '' ? metadata.next_cursor : undefined;
        return { messages: Array.isArray(result.messages) ? (result.messages as SlackHistoryEntry[]) : [], nextCursor: next };
      };
      const toMessage = async (raw: Record<string, unknown>) => {
        const event = await toInboundEvent(raw, inboundContext(undefined));
        return event?.kind === 'message' ? event : undefined;
      };
      return readSlackSince({ read, toMessage, now }, channel.channelId, options);
    },

    onConnectionChange(listener) {
      connectionListeners.push(listener);
    },

    async edit(ref, message) {
      const parts = splitMessage(message.text, SLACK_DEFAULTS.maxMessageLength);
      if (parts.length > 1) logger.warn({ messageId: ref.messageId, parts: parts.length }, 'slack edit longer than one message; keeping the first part');
      const first = parts[0];
      if (first === undefined) throw new BridgeError('SLACK_EMPTY_MESSAGE', 'Refusing to edit a Slack message to empty text');
      await call('chat.update', { channel: ref.channelId, ts: ref.messageId, text: markdownToSlack(parts.length > 1 ? `${first}\n…` : first) });
    },

    async delete(ref) {
      try {
        await call('chat.delete', { channel: ref.channelId, ts: ref.messageId });
      } catch (error) {
        // Already gone is what we wanted.
        if (slackErrorCode(error) !== 'message_not_found') throw error;
      }
    },

    async react(ref, emoji) {
      try {
        await call('reactions.add', { channel: ref.channelId, timestamp: ref.messageId, name: slackEmojiName(emoji) });
      } catch (error) {
        if (slackErrorCode(error) !== 'already_reacted') throw error;
      }
    },

    async unreact(ref, emoji) {
      try {
        await call('reactions.remove', { channel: ref.channelId, timestamp: ref.messageId, name: slackEmojiName(emoji) });
      } catch (error) {
        if (slackErrorCode(error) !== 'no_reaction') throw error;
      }
    },

    async reply(invocation: CommandInvocation, message: OutboundMessage, options: ReplyOptions = {}) {
      const ephemeral = options.ephemeral ?? true;
      const parts = splitMessage(message.text, SLACK_DEFAULTS.maxMessageLength).map(markdownToSlack);
      const record = invocations.get(invocation.eventId);
      for (const text of parts) {
        if (record) {
          await record.respond({ text, response_type: ephemeral ? 'ephemeral' : 'in_channel', replace_original: false });
        } else if (ephemeral) {
          // The response_url has expired (30 min): the Web API can still whisper.
          await call('chat.postEphemeral', { channel: invocation.channel.channelId, user: invocation.user.id, text });
        } else {
          await call('chat.postMessage', { channel: invocation.channel.channelId, text, unfurl_links: false, ...(invocation.threadRootId ? { thread_ts: invocation.threadRootId } : {}) });
        }
      }
    },
  };
}
