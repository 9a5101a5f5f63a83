/** The store's settings from the bridge's config: one place, so the bridge, `check` and `deadletters` open the same store. */
import type { BridgeConfig } from '../config/schema.js';
import type { StoreConfig } from '../store/index.js';

export function storeConfigOf(config: Pick<BridgeConfig, 'store' | 'redis'>): StoreConfig {
  return {
    path: config.store.path,
    sqliteSynchronous: config.store.sqliteSynchronous,
    ...(config.redis.url ? { redisUrl: config.redis.url, namespacePrefix: config.redis.keyPrefix, redisCommandTimeoutMs: config.redis.commandTimeoutMs } : {}),
  };
}
