/** Helpers for tests against the real local Redis: unique namespaces, a client, cleanup. */
import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestRedis = ReturnType<typeof createClient>;

/** A namespace no other test (or replica) uses. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

/** A connected node-redis client (the library the bridge uses) for looking at or changing state. */
export async function openTestRedis(url: string = REDIS_URL): Promise<TestRedis> {
  const client: TestRedis = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs `body` with a client that is closed afterwards. */
export async function withTestRedis<T>(body: (client: TestRedis) => Promise<T>, url: string = REDIS_URL): Promise<T> {
  const client = await openTestRedis(url);
  try {
    return await body(client);
  } finally {
    client.destroy();
  }
}

/** Every key matching a glob pattern (SCAN, not KEYS: the server is shared). */
export async function keysMatching(client: TestRedis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 500 })) keys.push(...batch);
  return keys;
}

/** Every key containing `part`. */
export async function keysWith(part: string, url: string = REDIS_URL): Promise<string[]> {
  return withTestRedis((client) => keysMatching(client, `*${part}*`), url);
}

export async function deleteKeysWith(part: string, url: string = REDIS_URL): Promise<void> {
  await withTestRedis(async (client) => {
    const keys = await keysMatching(client, `*${part}*`);
    if (keys.length > 0) await client.del(keys);
  }, url);
}
