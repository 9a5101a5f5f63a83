/**
 * The Bolt side of the Slack adapter: the App with its receiver (Socket Mode with deferred
 * acks, or HTTP refusing stale requests), its listeners, the bot's identity, and the cached
 * lookups of people and channels.
 */

import type { webApi } from '@slack/bolt';
import bolt from '@slack/bolt';
import type { ConnectionChange } from '../../core/chat.js';
import { BridgeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { UpstreamMetrics } from '../../core/metrics-hooks.js';
import type { BoltAssistant } from './assistant.js';
import { createBoltLogger } from './bolt-logger.js';
import { createSlackChannelPrivacy } from './channel-privacy.js';
import { SLACK_DEFAULTS, type SlackAdapterConfig } from './config.js';
import { clientMayRepeat, slackErrorCode, toSlackError, UNREPEATABLE_METHODS } from './errors.js';
import type { SlackCommandPayload, SlackIdentity } from './inbound.js';
import type { SlackCall } from './outbound.js';
import { refuseStaleOrFutureRequests } from './request-freshness.js';
import { DeferredAckSocketModeReceiver } from './socket-mode-receiver.js';
import { createSlackUserDirectory } from './users.js';

// Bolt is CommonJS: its classes come off the default export.
const { App, HTTPReceiver } = bolt;
export type BoltApp = InstanceType<typeof App>;

export interface SlackAppHooks {
  clientOptions: webApi.WebClientOptions;
  logger: Logger;
  now: () => number;
  /** Runs inside Bolt's listener: a rejection leaves the event unacknowledged. */
  onInbound(raw: unknown, retryNum: unknown, teamId: string | undefined): Promise<void>;
  /** A slash command, already acked (Slack wants that within 3 s). */
  onCommand(payload: SlackCommandPayload, respond: (message: Record<string, unknown>) => Promise<unknown>, retryNum: unknown): void;
  /** A `block_actions` click, already acked; `respond` posts to its response_url. */
  onButton(body: unknown, respond: (message: Record<string, unknown>) => Promise<unknown>): void;
  /** A `view_submission`, already acked (which closes the modal). */
  onForm(body: unknown): void;
  /** Socket Mode: the socket is up (true) or not (the client reconnects by itself). */
  onSocketState(up: boolean): void;
  /** Socket Mode: Slack ended the link for good (`link_disabled`); the client no longer reconnects. */
  onLinkStopped(reason: string): void;
  onConnectionChange(change: ConnectionChange): void;
  onRateLimited(): void;
  /** Slack's side pane (Bolt's `Assistant`), when enabled: it takes the DM thread messages. */
  assistant?: BoltAssistant;
}

/** HTTP mode: Bolt's receiver, refusing requests stamped more than 5 min from now either way. */
function httpReceiver(config: SlackAdapterConfig, hooks: SlackAppHooks, boltLogger: ReturnType<typeof createBoltLogger>): InstanceType<typeof HTTPReceiver> {
  const receiver = new HTTPReceiver({ signingSecret: config.signingSecret ?? '', processBeforeResponse: true, endpoints: '/slack/events', logger: boltLogger });
  const logger = hooks.logger.child({ component: 'slack' });
  return refuseStaleOrFutureRequests(receiver, {
    now: hooks.now,
    onRefused: (verdict, req) => logger.warn({ verdict, path: req.url?.split('?')[0] }, 'refused a Slack request whose timestamp is more than 5 minutes from now'),
  });
}

/** Socket Mode: Bolt's receiver with deferred acks, its connection state reported. */
function socketReceiver(config: SlackAdapterConfig, hooks: SlackAppHooks, boltLogger: ReturnType<typeof createBoltLogger>): DeferredAckSocketModeReceiver {
  const receiver = new DeferredAckSocketModeReceiver({ appToken: config.appToken ?? '', logger: boltLogger, clientOptions: hooks.clientOptions });
  receiver.onConnectionChange((change) => hooks.onConnectionChange(change));
  receiver.client.on('connected', () => hooks.onSocketState(true));
  for (const state of ['connecting', 'reconnecting', 'disconnected']) receiver.client.on(state, () => hooks.onSocketState(false));
  receiver.client.on('final_disconnect', (reason: string) => hooks.onLinkStopped(reason));
  return receiver;
}

export function buildSlackApp(config: SlackAdapterConfig, hooks: SlackAppHooks): BoltApp {
  const boltLogger = createBoltLogger(hooks.logger);
  const common = {
    token: config.botToken,
    logger: boltLogger,
    clientOptions: hooks.clientOptions,
    // Our own messages must reach the engines (marked isSelf) for echo suppression.
    ignoreSelf: false,
    deferInitialization: true,
    ...(config.botId && config.botUserId ? { botId: config.botId, botUserId: config.botUserId } : {}),
  };
  const receiver = config.mode === 'http' ? httpReceiver(config, hooks, boltLogger) : socketReceiver(config, hooks, boltLogger);
  const built = new App({ ...common, receiver });

  // Global middleware: it runs before the listeners below and keeps the pane's events from them.
  if (hooks.assistant) built.assistant(hooks.assistant);
  built.event('message', async ({ event, context }) => hooks.onInbound(event, context.retryNum, context.teamId));
  built.event('app_mention', async ({ event, context }) => hooks.onInbound(event, context.retryNum, context.teamId));
  for (const name of config.commandNames) {
    built.command(`/${name}`, async ({ command, ack, respond, context }) => {
      await ack();
      hooks.onCommand(command as SlackCommandPayload, respond as (message: Record<string, unknown>) => Promise<unknown>, context.retryNum);
    });
  }
  // Buttons and forms are acked at once (Slack wants it within 3 s) and answered later, as commands are.
  built.action({ type: 'block_actions' }, async ({ ack, body, respond }) => {
    await ack();
    hooks.onButton(body, respond as (message: Record<string, unknown>) => Promise<unknown>);
  });
  built.view({ type: 'view_submission', callback_id: /.+/ }, async ({ ack, body }) => {
    await ack();
    hooks.onForm(body);
  });
  // Listener errors are logged where they happen; rethrowing keeps the event unacknowledged.
  built.error(async (error) => {
    throw error;
  });
  built.client.on(bolt.webApi.WebClientEvent.RATE_LIMITED, () => hooks.onRateLimited());
  return built;
}

/** Verifies the token (init runs auth.test unless both ids were configured) and fills in the bot's ids. */
export async function initialiseIdentity(built: BoltApp, identity: SlackIdentity, apiUrl: string): Promise<void> {
  await built.init().catch((error: unknown) => {
    throw toSlackError(error, 'auth.test', apiUrl);
  });
  if (identity.botUserId && identity.botId) return;
  const auth = await built.client.auth.test().catch((error: unknown) => {
    throw toSlackError(error, 'auth.test', apiUrl);
  });
  identity.botUserId ??= auth.user_id;
  identity.botId ??= auth.bot_id;
}

/** The cached lookups of people (names, privileges) and channels (privacy). */
export function createSlackLookups(call: SlackCall, logger: Logger, now: () => number) {
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
  return { users, channels };
}

/** The Web API base (with its trailing slash) and the client's options (retries with backoff). */
export function slackClientSetup(config: SlackAdapterConfig): { apiUrl: string; clientOptions: webApi.WebClientOptions } {
  const apiUrl = config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
  const retries = config.clientRetries ?? SLACK_DEFAULTS.clientRetries;
  return { apiUrl, clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries, factor: 2, minTimeout: 500, maxTimeout: 30_000 } } };
}

