import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createStore, StoreError } from '../../../src/store/index.js';
import { openSqliteBackend } from '../../../src/store/sqlite-backend.js';
import { forEachBackend } from './fixtures.js';

const logger = silentLogger();

forEachBackend('store lifecycle', (fx) => {
  test('reports its backend and answers ping until closed', async () => {
    const store = await fx.open();
    assert.equal(store.backend, fx.name);
    await store.ping();
    await store.close();
    await store.close();
    await assert.rejects(store.ping(), (error: unknown) => error instanceof StoreError && error.code === 'STORE_CLOSED');
  });

  test('two prefixes on one backend do not see each other', async () => {
    const mine = await fx.open();
    const theirs = await fx.open({ namespacePrefix: `${fx.prefix}-other` });
    await mine.outbox.enqueue('p', { n: 1 });
    await mine.links.link({ platform: 'slack', channelId: 'C1' }, { conversationId: 'conv', linkedBy: 'U' });
    assert.deepEqual(await theirs.outbox.partitions(), []);
    assert.equal(await theirs.links.get({ platform: 'slack', channelId: 'C1' }), undefined);
    assert.equal(await theirs.dedupe.seen('e'), false);
    assert.equal(await mine.dedupe.seen('e'), false);
    // Clean the second prefix's keys too (the fixture deletes `${prefix}:*` only).
    await theirs.dedupe.seen('e');
    if (fx.name === 'redis') await (await fx.redis()).del(`${fx.prefix}-other:dedupe:e`);
  });
});

describe('createStore configuration', () => {
  test('asks for a path or a Redis URL', async () => {
    await assert.rejects(createStore({}, { logger }), (error: unknown) => error instanceof ConfigError && error.problems[0]?.key === 'store.path');
  });

  test('refuses a bad prefix and bad TTLs before opening anything', async () => {
    await assert.rejects(createStore({ path: ':memory:', namespacePrefix: 'has space' }, { logger }), ConfigError);
    await assert.rejects(createStore({ path: ':memory:', messageMapTtlMs: 0 }, { logger }), ConfigError);
    await assert.rejects(createStore({ path: ':memory:', dedupeTtlMs: -5 }, { logger }), ConfigError);
  });

  test('fails with STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    await assert.rejects(
      createStore({ redisUrl: 'redis://127.0.0.1:1' }, { logger }),
      (error: unknown) => error instanceof StoreError && error.code === 'STORE_UNAVAILABLE' && error.retryable,
    );
  });
});

describe('SQLite file', () => {
  test('creates the directory, and runs in WAL mode with synchronous=NORMAL by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxra-store-'));
    try {
      const path = join(dir, 'nested', 'data', 'bridge.db');
      const backend = await openSqliteBackend({ path, prefix: 'p' }, { logger });
      try {
        assert.deepEqual(await backend.settings(), { journalMode: 'wal', synchronous: 1, walAutocheckpoint: 0 });
        await backend.keyv.set('p:x', 1);
        assert.ok((await readdir(join(dir, 'nested', 'data'))).includes('bridge.db-wal'));
      } finally {
        await backend.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a separate thread folds the WAL into the database file; the writing connection never does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxra-store-'));
    try {
      const path = join(dir, 'bridge.db');
      const backend = await openSqliteBackend({ path, prefix: 'p' }, { logger });
      try {
        // The writing connection does not checkpoint (autocheckpoint 0), so only the thread
        // can make the database file itself grow while the store stays open.
        assert.equal((await backend.settings()).walAutocheckpoint, 0);
        const before = (await stat(path)).size;
        const text = 'x'.repeat(2_000);
        for (let i = 0; i < 500; i += 1) await backend.keyv.set(`p:bulk:${i}`, text);
        const deadline = Date.now() + 10_000;
        while ((await stat(path)).size < before + 500 * 2_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.ok((await stat(path)).size >= before + 500 * 2_000, `database file grew from ${before} to ${(await stat(path)).size} bytes`);
        assert.equal(await backend.keyv.get('p:bulk:499'), text);
      } finally {
        await backend.close();
      }
      // Reopened: everything is there (the close folded the rest in).
      const again = await openSqliteBackend({ path, prefix: 'p' }, { logger });
      try {
        assert.equal(await again.keyv.get('p:bulk:0'), 'x'.repeat(2_000));
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('synchronous=FULL when power-loss durability is asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxra-store-'));
    try {
      const backend = await openSqliteBackend({ path: join(dir, 'bridge.db'), prefix: 'p', synchronous: 'full' }, { logger });
      try {
        assert.deepEqual(await backend.settings(), { journalMode: 'wal', synchronous: 2, walAutocheckpoint: 0 });
      } finally {
        await backend.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('deletes expired rows that nobody reads again, and only those', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxra-store-'));
    try {
      const backend = await openSqliteBackend({ path: join(dir, 'bridge.db'), prefix: 'p' }, { logger });
      try {
        await backend.keyv.set('p:kv:short', 'x', 50);
        await backend.keyv.set('p:kv:long', 'y');
        await backend.maps.put('message-copies', 'm1', 'a', 'v', 50);
        await backend.maps.put('outbox', 'q', '1', 'v');
        await backend.setIfAbsent('p:dedupe:e', 50);
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.equal(await backend.purgeExpired(), 3);
        assert.equal(await backend.purgeExpired(), 0);
        assert.equal(await backend.keyv.get('p:kv:long'), 'y');
        assert.equal(await backend.maps.count('outbox'), 1);
      } finally {
        await backend.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses to open a file that is not a SQLite database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxra-store-'));
    try {
      const path = join(dir, 'bridge.db');
      await writeFile(path, 'this is not a database, just some bytes that are long enough to have a header'.repeat(20));
      await assert.rejects(createStore({ path }, { logger }), (error: unknown) => error instanceof StoreError && error.code === 'STORE_CORRUPT' && !error.retryable);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an in-memory store works for throwaway use', async () => {
    const store = await createStore({ path: ':memory:' }, { logger });
    try {
      await store.cursors.saveDelivered('c', 'x');
      assert.equal(await store.cursors.get('c'), 'x');
    } finally {
      await store.close();
    }
  });
});
