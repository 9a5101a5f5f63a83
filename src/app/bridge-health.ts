/**
 * The health server (/healthz, /readyz, /metrics) and what /readyz checks: the store, the
 * platforms' connections, the Blocks key, Redis, the cluster lock, Fluxra's token, and
 * whether the bridge has finished starting.
 */
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { BridgeConfig } from '../config/schema.js';
import type { ChatAdapter } from '../core/chat.js';
import type { BlocksKeyState } from '../health/blocks-key.js';
import { registerReadinessChecks } from '../health/readiness.js';
import { createHealthServer, type HealthServer } from '../health/server.js';
import type { BridgeMetrics } from '../metrics/registry.js';
import type { BudgetRedis } from '../ratelimit/budget-redis.js';
import type { FluxraClient } from '../services/fluxra/index.js';
import type { Store } from '../store/index.js';

export interface BridgeHealthParts {
  store: Store;
  adapters: readonly ChatAdapter[];
  blocksKey: BlocksKeyState | undefined;
  budgetRedis: BudgetRedis | undefined;
  cluster: Pick<ClusterRuntime, 'leadership' | 'ping'>;
  fluxra: FluxraClient | undefined;
  metrics: BridgeMetrics;
  /** True once `Bridge.start` has finished. */
  isStarted(): boolean;
}

export function createBridgeHealth(config: Readonly<BridgeConfig>, parts: BridgeHealthParts): HealthServer {
  const { store, adapters, blocksKey, budgetRedis, cluster, fluxra, metrics, isStarted } = parts;
  const health = createHealthServer(config.health, { metrics });
  // store, the platforms' connections, Fluxra's token (cached while valid), the Blocks key and Redis.
  registerReadinessChecks(health, {
    store,
    adapters,
    ...(fluxra ? { fluxra } : {}),
    ...(blocksKey ? { blocksKey } : {}),
    ...(budgetRedis ? { redis: budgetRedis } : {}),
  });
  health.setCheck('started', async () => {
    if (!isStarted()) throw new Error('starting');
  });
  if (cluster.leadership.mode === 'clustered') health.setCheck('cluster', () => cluster.ping());
  return health;
}
