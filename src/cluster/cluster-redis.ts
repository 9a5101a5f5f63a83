/**
 * The Redis connections of clustered mode: one for the leader lock and wake-up publishes,
 * one subscriber for wake-ups (a subscribed connection can run nothing else).
 *
 * The command connection fails fast (no offline queue, one retry, a command deadline): a
 * renewal that cannot reach Redis must fail within the renewal interval, not sit in a queue
 * while the term runs out. Reconnection goes on in the background.
 */
import { BridgeError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { connectWithin, createRedisClient, type RedisClient } from '../core/redis-client.js';

export interface ClusterRedisConfig {
  /** `redis://` or `rediss://`; it may carry a password, so it is never logged. */
  url: string;
  /** Deadline of one command (renewals are spaced more than this apart). */
  commandTimeoutMs: number;
  /** How long to wait for the first connection. Default 5000. */
  connectTimeoutMs?: number;
  logger: Logger;
}

export interface ClusterRedis {
  readonly command: RedisClient;
  readonly subscriber: RedisClient;
  close(): Promise<void>;
}

export async function connectClusterRedis(config: ClusterRedisConfig): Promise<ClusterRedis> {
  const connectTimeoutMs = config.connectTimeoutMs ?? 5_000;
  const command = createRedisClient(config.url, { connectTimeoutMs, failFast: true, commandTimeoutMs: config.commandTimeoutMs });
  const subscriber = createRedisClient(config.url, { connectTimeoutMs, failFast: false });
  // Errors are reported where they matter (a failed renewal, a lost publish); here they would repeat every retry.
  for (const client of [command, subscriber]) client.on('error', (error: unknown) => config.logger.debug({ err: describeError(error) }, 'cluster: redis connection error'));
  try {
    await Promise.all([connectWithin(command, connectTimeoutMs), connectWithin(subscriber, connectTimeoutMs)]);
  } catch (error) {
    for (const client of [command, subscriber]) if (client.isOpen) client.destroy();
    throw new BridgeError('CLUSTER_REDIS_UNAVAILABLE', `Cannot connect to Redis for leader election: ${describeError(error)}`, { cause: error, retryable: true });
  }
  return {
    command,
    subscriber,
    async close() {
      for (const client of [command, subscriber]) {
        if (client.isReady) await client.close().catch(() => client.destroy());
        else if (client.isOpen) client.destroy();
      }
    },
  };
}
