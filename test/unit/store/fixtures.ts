/**
 * Runs one suite against both real backends: a SQLite file in a fresh temp dir, and the
 * local Redis under a key prefix unique to the test (deleted afterwards). Each test gets a
 * fresh location; `open()` may be called again to reopen the same location.
 */

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe } from 'node:test';
import { silentLogger } from '../../../src/core/logger.js';
import type { StoreBackend } from '../../../src/store/backend.js';
import { createStore, type Store, type StoreConfig } from '../../../src/store/index.js';
import { openRedisBackend } from '../../../src/store/redis-backend.js';
import { openSqliteBackend } from '../../../src/store/sqlite-backend.js';
import { keysMatching, openTestRedis, type TestRedis } from '../ratelimit/redis-test-helpers.js';

export const REDIS_URL = process.env.STORE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type BackendName = 'sqlite' | 'redis';

export interface StoreFixture {
  readonly name: BackendName;
  /** Key prefix of this test's location. */
  readonly prefix: string;
  /** Opens (or reopens) the store at this test's location; closed after the test. */
  open(extra?: Partial<StoreConfig>): Promise<Store>;
  /** Opens the raw backend at the same location, to set up states only a crash produces. */
  openBackend(): Promise<StoreBackend>;
  /** A Redis client for inspecting keys (Redis only). */
  redis(): Promise<TestRedis>;
}

export function forEachBackend(title: string, suite: (fixture: StoreFixture) => void): void {
  for (const name of ['sqlite', 'redis'] as const) {
    describe(`${title} (${name})`, () => {
      let dir = '';
      let prefix = '';
      let closers: Array<() => Promise<void>> = [];
      let inspector: TestRedis | undefined;

      beforeEach(async () => {
        prefix = `store-test-${randomUUID()}`;
        dir = name === 'sqlite' ? await mkdtemp(join(tmpdir(), 'fluxra-store-')) : '';
        closers = [];
      });

      afterEach(async () => {
        for (const close of closers.reverse()) await close();
        if (name === 'redis') {
          const client = inspector ?? (await openTestRedis(REDIS_URL));
          await deleteKeys(client, `${prefix}:*`);
          client.destroy();
          inspector = undefined;
        } else {
          await rm(dir, { recursive: true, force: true });
        }
      });

      const location = (): Pick<StoreConfig, 'path' | 'redisUrl' | 'namespacePrefix'> =>
        name === 'sqlite' ? { path: join(dir, 'bridge.db'), namespacePrefix: prefix } : { redisUrl: REDIS_URL, namespacePrefix: prefix };

      const fixture: StoreFixture = {
        name,
        get prefix() {
          return prefix;
        },
        async open(extra = {}) {
          const store = await createStore({ ...location(), ...extra }, { logger: silentLogger() });
          closers.push(() => store.close());
          return store;
        },
        async openBackend() {
          const backend =
            name === 'sqlite'
              ? await openSqliteBackend({ path: join(dir, 'bridge.db'), prefix }, { logger: silentLogger() })
              : await openRedisBackend({ url: REDIS_URL, prefix }, { logger: silentLogger() });
          closers.push(() => backend.close());
          return backend;
        },
        async redis() {
          if (name !== 'redis') throw new Error('redis() is for the Redis backend');
          inspector ??= await openTestRedis(REDIS_URL);
          return inspector;
        },
      };
      suite(fixture);
    });
  }
}

export async function deleteKeys(client: TestRedis, pattern: string): Promise<void> {
  const keys = await keysMatching(client, pattern);
  if (keys.length > 0) await client.del(keys);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
