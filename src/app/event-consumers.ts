/**
 * The engines that consume platform events (agent sessions, and the channel mirror with
 * Fluxra), and the catch-up in front of them that feeds them what arrived while the bridge
 * was down.
 */
import { type CatchUp, createCatchUp, createCatchUpCheckpoints, createRecentMessages, linkedChannels, servedChannelSources } from '../catch-up/index.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { BridgeConfig } from '../config/schema.js';
import type { ChatAdapter } from '../core/chat.js';
import type { AdapterDirectory, InboundConsumer } from '../core/consumer.js';
import type { Logger } from '../core/logger.js';
import type { BridgeMetrics } from '../metrics/registry.js';
import { createMirrorEngine, type MirrorEngine } from '../mirror/engine.js';
import type { FluxraClient } from '../services/fluxra/index.js';
import type { SessionEngine } from '../sessions/engine.js';
import type { Store } from '../store/index.js';
import type { LinkChanges } from './link-changes.js';

export interface EventConsumers {
  /** In the order they take each event, start and stop. */
  readonly consumers: InboundConsumer[];
  readonly mirror: MirrorEngine | undefined;
  readonly catchUp: CatchUp;
}

export interface EventConsumersParts {
  store: Store;
  fluxra: FluxraClient | undefined;
  sessions: SessionEngine | undefined;
  adapters: readonly ChatAdapter[];
  cluster: Pick<ClusterRuntime, 'mayWork' | 'publish'>;
  linkChanges: Pick<LinkChanges, 'listen'>;
  metrics: BridgeMetrics;
  logger: Logger;
}

export function createEventConsumers(config: Readonly<BridgeConfig>, parts: EventConsumersParts): EventConsumers {
  const { store, fluxra, sessions, adapters, cluster, linkChanges, metrics, logger } = parts;
  const directory: AdapterDirectory = new Map(adapters.map((adapter) => [adapter.platform, adapter] as const));
  // Engines that consume platform events (mirror, agent sessions) join here.
  const consumers: InboundConsumer[] = [];
  if (sessions) consumers.push(sessions);
  // The channel mirror (only with Fluxra): platform → Fluxra and the cross-posts, and the poller back.
  let mirror: MirrorEngine | undefined;
  if (fluxra && config.fluxra.agentId) {
    const engine = createMirrorEngine({
      store,
      fluxra,
      adapters: directory,
      config: config.mirror,
      selfAgentId: config.fluxra.agentId,
      metrics,
      logger,
      mayWork: cluster.mayWork,
      onEnqueued: (partition) => cluster.publish({ kind: 'mirror', partition }),
    });
    // A link made, resumed or unpaused by a command: waiting items go at once.
    linkChanges.listen((channels) => {
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
    recent: createRecentMessages({ store, logger, lookbackMs: config.catchUp.changesLookbackMs }),
    consumers,
    settings: config.catchUp,
    logger,
  });
  return { consumers, mirror, catchUp };
}
