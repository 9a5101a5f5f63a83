/**
 * Builds the whole bridge from a validated configuration: store, rate budgets, API
 * clients, command router, platform adapters and the health server. `main.ts` runs it
 * against the real services; tests and the sandbox run the same function against the
 * loopback fakes, so there is one wiring to trust.
 */
import type { Dispatcher } from 'undici';
import { type ClusterRuntime, createClusterRuntime } from '../cluster/runtime.js';
import type { CommandRouter } from '../commands/router.js';
import type { LoadedConfig } from '../config/load.js';
import type { ChatAdapter } from '../core/chat.js';
import type { Logger } from '../core/logger.js';
import type { HealthServer } from '../health/server.js';
import { type BridgeMetrics, createBridgeMetrics } from '../metrics/registry.js';
import type { MirrorEngine } from '../mirror/engine.js';
import type { RateBudget } from '../ratelimit/types.js';
import type { BlocksClient } from '../services/blocks/index.js';
import type { FluxraClient } from '../services/fluxra/index.js';
import type { Store } from '../store/index.js';
import { createAgentPostRelay } from './agent-post-relay.js';
import { createAgentSessions } from './agent-sessions.js';
import { createBridgeHealth } from './bridge-health.js';
import { createCommands } from './commands-wiring.js';
import { createEventConsumers } from './event-consumers.js';
import { createInboundDispatch } from './inbound-dispatch.js';
import { leaderWork } from './leader-work.js';
import { createLinkChanges } from './link-changes.js';
import { createPlatformAdapters } from './platform-adapters.js';
import { connectPlatform } from './platform-connect.js';
import { type DrainReport, drainForShutdown } from './shutdown.js';
import { stopStep } from './stop-step.js';
import { createTenancyParts, warnAboutTenancy } from './tenancy.js';
import { createUpstreamTransport } from './upstream-transport.js';
import { createUpstreams } from './upstreams.js';

export interface BridgeDeps {
  logger: Logger;
  /** HTTP transport for Fluxra and Blocks; a pooled undici Agent by default. */
  dispatcher?: Dispatcher;
  /** Prometheus metrics (what /metrics serves); a bridge of its own gets one when absent. */
  metrics?: BridgeMetrics;
}

export interface Bridge {
  readonly store: Store;
  readonly fluxra: FluxraClient | undefined;
  readonly blocks: BlocksClient | undefined;
  readonly blocksBudget: RateBudget | undefined;
  readonly router: CommandRouter;
  readonly adapters: readonly ChatAdapter[];
  readonly health: HealthServer;
  /** The channel mirror (only when Fluxra is configured). */
  readonly mirror: MirrorEngine | undefined;
  /** Leadership (one leader among the replicas with a Redis URL; always this process without). */
  readonly cluster: ClusterRuntime;
  /** What /metrics serves. */
  readonly metrics: BridgeMetrics;
  /**
   * SIGTERM, first half: stops taking new work and drains the outbox within
   * `shutdown.drainTimeoutMs` (see shutdown.ts). `stop` comes after it.
   */
  drain(): Promise<DrainReport>;
  /** Connects every enabled platform and starts the health server; resolves when all are up. */
  start(): Promise<{ healthPort: number }>;
  /** Stops taking work, closes connections; safe to call twice. */
  stop(): Promise<void>;
}

export async function createBridge(loaded: LoadedConfig, deps: BridgeDeps): Promise<Bridge> {
  const logger = deps.logger;
  const metrics = deps.metrics ?? createBridgeMetrics();
  const transport = createUpstreamTransport(loaded.config, { metrics, dispatcher: deps.dispatcher });
  const ownDispatcher = transport.owned;
  // Everything opened so far, in opening order: a step that fails half-way closes these in
  // reverse before it rethrows, so that a failed start leaves no server, socket, Redis client
  // or timer behind (the process can exit, the ports and the store can be opened again).
  const opened: OpenedPart[] = ownDispatcher ? [{ what: 'HTTP dispatcher', close: () => ownDispatcher.close() }] : [];
  try {
    return await buildBridge(loaded, { logger, metrics, transport }, opened);
  } catch (error) {
    await closeInReverse(logger, opened);
    throw error;
  }
}

interface OpenedPart {
  what: string;
  close: () => Promise<unknown>;
}

/** Closes `opened` last-opened first, each step bounded, and empties it (so that it runs once). */
async function closeInReverse(logger: Logger, opened: OpenedPart[]): Promise<void> {
  for (const part of opened.splice(0).reverse()) await stopStep(logger, part.what, part.close);
}

