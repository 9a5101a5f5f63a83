/** The store (opened and pinged like the bridge does) and Redis (the shared rate budget's connection). */

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { storeConfigOf } from '../../app/store-config.js';
import type { LoadedConfig } from '../../config/load.js';
import { silentLogger } from '../../core/logger.js';
import { type BudgetRedis, createBudgetRedis, redisWhere } from '../../ratelimit/budget-redis.js';
import { createStore } from '../../store/index.js';
import { type CheckResult, failed, notConfigured, ok, reasonOf } from './result.js';

/** The nearest folder of `path` that exists (the bridge creates the missing ones at start). */
function nearestFolder(path: string): string {
  let folder = dirname(resolve(path));
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

/**
 * `check` writes nothing: a store file that does not exist yet is not created (the bridge
 * creates it at start); only whether it could be is checked (the nearest existing folder is
 * writable).
 */
function checkStoreToBe(path: string): CheckResult {
  const folder = nearestFolder(path);
  try {
    accessSync(folder, constants.W_OK);
    return ok('store', `SQLite store ${path} does not exist yet; the bridge creates it at start (${folder} is writable)`);
  } catch {
    return failed('store', `SQLite store ${path} cannot be created: ${folder} is not writable`, 'set store.path to a file in a writable directory');
  }
}

export async function checkStore(loaded: LoadedConfig): Promise<CheckResult> {
  const { config } = loaded;
  const redisUrl = config.redis.url;
  if (!redisUrl && !existsSync(config.store.path)) return checkStoreToBe(config.store.path);
  const what = redisUrl ? `Redis store at ${redisWhere(redisUrl)}` : `SQLite store ${config.store.path}`;
  try {
    const store = await createStore(storeConfigOf(config), { logger: silentLogger() });
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
