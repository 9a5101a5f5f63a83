/**
 * The Redis connection the budgets share in clustered mode. One `BudgetRedis` per process
 * (built by the composition root, injected into every budget) holds a command client, a
 * subscriber (for the shared 429 pause) and whether both are up. The client is node-redis,
 * the one @keyv/redis is built on, so the store, the budgets and the leader lock use one
 * library.
 *
 * The command client fails fast rather than queue: with the offline queue off, a lost Redis
 * turns into errors at once, and the budgets then refuse to send (fail closed) instead of
 * piling up commands or sending on a local guess. Reconnection goes on in the background.
 */
import { describeError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { connectWithin, createRedisClient, type RedisClient, redisWhere } from '../core/redis-client.js';
import { BudgetUnavailableError } from './errors.js';

export { type RedisClient, redisWhere };

export interface BudgetRedisConfig {
  /** `redis://` or `rediss://` URL; it may carry a password, so it is never logged. */
  url: string;
  /** How long to wait for the first connection before giving up. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/** A shared Redis connection for rate budgets. */
export interface BudgetRedis {
  readonly client: RedisClient;
  /** `host:port` only, safe for logs and error messages. */
  readonly where: string;
  /** True while both the command client and the subscriber are connected. */
  isUp(): boolean;
  /** Called whenever the connection goes down or comes back. Returns an unsubscribe function. */
  onStatusChange(listener: (up: boolean) => void): () => void;
  /** Listens to a pub/sub channel until the returned function is called. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 5_000;
/** Connects (client and subscriber) or throws `BudgetUnavailableError` after `connectTimeoutMs`. */
export async function createBudgetRedis(config: BudgetRedisConfig): Promise<BudgetRedis> {
  const logger = config.logger ?? silentLogger();
  const connectTimeoutMs = config.connectTimeoutMs ?? DEFAULT_REDIS_CONNECT_TIMEOUT_MS;
  const where = redisWhere(config.url);
  const client = createRedisClient(config.url, { connectTimeoutMs, failFast: true });
  const subscriber = createRedisClient(config.url, { connectTimeoutMs, failFast: false });
  let lastError: unknown;
  for (const connection of [client, subscriber]) {
    connection.on('error', (error: unknown) => {
      lastError = error;
    });
  }
  try {
    await Promise.all([connectWithin(client, connectTimeoutMs), connectWithin(subscriber, connectTimeoutMs)]);
  } catch (error) {
    for (const connection of [client, subscriber]) if (connection.isOpen) connection.destroy();
    const cause = lastError ?? error;
    throw new BudgetUnavailableError(`cannot connect to Redis at ${where} within ${connectTimeoutMs} ms (${describeError(cause)}); the shared rate budget is unavailable`, cause);
  }

  const listeners = new Set<(up: boolean) => void>();
  let up = true;
  let closed = false;
  const refresh = (): void => {
    const nowUp = client.isReady && subscriber.isReady;
    if (nowUp === up || closed) return;
    up = nowUp;
    if (up) logger.info({ redis: where }, 'rate budget: Redis connection restored');
    else logger.error({ redis: where, err: describeError(lastError) }, 'rate budget: Redis connection lost; requests are refused until it is back');
    for (const listener of listeners) listener(up);
  };
  for (const connection of [client, subscriber]) {
    for (const event of ['ready', 'end', 'error', 'reconnecting']) connection.on(event, refresh);
  }

  return {
    client,
    where,
    isUp: () => !closed && up,
    onStatusChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async subscribe(channel, listener) {
      await subscriber.subscribe(channel, listener);
      return async () => {
        if (subscriber.isReady) await subscriber.unsubscribe(channel, listener).catch(() => undefined);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      // QUIT when we can (flushes replies); a dead connection is just dropped.
      for (const connection of [client, subscriber]) {
        if (connection.isReady) await connection.close().catch(() => connection.destroy());
        else if (connection.isOpen) connection.destroy();
      }
    },
  };
}
