/**
 * The agent session engine (only with Blocks): `/agent`, agent mentions and channels bound
 * to an agent, with the turn scheduler that polls Blocks for the answers.
 */

import type { ClusterRuntime } from '../cluster/runtime.js';
import type { BridgeConfig } from '../config/schema.js';
import type { AgentPostSink } from '../core/agent-posts.js';
import type { AdapterDirectory } from '../core/consumer.js';
import type { Logger } from '../core/logger.js';
import type { BridgeMetrics } from '../metrics/registry.js';
import type { RateBudget } from '../ratelimit/types.js';
import type { BlocksClient } from '../services/blocks/index.js';
import { createSessionEngine, type SessionEngine } from '../sessions/engine.js';
import { createAgentQuota } from '../sessions/quota.js';
import { createTurnScheduler } from '../sessions/scheduler.js';
import type { Store } from '../store/index.js';
import { tenancyConfigOf } from './tenancy.js';

export interface AgentSessionsParts {
  store: Store;
  blocks: BlocksClient;
  blocksBudget: RateBudget;
  /** Where the engine finds the platforms; may be filled after this is called. */
  adapters: AdapterDirectory;
  cluster: Pick<ClusterRuntime, 'mayWork' | 'publish'>;
  metrics: BridgeMetrics;
  logger: Logger;
  /** Where agent threads' posts go to be mirrored (the mirror, connected once it is built). */
  agentPosts?: AgentPostSink;
}

export function createAgentSessions(config: Readonly<BridgeConfig>, parts: AgentSessionsParts): SessionEngine {
  const { store, blocks, blocksBudget, adapters, cluster, metrics, logger } = parts;
  const engine = createSessionEngine({
    store,
    blocks,
    budget: blocksBudget,
    adapters,
    settings: { sessions: config.sessions, defaultAgent: config.blocks.defaultAgent, commandName: config.commands.agent, blocksBaseUrl: config.blocks.baseUrl },
    createScheduler: (poll) => createTurnScheduler({ budget: blocksBudget, config: config.sessions, rateLimit: config.blocks.rateLimit, logger, poll }),
    logger,
    mayWork: cluster.mayWork,
    onEnqueued: (partition) => cluster.publish({ kind: 'sessions', partition }),
    ...(parts.agentPosts ? { agentPosts: parts.agentPosts } : {}),
    tenancy: tenancyConfigOf(config),
    quota: createAgentQuota({ ledger: store.agentQuota, config: config.agentQuota, turnTimeoutMs: config.sessions.turnTimeoutMinutes * 60_000, now: Date.now, logger }),
  });
  // Answered, failed or timed out; a turn superseded by a follow-up lives on in the next one.
  engine.events.onTurnEnded(({ turn }) => {
    if (turn.state !== 'superseded') metrics.turnFinished();
  });
  return engine;
}