/** One Web API call through the started app, its errors mapped and counted. */
export function createSlackCall(
  app: () => BoltApp | undefined,
  setup: { apiUrl: string; clientOptions: webApi.WebClientOptions; logger: Logger },
  metrics: UpstreamMetrics | undefined,
): SlackCall {
  const { apiUrl, clientOptions } = setup;
  // Unrepeatable methods go through a client of their own that repeats only what Slack surely
  // did not do (see `clientMayRepeat`); its retries are the app client's otherwise.
  let unrepeatable: { for: BoltApp; client: webApi.WebClient } | undefined;
  const clientFor = (running: BoltApp, method: string): webApi.WebClient => {
    if (!UNREPEATABLE_METHODS.has(method)) return running.client;
    if (unrepeatable?.for !== running) {
      // The client hands `retryConfig` to p-retry as is; its type omits p-retry's `onFailedAttempt`,
      // whose throw ends the retries and reaches the caller as the error.
      const retryConfig: webApi.RetryOptions & { onFailedAttempt: (error: Error) => void } = {
        ...(clientOptions.retryConfig ?? { retries: 0 }),
        onFailedAttempt: (error) => {
          if (!clientMayRepeat(error)) throw error;
        },
      };
      const client = new bolt.webApi.WebClient(running.client.token, { ...clientOptions, logger: createBoltLogger(setup.logger), retryConfig });
      unrepeatable = { for: running, client };
    }
    return unrepeatable.client;
  };
  return async (method, args) => {
    const running = app();
    if (!running) throw new BridgeError('SLACK_NOT_STARTED', `Slack adapter used before start() (${method})`);
    try {
      return (await clientFor(running, method).apiCall(method, args)) as unknown as Record<string, unknown>;
    } catch (error) {
      const mapped = toSlackError(error, method, apiUrl);
      metrics?.error('slack', slackErrorCode(mapped) ?? (mapped.status > 0 ? String(mapped.status) : mapped.code));
      throw mapped;
    }
  };
}
