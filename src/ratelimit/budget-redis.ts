/**
 * The Redis connection the budgets share in clustered mode. One `BudgetRedis` per process
 * (built by the composition root, injected into every budget) holds the ioredis client,
 * bottleneck's connection object (client + pub/sub subscriber) and whether Redis is up.
 *
 * The client is configured to fail fast rather than queue: with the offline queue off and a
 * single retry per command, a lost Redis turns into errors within milliseconds, and the
 * budgets then refuse to send (fail closed) instead of piling up commands or sending on a
 * local guess.
 */
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { BudgetUnavailableError } from './errors.js';

export interface BudgetRedisConfig {
  /** `redis://` or `rediss://` URL; it may carry a password, so it is never logged. */
  url: string;
  /** How long to wait for the first connection before giving up. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/** A shared Redis connection for rate budgets. */
export interface BudgetRedis {
  readonly client: Redis;
  /** Bottleneck's connection object, shared by every limiter built on this connection. */
  readonly connection: Bottleneck.IORedisConnection;
  /** `host:port` only, safe for logs and error messages. */
  readonly where: string;
  /** True while both the command client and the subscriber are connected. */
  isUp(): boolean;
  /** Called whenever the connection goes down or comes back. Returns an unsubscribe function. */
  onStatusChange(listener: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 5_000;

function safeWhere(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host || 'redis';
  } catch {
    return 'redis (unparseable URL)';
  }
}

/** Connects (client and subscriber) or throws `BudgetUnavailableError` after `connectTimeoutMs`. */
export async function createBudgetRedis(config: BudgetRedisConfig): Promise<BudgetRedis> {
  const logger = config.logger ?? silentLogger();
  const connectTimeoutMs = config.connectTimeoutMs ?? DEFAULT_REDIS_CONNECT_TIMEOUT_MS;
  const where = safeWhere(config.url);
  const client = new Redis(config.url, {
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Keep trying to reconnect (the budget recovers by itself), but not in a tight loop.
    retryStrategy: (times: number) => Math.min(times * 250, 2_000),
  });
  const connection = new Bottleneck.IORedisConnection({ client, Redis });
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  client.on('error', onError);
  connection.on('error', onError);

  // bottleneck's typings declare `ready()`, but the connection object holds a promise.
  const ready = (connection as unknown as { ready: Promise<{ client: Redis; subscriber: Redis }> }).ready;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), connectTimeoutMs);
      }),
    ]);
  } catch (error) {
    if (!(error instanceof Error && error.message === 'timeout')) lastError = error;
    await connection.disconnect(false).catch(() => undefined);
    throw new BudgetUnavailableError(
      `cannot connect to Redis at ${where} within ${connectTimeoutMs} ms${lastError === undefined ? '' : ` (${describeError(lastError)})`}; the shared rate budget is unavailable`,
      lastError,
    );
  } finally {
    clearTimeout(timer);
  }

  const { subscriber } = await ready;
  const listeners = new Set<(up: boolean) => void>();
  let up = true;
  const refresh = (): void => {
    const nowUp = client.status === 'ready' && subscriber.status === 'ready';
    if (nowUp === up) return;
    up = nowUp;
    if (up) logger.info({ redis: where }, 'rate budget: Redis connection restored');
    else logger.error({ redis: where, err: lastError }, 'rate budget: Redis connection lost; requests are refused until it is back');
    for (const listener of listeners) listener(up);
  };
  for (const redis of [client, subscriber]) {
    for (const event of ['close', 'end', 'reconnecting', 'ready']) redis.on(event, refresh);
  }

  let closed = false;
  return {
    client,
    connection,
    where,
    isUp: () => !closed && up,
    onStatusChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      // QUIT when we can (flushes replies); a dead connection is just dropped.
      await connection.disconnect(up).catch(() => connection.disconnect(false));
    },
  };
}

/**
 * Stops a limiter's use of the shared connection (the connection's owner closes it).
 * bottleneck unsubscribes in a promise nobody awaits, which becomes an unhandled rejection
 * (fatal on Node 20) when Redis is down: then only its heartbeat is stopped, and the
 * subscription ends with the connection.
 */
export async function detachLimiter(limiter: Bottleneck, redis: BudgetRedis | undefined): Promise<void> {
  if (redis === undefined || redis.isUp()) {
    await limiter.disconnect();
    return;
  }
  const store = (limiter as unknown as { _store?: { heartbeat?: NodeJS.Timeout } })._store;
  clearInterval(store?.heartbeat);
}
