/**
 * node-redis clients, the library @keyv/redis is built on (its `createClient` re-export), so
 * the store, the rate budgets and the leader lock share one Redis library.
 */
import { createClient } from '@keyv/redis';

export type RedisClient = ReturnType<typeof createClient>;

/** Connection attempts at start-up before a wrong URL fails loudly. */
const STARTUP_ATTEMPTS = 3;

/** `host:port` of a Redis URL: the URL itself may hold a password. */
export function redisWhere(url: string): string {
  try {
    return new URL(url).host || 'redis';
  } catch {
    return 'redis (unparseable URL)';
  }
}

/**
 * A node-redis client that gives up after a few attempts until it was connected once, then
 * keeps reconnecting with a capped backoff. `failFast` turns the offline queue off.
 */
export function createRedisClient(url: string, options: { connectTimeoutMs: number; failFast: boolean; commandTimeoutMs?: number }): RedisClient {
  let connectedOnce = false;
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: options.failFast,
    ...(options.commandTimeoutMs === undefined ? {} : { commandOptions: { timeout: options.commandTimeoutMs } }),
    socket: {
      connectTimeout: options.connectTimeoutMs,
      reconnectStrategy: (retries, cause) => (!connectedOnce && retries >= STARTUP_ATTEMPTS ? cause : Math.min(100 * 2 ** retries, 2_000)),
    },
  });
  client.on('ready', () => {
    connectedOnce = true;
  });
  return client;
}

/** Connects a client or throws, within `timeoutMs`; a client that failed is destroyed. */
export async function connectWithin(client: RedisClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
