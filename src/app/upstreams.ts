/**
 * What the bridge talks to behind the platforms: the store, the Redis connection the rate
 * budgets share, and the Fluxra and Blocks clients (each with its budget), plus the
 * readiness state of the Blocks key. Each is made only when configured; `closers` lists how
 * to close what was opened, in opening order (the bridge closes in reverse).
 */

import type { Dispatcher } from 'undici';
import type { LoadedConfig } from '../config/load.js';
import type { BridgeConfig } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import { BLOCKS_PROBE_SESSION_ID, type BlocksKeyState, createBlocksKeyState } from '../health/blocks-key.js';
import type { BridgeMetrics } from '../metrics/registry.js';
import { createBlocksBudget } from '../ratelimit/blocks-budget.js';
import { budgetScope } from '../ratelimit/budget-id.js';
import { type BudgetRedis, createBudgetRedis } from '../ratelimit/budget-redis.js';
import { createFluxraBudget } from '../ratelimit/fluxra-budget.js';
import type { RateBudget } from '../ratelimit/types.js';
import { type BlocksClient, createBlocksClient } from '../services/blocks/index.js';
import { fluxraClientOptionsFromConfig } from '../services/fluxra/from-config.js';
import { createFluxraClient, type FluxraClient } from '../services/fluxra/index.js';
import { createStore, type Store } from '../store/index.js';
import { storeConfigOf } from './store-config.js';

export type Closer = () => Promise<void>;

export interface Upstreams {
  readonly store: Store;
  /** Only with a Redis URL: the budgets share their state through it. */
  readonly budgetRedis: BudgetRedis | undefined;
  readonly fluxra: FluxraClient | undefined;
  readonly blocks: BlocksClient | undefined;
  readonly blocksBudget: RateBudget | undefined;
  /** Readiness of the Blocks key (only with Blocks); fed by the transport's observer. */
  readonly blocksKey: BlocksKeyState | undefined;
  /** In opening order. */
  readonly closers: Closer[];
}

export interface UpstreamsDeps {
  logger: Logger;
  metrics: BridgeMetrics;
  /** The observed transport (see upstream-transport.ts). */
  dispatcher: Dispatcher;
}

/** With a Redis URL, every replica's budgets (and `check`'s) draw from one shared state. */
type BudgetSharing = { redis: BudgetRedis; idPrefix: string } | Record<string, never>;

export async function createUpstreams(loaded: LoadedConfig, deps: UpstreamsDeps): Promise<Upstreams> {
  const closers: Closer[] = [];
  try {
    return await openUpstreams(loaded, deps, closers);
  } catch (error) {
    // Half-way (Redis refused the budgets after the store opened, say): close what was opened.
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function openUpstreams(loaded: LoadedConfig, deps: UpstreamsDeps, closers: Closer[]): Promise<Upstreams> {
  const { config, enabled } = loaded;
  const store = await createStore(storeConfigOf(config), { logger: deps.logger });
  closers.push(() => store.close());

  let budgetRedis: BudgetRedis | undefined;
  if (config.redis.url) {
    const connection = await createBudgetRedis({ url: config.redis.url, logger: deps.logger });
    budgetRedis = connection;
    closers.push(() => connection.close());
  }
  const sharing: BudgetSharing = budgetRedis ? { redis: budgetRedis, idPrefix: budgetScope(config) } : {};

  let fluxra: FluxraClient | undefined;
  if (enabled.fluxra && config.fluxra.agentId) {
    const opened = await openFluxra(config, config.fluxra.agentId, sharing, deps);
    closers.push(() => opened.budget.close());
    fluxra = opened.fluxra;
  }

  let blocksParts: Pick<Upstreams, 'blocks' | 'blocksBudget' | 'blocksKey'> = { blocks: undefined, blocksBudget: undefined, blocksKey: undefined };
  if (enabled.blocks && config.blocks.apiKey) {
    const opened = await openBlocks(config, config.blocks.apiKey, sharing, deps);
    closers.push(() => opened.blocksBudget.close());
    blocksParts = opened;
  }

  return { store, budgetRedis, fluxra, ...blocksParts, closers };
}

async function openFluxra(config: Readonly<BridgeConfig>, agentId: string, sharing: BudgetSharing, deps: UpstreamsDeps): Promise<{ fluxra: FluxraClient; budget: RateBudget }> {
  const { logger, metrics, dispatcher } = deps;
  const budget = await createFluxraBudget({ apiKey: agentId, rateLimit: config.fluxra.rateLimit, ...sharing, logger });
  metrics.watchBudget('fluxra', budget);
  const fluxra = createFluxraClient(fluxraClientOptionsFromConfig(config.fluxra, { dispatcher, budget, logger: logger.child({ component: 'fluxra' }) }));
  return { fluxra, budget };
}

async function openBlocks(
  config: Readonly<BridgeConfig>,
  apiKey: string,
  sharing: BudgetSharing,
  deps: UpstreamsDeps,
): Promise<{ blocks: BlocksClient; blocksBudget: RateBudget; blocksKey: BlocksKeyState }> {
  const { logger, metrics, dispatcher } = deps;
  const blocksBudget = await createBlocksBudget({ apiKey, rateLimit: config.blocks.rateLimit, ...sharing, logger });
  metrics.watchBudget('blocks', blocksBudget);
  const blocks = createBlocksClient({
    baseUrl: config.blocks.baseUrl,
    apiKey,
    dispatcher,
    budget: blocksBudget,
    requestTimeoutMs: config.blocks.requestTimeoutMs,
    agentAliases: config.blocks.agentAliases,
    backoffMs: config.blocks.rateLimit.backoffMs,
    maxBackoffMs: config.blocks.rateLimit.maxBackoffMs,
    logger: logger.child({ component: 'blocks' }),
  });
  // Only a long silence from Blocks costs a readiness probe (one background request).
  const blocksKey = createBlocksKeyState({
    probe: () => blocks.getSession(BLOCKS_PROBE_SESSION_ID, { priority: 'background' }),
    failureStaleAfterMs: config.health.blocksRecheckMs,
  });
  return { blocks, blocksBudget, blocksKey };
}
