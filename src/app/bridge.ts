/**
 * Builds the whole bridge from a validated configuration: store, rate budgets, API
 * clients, command router, platform adapters and the health server. `main.ts` runs it
 * against the real services; tests and the sandbox run the same function against the
 * loopback fakes, so there is one wiring to trust.
 */
import { Agent, type Dispatcher } from 'undici';
import type { LoadedConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import { createHealthServer, type HealthServer } from '../health/server.js';
import type { Logger } from '../logger.js';
import type { ChannelRef, ChatAdapter, InboundEvent } from '../platforms/types.js';
import { createSlackAdapter } from '../platforms/slack/index.js';
import { createDiscordAdapter, type DiscordAdapter } from '../platforms/discord/index.js';
import { createBudgetRedis, type BudgetRedis } from '../ratelimit/budget-redis.js';
import { createBlocksBudget } from '../ratelimit/blocks-budget.js';
import { createFluxraBudget } from '../ratelimit/fluxra-budget.js';
import type { RateBudget } from '../ratelimit/types.js';
import { createFluxraClient, type FluxraClient } from '../services/fluxra/index.js';
import { fluxraClientOptionsFromConfig } from '../services/fluxra/from-config.js';
import { createBlocksClient, type BlocksClient } from '../services/blocks/index.js';
import { createStore, type Store } from '../store/index.js';
import { createCommandRouter, type CommandRouter } from '../commands/router.js';
import { createBlockCommand } from '../commands/block.js';
import { createBridgeCommand } from '../commands/bridge.js';
import { LINK_STATUS_KV } from '../commands/bridge-link-status.js';
import { createPermissions } from '../commands/permissions.js';
import { channelLinksFromStore } from '../commands/channel-links.js';
import type { CommandHandler } from '../commands/types.js';
import { createAgentCommand } from '../commands/agent.js';
import { createSessionEngine, type SessionEngine } from '../sessions/engine.js';
import { createTurnScheduler } from '../sessions/scheduler.js';
import { createMirrorEngine, type MirrorEngine } from '../mirror/engine.js';
import type { AdapterDirectory, InboundConsumer } from './consumer.js';
import { createCatchUp, createCatchUpCheckpoints, linkedChannels, servedChannelSources } from '../catch-up/index.js';
import { drainForShutdown, type DrainReport } from './shutdown.js';
import { createBridgeMetrics, type BridgeMetrics } from '../metrics/registry.js';
import { observeDispatcher, servicesByOrigin } from '../metrics/http-observer.js';
import { BLOCKS_PROBE_SESSION_ID, createBlocksKeyState, type BlocksKeyState } from '../health/blocks-key.js';
import { registerReadinessChecks } from '../health/readiness.js';
import { newRequestId } from '../logger.js';
import { createClusterRuntime, type ClusterRuntime } from '../cluster/runtime.js';
import type { Duty } from '../cluster/leader-duties.js';
import { restartableAdapter } from '../cluster/restartable-adapter.js';

/** How long one shutdown step (an engine, a platform, a connection) may take. */
const STOP_STEP_BOUND_MS = 10_000;

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
  const { config, enabled } = loaded;
  const logger = deps.logger;
  const ownsDispatcher = deps.dispatcher === undefined;
  const baseDispatcher = deps.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const metrics = deps.metrics ?? createBridgeMetrics();
  // Set once the Blocks client exists: readiness of the key is judged from Blocks' answers.
  let blocksKey: BlocksKeyState | undefined;
  // Every Fluxra and Blocks answer is counted here, retries included (see metrics/http-observer.ts).
  const dispatcher = observeDispatcher(baseDispatcher, {
    serviceOf: servicesByOrigin([
      ['fluxra', config.fluxra.baseUrl],
      ['blocks', config.blocks.baseUrl],
    ]),
    onOutcome(service, outcome) {
      if (outcome.kind === 'network') metrics.error(service, outcome.code);
      else if (outcome.status >= 400) metrics.error(service, String(outcome.status));
      if (outcome.kind === 'status' && outcome.status === 429) metrics.rateLimited(service);
      if (service === 'blocks') blocksKey?.record(outcome);
    },
  });
  const closers: Array<() => Promise<void>> = [];

  const store = await createStore({ path: config.store.path, sqliteSynchronous: config.store.sqliteSynchronous, ...(config.redis.url ? { redisUrl: config.redis.url, namespacePrefix: config.redis.keyPrefix } : {}) }, { logger });
  closers.push(() => store.close());

  let budgetRedis: BudgetRedis | undefined;
  if (config.redis.url) {
    budgetRedis = await createBudgetRedis({ url: config.redis.url, logger });
    closers.push(() => (budgetRedis as BudgetRedis).close());
  }

  let fluxra: FluxraClient | undefined;
  if (enabled.fluxra && config.fluxra.agentId) {
    const budget = await createFluxraBudget({
      apiKey: config.fluxra.agentId,
      rateLimit: config.fluxra.rateLimit,
      ...(budgetRedis ? { redis: budgetRedis, idPrefix: config.redis.keyPrefix } : {}),
      logger,
    });
    closers.push(() => budget.close());
    metrics.watchBudget('fluxra', budget);
    fluxra = createFluxraClient(fluxraClientOptionsFromConfig(config.fluxra, { dispatcher, budget, logger: logger.child({ component: 'fluxra' }) }));
  }

  let blocks: BlocksClient | undefined;
  let blocksBudget: RateBudget | undefined;
  if (enabled.blocks && config.blocks.apiKey) {
    blocksBudget = await createBlocksBudget({
      apiKey: config.blocks.apiKey,
      rateLimit: config.blocks.rateLimit,
      ...(budgetRedis ? { redis: budgetRedis, idPrefix: config.redis.keyPrefix } : {}),
      logger,
    });
    metrics.watchBudget('blocks', blocksBudget);
    const budgetToClose = blocksBudget;
    closers.push(() => budgetToClose.close());
    blocks = createBlocksClient({
      baseUrl: config.blocks.baseUrl,
      apiKey: config.blocks.apiKey,
      dispatcher,
      budget: blocksBudget,
      requestTimeoutMs: config.blocks.requestTimeoutMs,
      agentAliases: config.blocks.agentAliases,
      backoffMs: config.blocks.rateLimit.backoffMs,
      maxBackoffMs: config.blocks.rateLimit.maxBackoffMs,
      logger: logger.child({ component: 'blocks' }),
    });
    const probeClient = blocks;
    // Only a long silence from Blocks costs a readiness probe (one background request).
    blocksKey = createBlocksKeyState({ probe: () => probeClient.getSession(BLOCKS_PROBE_SESSION_ID, { priority: 'background' }) });
  }

  // With a Redis URL one replica leads (pollers, workers, scheduler, Discord gateway) and the
  // others take events and commands into the store and wake the leader; see src/cluster/.
  const cluster = await createClusterRuntime(
    { ...(config.redis.url ? { url: config.redis.url } : {}), keyPrefix: config.redis.keyPrefix, leaderLockTtlMs: config.redis.leaderLockTtlMs },
    { logger },
  );

  // Told when /bridge or /block links, unlinks, pauses or resumes channels: the mirror engine
  // pushes its wake-up here so that it acts at once rather than on its next pass.
  const linkListeners: Array<(channels: ChannelRef[]) => void> = [];
  const onLinksChanged = (channels: ChannelRef[]): void => {
    for (const listener of linkListeners) listener(channels);
    // The command may have run on a follower: the leader's mirror is the one to wake.
    cluster.publish({ kind: 'links', channels });
  };

  const handlers: CommandHandler<never>[] = [];
  // /bridge is registered after /block, once the session engine (its agent half) exists.
  let bridgeCommandAt = handlers.length;
  if (fluxra && config.fluxra.agentId) {
    const channelLinks = channelLinksFromStore(store.links);
    handlers.push(createBlockCommand({ name: config.commands.block, fluxra, channelLinks, linkPauses: channelLinks, onLinksChanged }) as CommandHandler<never>);
    bridgeCommandAt = handlers.length;
  } else {
    logger.warn('Fluxra credentials are not configured: /%s and the Fluxra links of /%s are not offered', config.commands.block, config.commands.bridge);
  }
  // Agent sessions (only with Blocks). The engine finds adapters in this map, filled once they exist.
  const sessionAdapters = new Map<ChatAdapter['platform'], ChatAdapter>();
  let sessions: SessionEngine | undefined;
  if (blocks && blocksBudget) {
    const sessionsBudget = blocksBudget;
    const sessionsClient = blocks;
    sessions = createSessionEngine({
      store,
      blocks: sessionsClient,
      budget: sessionsBudget,
      adapters: sessionAdapters,
      settings: { sessions: config.sessions, defaultAgent: config.blocks.defaultAgent, commandName: config.commands.agent, blocksBaseUrl: config.blocks.baseUrl },
      createScheduler: (poll) => createTurnScheduler({ budget: sessionsBudget, config: config.sessions, rateLimit: config.blocks.rateLimit,
          logger,
          poll: async (turnId) => {
            const outcome = await poll(turnId);
            if (outcome === 'done') metrics.turnFinished();
            return outcome;
          },
        }),
      logger,
      mayWork: cluster.mayWork,
      onEnqueued: (partition) => cluster.publish({ kind: 'sessions', partition }),
    });
    handlers.push(
      createAgentCommand({ name: config.commands.agent, bridgeCommandName: config.commands.bridge, engine: sessions, resolveAgent: (name) => sessionsClient.resolveAgent(name) }) as CommandHandler<never>,
    );
  } else {
    logger.warn('Blocks is not configured: /%s and agent mentions are not offered', config.commands.agent);
  }
  if ((fluxra && config.fluxra.agentId) || sessions) {
    const bridgeCommand = createBridgeCommand({
      name: config.commands.bridge,
      blockCommandName: config.commands.block,
      agentId: config.fluxra.agentId ?? '',
      fluxra: fluxra && config.fluxra.agentId ? fluxra : undefined,
      links: store.links,
      cursors: store.cursors,
      linkStatus: store.kv(LINK_STATUS_KV),
      onLinksChanged,
      // Channels bound to an agent (issue 8): `/bridge link agent`, `/bridge unlink agent`, status.
      ...(sessions ? { agents: { control: sessions.channels, agentCommand: config.commands.agent, mode: config.sessions.boundChannelMode } } : {}),
    });
    handlers.splice(bridgeCommandAt, 0, bridgeCommand as CommandHandler<never>);
  }
  const router = createCommandRouter({ handlers, permissions: createPermissions(config.permissions), logger: logger.child({ component: 'commands' }) });

  const adapters: ChatAdapter[] = [];
  let discord: DiscordAdapter | undefined;
  if (enabled.slack && config.slack.botToken) {
    adapters.push(
      createSlackAdapter(
        {
          botToken: config.slack.botToken,
          ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
          ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
          mode: config.slack.mode,
          port: config.slack.port,
          apiUrl: config.slack.apiUrl,
          commandNames: router.specs.map((spec) => spec.name),
        },
        { logger: logger.child({ component: 'slack' }), metrics },
      ),
    );
  }
  if (enabled.discord && config.discord.token) {
    // Restartable: a replica that loses the lead stops its gateway and may lead again later.
    const discordToken = config.discord.token;
    discord = restartableAdapter(() =>
      createDiscordAdapter(
        {
          token: discordToken,
          ...(config.discord.applicationId ? { applicationId: config.discord.applicationId } : {}),
          ...(config.discord.guildId ? { guildId: config.discord.guildId } : {}),
          apiUrl: config.discord.apiUrl,
          globalRequestsPerSecond: config.discord.globalRequestsPerSecond,
          commands: [...router.specs],
        },
        { logger: logger.child({ component: 'discord' }), metrics },
      ),
    );
    adapters.push(discord);
  }
  if (adapters.length === 0) logger.warn('no chat platform has credentials: nothing to bridge (see the README, Configuration)');

  const directory: AdapterDirectory = new Map(adapters.map((adapter) => [adapter.platform, adapter] as const));
  // Engines that consume platform events (mirror, agent sessions) join here.
  const consumers: InboundConsumer[] = [];
  if (sessions) {
    for (const adapter of adapters) sessionAdapters.set(adapter.platform, adapter);
    consumers.push(sessions);
  }
  // The channel mirror (only with Fluxra): platform → Fluxra and the cross-posts, and the poller back.
  let mirror: MirrorEngine | undefined;
  if (fluxra && config.fluxra.agentId) {
    const engine = createMirrorEngine({
      store,
      fluxra,
      adapters: directory,
      config: config.mirror,
      selfAgentId: config.fluxra.agentId, metrics,
      logger,
      mayWork: cluster.mayWork,
      onEnqueued: (partition) => cluster.publish({ kind: 'mirror', partition }),
    });
    // A link made, resumed or unpaused by a command: waiting items go at once.
    linkListeners.push((channels) => {
      for (const channel of channels) engine.wake(channel);
    });
    consumers.push(engine);
    mirror = engine;
  }

  // Catch-up after downtime (src/catch-up/): what the platforms will not redeliver is read
  // back from history and handed to the consumers before the channel's live events.
  const catchUp = createCatchUp({
    adapters,
    sources: [...(mirror ? [linkedChannels(store.links)] : []), ...servedChannelSources(consumers)],
    checkpoints: createCatchUpCheckpoints({ store, logger }),
    accept: async (event, adapter) => {
      for (const consumer of consumers) await consumer.accept(event, adapter);
    },
    settings: config.catchUp,
    logger,
  });

  for (const adapter of adapters) {
    adapter.onEvent((event) => dispatchEvent(event, adapter));
  }

  /** Set by `drain`: commands that still arrive are answered instead of run. */
  let draining = false;
  async function dispatchEvent(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
    metrics.inbound(event.platform, event.kind);
    // One id per inbound event or command, carried by the lines written about it here.
    const log = logger.child({ reqId: newRequestId(), platform: event.platform, eventId: event.eventId });
    if (event.kind === 'command') {
      if (draining) {
        log.info({ command: event.command }, 'command refused: shutting down');
        await adapter.reply(event, { text: 'The bridge is shutting down; please try again in a moment.' });
        return;
      }
      log.debug({ command: event.command }, 'command received');
      await router.handle(event, adapter);
      return;
    }
    // Every consumer persists what it takes before this resolves; the platform acks after.
    try {
      await catchUp.accept(event, adapter);
    } catch (error) {
      log.warn({ kind: event.kind, err: describeError(error) }, 'inbound event not accepted; the platform will deliver it again');
      throw error;
    }
    log.debug({ kind: event.kind }, 'inbound event accepted');
    if (consumers.length === 0) logger.debug({ platform: event.platform, kind: event.kind, eventId: event.eventId }, 'event not routed');
  }

  const health = createHealthServer(config.health, { metrics });
  // store, the platforms' connections, the Blocks key and Redis (Fluxra's token just below).
  registerReadinessChecks(health, { store, adapters, ...(blocksKey ? { blocksKey } : {}), ...(budgetRedis ? { redis: budgetRedis } : {}) });
  health.setCheck('started', async () => {
    if (!started) throw new Error('starting');
  });
  metrics.watchOutbox(store.outbox);
  metrics.watchConnections(adapters);
  if (cluster.leadership.mode === 'clustered') health.setCheck('cluster', () => cluster.ping());
  if (fluxra) {
    const client = fluxra;
    health.setCheck('fluxra', async () => {
      await client.exchangeToken();
    });
  }

  /** Runs one shutdown step, logging (not throwing) when it fails or outlasts its bound. */
  async function stopStep(what: string, work: () => Promise<unknown>, boundMs = STOP_STEP_BOUND_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outlasted = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), boundMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([work().then(() => 'done' as const), outlasted]);
      if (outcome === 'timeout') logger.warn({ step: what, boundMs }, 'shutdown step did not finish in time; going on without it');
    } catch (error) {
      logger.warn({ step: what, err: describeError(error) }, 'shutdown step failed');
    } finally {
      clearTimeout(timer);
    }
  }

  let started = false;
  let stopped = false;
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
      draining = true;
      const sessionEngine = sessions;
      return drainForShutdown({
        health,
        adapters,
        outbox: store.outbox,
        ...(sessionEngine ? { idle: [() => sessionEngine.idle()] } : {}),
        // A follower delivers nothing: waiting for the leader to empty the shared outbox would only delay its exit.
        timeoutMs: cluster.status().role === 'leader' ? config.shutdown.drainTimeoutMs : 0,
        logger,
      });
    },
    cluster,
    async start() {
      const { port } = await health.start();
      // Every replica: Slack (Socket Mode hands each envelope to one connection).
      for (const adapter of adapters) {
        if (adapter === discord) continue;
        catchUp.starting(adapter);
        await adapter.start();
        catchUp.started(adapter);
        logger.info({ platform: adapter.platform, selfUserId: adapter.selfUserId }, 'platform connected');
      }
      // The leader only (always this process without Redis), in this order.
      const duties: Duty[] = [];
      if (discord) {
        const gateway = discord;
        duties.push({
          name: 'discord-gateway',
          async start() {
            catchUp.starting(gateway);
            await gateway.start();
            catchUp.started(gateway);
            logger.info({ platform: gateway.platform, selfUserId: gateway.selfUserId }, 'platform connected');
            if (router.specs.length === 0) return;
            try {
              await gateway.registerCommands([...router.specs]);
            } catch (error) {
              // Commands stay as they were registered last time; the bridge still runs.
              logger.error({ err: describeError(error) }, 'Discord command registration failed');
            }
          },
          stop: () => gateway.stop(),
        });
      }
      for (const consumer of consumers) duties.push({ name: consumer.name, start: () => consumer.start(), stop: () => consumer.stop() });
      await cluster.start({
        duties,
        // The safety net under the wake-ups: whatever is queued gets looked at.
        async scan() {
          await mirror?.rescan();
          await sessions?.rescan();
        },
        targets: { ...(mirror ? { mirror } : {}), ...(sessions ? { sessions } : {}) },
      });
      started = true;
      logger.info({ healthPort: port, platforms: adapters.map((a) => a.platform), role: cluster.status().role }, 'bridge started');
      return { healthPort: port };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // First: live events waiting behind a catch-up must go before the adapters close.
      // Each step is bounded: a dependency that never answers (Redis down, a socket that
      // never closes) must not keep a stopping process alive forever.
      await stopStep('catch-up', () => catchUp.stop());
      // Stops the leader duties (when leading) and hands the lead over at once.
      await stopStep('cluster membership', () => cluster.stop());
      for (const consumer of consumers) await stopStep(`engine ${consumer.name}`, () => consumer.stop());
      for (const adapter of adapters) await stopStep(`platform ${adapter.platform}`, () => adapter.stop());
      await stopStep('health server', () => health.close());
      for (const close of closers.reverse()) await stopStep('resource', close);
      if (ownsDispatcher) await stopStep('HTTP dispatcher', () => baseDispatcher.close());
      if (started) logger.info('bridge stopped');
    },
  };
}