async function buildBridge(
  loaded: LoadedConfig,
  deps: { logger: Logger; metrics: BridgeMetrics; transport: ReturnType<typeof createUpstreamTransport> },
  opened: OpenedPart[],
): Promise<Bridge> {
  const { config } = loaded;
  const { logger, metrics, transport } = deps;
  const { store, budgetRedis, fluxra, blocks, blocksBudget, blocksKey, closers } = await createUpstreams(loaded, { logger, metrics, dispatcher: transport.dispatcher });
  for (const close of closers) opened.push({ what: 'resource', close });
  if (blocksKey) transport.reportBlocksAnswersTo(blocksKey);

  // With a Redis URL one replica leads (pollers, workers, scheduler, Discord gateway) and the
  // others take events and commands into the store and wake the leader; see src/cluster/.
  const cluster = await createClusterRuntime(
    { ...(config.redis.url ? { url: config.redis.url } : {}), keyPrefix: config.redis.keyPrefix, leaderLockTtlMs: config.redis.leaderLockTtlMs },
    { logger },
  );
  opened.push({ what: 'cluster membership', close: () => cluster.stop() });
  const linkChanges = createLinkChanges(cluster);

  // Agent sessions (only with Blocks). The engine finds adapters in this map, filled once they exist.
  const sessionAdapters = new Map<ChatAdapter['platform'], ChatAdapter>();
  // Agent threads are mirrored through the mirror (built below with the event consumers).
  const agentPosts = createAgentPostRelay();
  const sessions =
    blocks && blocksBudget ? createAgentSessions(config, { store, blocks, blocksBudget, adapters: sessionAdapters, cluster, metrics, logger, agentPosts }) : undefined;
  const tenancy = createTenancyParts(config, { store, logger });
  const commandAdapters = new Map<ChatAdapter['platform'], ChatAdapter>();
  const router = createCommands(config, {
    tenancy,
    adapters: commandAdapters,
    store,
    fluxra,
    agentSessions: sessions && blocks ? { engine: sessions, blocks } : undefined,
    onLinksChanged: linkChanges.onLinksChanged,
    logger,
  });
  const { adapters, discord } = createPlatformAdapters(loaded, { commands: router.specs, logger, metrics });
  for (const adapter of adapters) opened.push({ what: `platform ${adapter.platform}`, close: () => adapter.stop() });
  for (const adapter of adapters) commandAdapters.set(adapter.platform, adapter);
  if (sessions) for (const adapter of adapters) sessionAdapters.set(adapter.platform, adapter);
  warnAboutTenancy(tenancy.tenancy, adapters, logger);

  const { consumers, mirror, catchUp } = createEventConsumers(config, { store, fluxra, sessions, adapters, cluster, linkChanges, metrics, logger });
  for (const consumer of consumers) opened.push({ what: `engine ${consumer.name}`, close: () => consumer.stop() });
  opened.push({ what: 'catch-up', close: () => catchUp.stop() });
  agentPosts.connect(mirror);
  const inbound = createInboundDispatch({ router, catchUp, consumers, metrics, logger, gate: tenancy.gate, ...(sessions ? { buttons: sessions } : {}) });
  for (const adapter of adapters) {
    adapter.onEvent((event) => inbound.dispatch(event, adapter));
  }

  let started = false;
  let stopped = false;
  const health = createBridgeHealth(config, { store, adapters, blocksKey, budgetRedis, cluster, fluxra, metrics, isStarted: () => started });
  opened.push({ what: 'health server', close: () => health.close() });
  metrics.watchOutbox(store.outbox);
  metrics.watchConnections(adapters);

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    // First: live events waiting behind a catch-up must go before the adapters close.
    // Each step is bounded: a dependency that never answers (Redis down, a socket that
    // never closes) must not keep a stopping process alive forever.
    await stopStep(logger, 'catch-up', () => catchUp.stop());
    // Stops the leader duties (when leading) and hands the lead over at once.
    await stopStep(logger, 'cluster membership', () => cluster.stop());
    for (const consumer of consumers) await stopStep(logger, `engine ${consumer.name}`, () => consumer.stop());
    for (const adapter of adapters) await stopStep(logger, `platform ${adapter.platform}`, () => adapter.stop());
    await stopStep(logger, 'health server', () => health.close());
    for (const close of closers.reverse()) await stopStep(logger, 'resource', close);
    const ownDispatcher = transport.owned;
    if (ownDispatcher) await stopStep(logger, 'HTTP dispatcher', () => ownDispatcher.close());
    if (started) logger.info('bridge stopped');
  }

  async function startParts(): Promise<{ healthPort: number }> {
    const { port } = await health.start();
    // Every replica: Slack (Socket Mode hands each envelope to one connection).
    for (const adapter of adapters) {
      if (adapter === discord) continue;
      await connectPlatform(adapter, catchUp, logger);
    }
    // The leader only (always this process without Redis): see leader-work.ts.
    await cluster.start(leaderWork({ discord, catchUp, commands: router.specs, store, owners: tenancy.owners, adapters, consumers, mirror, sessions, logger }));
    started = true;
    logger.info({ healthPort: port, platforms: adapters.map((a) => a.platform), role: cluster.status().role }, 'bridge started');
    return { healthPort: port };
  }

  return {
    store,
    fluxra,
    blocks,
    blocksBudget,
    router,
    adapters,
    health,
    mirror,
    metrics,
    async drain() {
      inbound.refuseCommands();
      return drainForShutdown({
        health,
        adapters,
        outbox: store.outbox,
        ...(sessions ? { idle: [() => sessions.idle()] } : {}),
        // A follower delivers nothing: waiting for the leader to empty the shared outbox would only delay its exit.
        timeoutMs: cluster.status().role === 'leader' ? config.shutdown.drainTimeoutMs : 0,
        logger,
      });
    },
    cluster,
    async start() {
      try {
        return await startParts();
      } catch (error) {
        // A step that failed half-way (a port in use, a refused token) closes what the
        // bridge opened, as `stop` does, so that a caller who only rethrows leaks nothing.
        await stop();
        throw error;
      }
    },
    stop,
  };
}
