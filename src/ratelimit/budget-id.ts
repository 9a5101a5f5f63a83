/**
 * Names for a budget's shared state. Redis keys and pub/sub channels are visible to anyone
 * who can run `KEYS *` or `MONITOR`, so they carry a hash of the API key, never the key.
 *
 * The server counts per API key, so by default a budget is named after the key alone: every
 * process using the key on the same Redis (replicas, `fluxra-bridge check`, a second
 * deployment under another `redis.keyPrefix`) draws from one budget.
 */
import { createHash } from 'node:crypto';

/** The scope of budgets shared across key prefixes. */
export const SHARED_BUDGET_SCOPE = 'fluxra-bridge-budget';

/** 16 hex digits (64 bits) of SHA-256: enough to keep keys apart, useless to recover a key. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16);
}

/** The base id for one service's budget on one API key, e.g. `fluxra-bridge-budget:blocks:3f2a…`. */
export function budgetId(scope: string, service: string, apiKey: string): string {
  return `${scope}:${service}:${hashApiKey(apiKey)}`;
}

/** The scope the bridge and `check` both use: shared, unless the config opts out. */
export function budgetScope(config: { redis: { keyPrefix: string }; blocks: { rateLimit: { shareAcrossPrefixes: boolean } } }): string {
  return config.blocks.rateLimit.shareAcrossPrefixes ? SHARED_BUDGET_SCOPE : config.redis.keyPrefix;
}
