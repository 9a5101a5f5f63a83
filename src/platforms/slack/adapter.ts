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

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatAdapter, InboundHandler } from '../../core/chat.js';
import { BridgeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { UpstreamMetrics } from '../../core/metrics-hooks.js';
import { registerSecret } from '../../core/redact.js';
import { type BoltAssistant, createPaneAssistant } from './assistant.js';
import { createAssistantThreads } from './assistant-threads.js';
import { type BoltApp, buildSlackApp, createSlackCall, createSlackLookups, initialiseIdentity, slackClientSetup } from './bolt-app.js';
import { SLACK_DEFAULTS, type SlackAdapterConfig, validateSlackAdapterConfig } from './config.js';
import { createSlackConnection } from './connection.js';
import type { InboundContext, SlackIdentity } from './inbound.js';
import { createInvocationRegistry } from './invocations.js';
import { createSlackListeners } from './listeners.js';
import { createSlackOutbound } from './outbound.js';
import { createSlackProgress } from './progress.js';

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
  for (const secret of [config.botToken, config.appToken, config.signingSecret]) registerSecret(secret);
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'slack' });
  const { apiUrl, clientOptions } = slackClientSetup(config);
  const identity: SlackIdentity = { botUserId: config.botUserId, botId: config.botId };
  const invocations = createInvocationRegistry({ ttlMs: SLACK_DEFAULTS.invocationTtlMs, maxEntries: SLACK_DEFAULTS.maxInvocations, now });
  let handler: InboundHandler | undefined;
  let app: BoltApp | undefined;
  let port: number | undefined;
  const connection = createSlackConnection(config.mode, logger);

  const call = createSlackCall(() => app, { apiUrl, clientOptions, logger: deps.logger }, deps.metrics);
  const { users, channels } = createSlackLookups(call, logger, now);

  function inboundContext(retryNum: unknown, teamId?: string, inPane?: boolean): InboundContext {
    return { identity, users, channels, retryNum: typeof retryNum === 'number' && retryNum > 0 ? retryNum : undefined, now, teamId, ...(inPane ? { inPane } : {}) };
  }

  const listeners = createSlackListeners({ contextOf: inboundContext, handler: () => handler, invocations, logger });
  const paneThreads = createAssistantThreads(call);
  const paneConfig = config.assistant;
  const paneAssistant = (): BoltAssistant | undefined =>
    paneConfig === undefined
      ? undefined
      : createPaneAssistant({
          config: paneConfig,
          threads: paneThreads,
          logger,
          botUserId: () => identity.botUserId,
          deliver: (raw, retryNum, teamId) => listeners.deliverInbound(raw, retryNum, teamId, true),
        });

  const buildApp = (): BoltApp =>
    buildSlackApp(config, {
      clientOptions,
      logger: deps.logger,
      now,
      onInbound: listeners.deliverInbound,
      onCommand: listeners.runCommand,
      onButton: listeners.runButton,
      onForm: listeners.runForm,
      onSocketState: connection.onSocketState,
      onLinkStopped: connection.onLinkStopped,
      onConnectionChange: connection.emit,
      onRateLimited: () => deps.metrics?.rateLimited('slack'),
      ...(paneConfig !== undefined ? { assistant: paneAssistant() } : {}),
    });

  const outbound = createSlackOutbound({
    call,
    identity,
    invocations,
    toMessage: listeners.toMessage,
    logger,
    now,
  });

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
      await initialiseIdentity(built, identity, apiUrl);
      app = built;
      try {
        const started = config.mode === 'http' ? await built.start(config.port) : await built.start();
        if (config.mode === 'http') port = ((started as Server).address() as AddressInfo).port;
        connection.started();
      } catch (error) {
        app = undefined;
        throw new BridgeError('SLACK_START_FAILED', `Slack ${config.mode} mode did not start: ${describeError(error)}`, { cause: error, retryable: true });
      }
      logger.info({ mode: config.mode, port, botUserId: identity.botUserId }, 'slack adapter started');
    },

    async stop() {
      const running = app;
      if (!running) return;
      if (connection.receiving) await running.stop();
      connection.stopped();
      // Commands acked earlier may still be answering; let them finish while the client lives.
      await Promise.allSettled(listeners.inFlight());
      app = undefined;
      port = undefined;
      logger.info('slack adapter stopped');
    },

    // Every channel this token sees is read through this workspace's install: its team.
    async placeOfChannel() {
      const auth = (await call('auth.test', {})) as { team_id?: unknown };
      return typeof auth.team_id === 'string' ? auth.team_id : undefined;
    },

    connectionState: connection.state,
    connectionProblem: connection.problem,

    async stopReceiving() {
      if (!app || !connection.receiving) return;
      connection.stopped();
      // Bolt's stop closes the receiver only (socket or HTTP server); the Web API client lives on.
      await app.stop();
      logger.info('slack adapter stopped receiving');
    },

    onConnectionChange: connection.subscribe,

    progress: createSlackProgress(call, paneThreads),
    // A pane thread (the app's DM, the thread's root ts) is titled in the pane's history.
    async titleThread(thread, title) {
      await paneThreads.setTitle({ channelId: thread.channelId, threadTs: thread.threadRootId ?? thread.messageId }, title);
    },

    ...outbound,
  };
}
