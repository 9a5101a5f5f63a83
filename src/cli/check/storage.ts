/** The store (opened and pinged like the bridge does) and Redis (the shared rate budget's connection). */
import type { LoadedConfig } from '../../config/load.js';
import { silentLogger } from '../../logger.js';
import { createBudgetRedis, redisWhere, type BudgetRedis } from '../../ratelimit/budget-redis.js';
import { createStore } from '../../store/index.js';
import { failed, notConfigured, ok, reasonOf, type CheckResult } from './result.js';

export async function checkStore(loaded: LoadedConfig): Promise<CheckResult> {
  const { config } = loaded;
  const redisUrl = config.redis.url;
  const what = redisUrl ? `Redis store at ${redisWhere(redisUrl)}` : `SQLite store ${config.store.path}`;
  try {
    const store = await createStore({ path: config.store.path, ...(redisUrl ? { redisUrl } : {}) }, { logger: silentLogger() });
    try {
      await store.ping();
    } finally {
      await store.close();
    }
    return ok('store', `${what} opens and answers`);
  } catch (error) {
    return failed('store', `${what}: ${reasonOf(error)}`, redisUrl ? 'is Redis running and reachable? check REDIS_URL' : 'check that store.path is in a writable directory');
  }
}

export interface RedisCheck {
  result: CheckResult;
  /** Open for the Blocks check when it answered; `null` when configured but down. */
  redis: BudgetRedis | undefined | null;
}

export async function checkRedis(loaded: LoadedConfig): Promise<RedisCheck> {
  const url = loaded.config.redis.url;
  if (url === undefined) return { result: notConfigured('redis', 'optional: set REDIS_URL to run several replicas with one store and one rate budget'), redis: undefined };
  let redis: BudgetRedis | undefined;
  try {
    redis = await createBudgetRedis({ url, logger: silentLogger() });
    await redis.client.ping();
    return { result: ok('redis', `${redis.where} answers PING (shared rate budget)`), redis };
  } catch (error) {
    await redis?.close().catch(() => undefined);
    return { result: failed('redis', reasonOf(error), `is Redis running at ${redisWhere(url)}? check REDIS_URL`), redis: null };
  }
}
