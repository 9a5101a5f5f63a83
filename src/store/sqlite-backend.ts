/**
 * The embedded backend: one SQLite file, one connection (better-sqlite3, see
 * sqlite-connection.ts) running keyv's records (sqlite-keyv-store.ts) and our own tables,
 * plus a checkpoint thread (sqlite-checkpointer.ts).
 *
 * Durability: we set `journal_mode=WAL` and the configured `synchronous` level on the
 * connection before any of our writes. Every statement we issue is its own autocommit
 * transaction. With WAL + NORMAL (the default) a commit is in the WAL, in the operating
 * system's hands, when it returns: it survives a crash or SIGKILL of the bridge, which is
 * what "persisted before acknowledged" guards against, and costs no fsync. WAL + FULL also
 * fsyncs the WAL before the commit returns, so a resolved write survives a power loss too,
 * at one fsync per write (about 3 ms on this machine's disk, during which the event loop
 * waits, which caps the mirror at a few dozen messages per second): operators who need that choose `store.sqliteSynchronous:
 * "full"`. Readers never wait for the writer in WAL mode.
 *
 * Besides keyv's own table we keep two tables in the same file for what keyv cannot do
 * atomically: `store_maps` (ordered maps) and `store_dedupe` (see backend.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Keyv } from 'keyv';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MapEntry, OrderedMaps, StoreBackend } from './backend.js';
import { StoreError } from './errors.js';
import { type SqliteCheckpointer, startSqliteCheckpointer } from './sqlite-checkpointer.js';
import { openSqliteConnection, type Query, type SqliteConnection } from './sqlite-connection.js';
import { createSqliteKeyvStore, KEYV_SCHEMA } from './sqlite-keyv-store.js';

export interface SqliteBackendConfig {
  /** File path, or `:memory:` for a throwaway store. */
  path: string;
  /** Prefix of every key this store writes (several stores may share one file). */
  prefix: string;
  /** How long a statement waits for another process's write lock. */
  busyTimeoutMs?: number;
  /** `normal` survives a process crash; `full` also a power loss (one fsync per write). Default `normal`. */
  synchronous?: 'normal' | 'full';
  /** How often expired rows are deleted (SQLite has no expiry of its own). */
  purgeIntervalMs?: number;
}

/** What the live connection reports, for tests and diagnostics. */
export interface SqliteSettings {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  /** WAL pages after which this connection checkpoints itself; 0 while the checkpoint thread does it. */
  walAutocheckpoint: number;
}

export interface SqliteBackend extends StoreBackend {
  readonly kind: 'sqlite';
  settings(): Promise<SqliteSettings>;
  /** Deletes expired rows now (it also runs at open and every `purgeIntervalMs`); returns how many. */
  purgeExpired(): Promise<number>;
}

const DEFAULTS = { busyTimeoutMs: 5_000, purgeIntervalMs: 60 * 60 * 1000 } as const;
/** How often the checkpoint thread folds the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 1_000;

const SCHEMA = [
  KEYV_SCHEMA,
  `CREATE TABLE IF NOT EXISTS store_maps (
     grp TEXT NOT NULL, map TEXT NOT NULL, member TEXT NOT NULL, value TEXT NOT NULL, expires INTEGER,
     PRIMARY KEY (grp, map, member)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS store_dedupe (key TEXT PRIMARY KEY NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID`,
];

const LIVE = '(expires IS NULL OR expires > ?)';

export async function openSqliteBackend(config: SqliteBackendConfig, deps: { logger: Logger }): Promise<SqliteBackend> {
  const logger = deps.logger;
  const inMemory = config.path === ':memory:';
  if (!inMemory) await mkdir(dirname(config.path), { recursive: true });

  let connection: SqliteConnection;
  try {
    connection = await openSqliteConnection(config.path, { busyTimeoutMs: config.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs });
  } catch (error) {
    throw new StoreError('STORE_UNAVAILABLE', `Cannot open SQLite store ${config.path}: ${describeError(error)}`, { cause: error, retryable: true });
  }
  const query = connection.query;
  const records = createSqliteKeyvStore(query, config.prefix);
  const keyv = new Keyv({ store: records, namespace: undefined, useKeyPrefix: false, throwOnErrors: true });
  // Keyv also throws these to the caller; the listener keeps an unhandled 'error' event from crashing us.
  keyv.on('error', (error: unknown) => logger.debug({ err: describeError(error) }, 'sqlite store error'));

  try {
    // Order matters: durability settings before our first write.
    const [mode] = await query('PRAGMA journal_mode = WAL');
    await query(`PRAGMA synchronous = ${config.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    if (!inMemory && String(mode?.journal_mode).toLowerCase() !== 'wal') {
      throw new Error(`journal_mode is ${String(mode?.journal_mode)}, expected wal`);
    }
    const [check] = await query('PRAGMA quick_check');
    if (check?.quick_check !== 'ok') {
      throw new StoreError('STORE_CORRUPT', `SQLite store ${config.path} failed its integrity check: ${String(check?.quick_check)}`);
    }
    for (const statement of SCHEMA) await query(statement);
  } catch (error) {
    await connection.close().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      throw new StoreError('STORE_CORRUPT', `SQLite store ${config.path} is damaged: ${describeError(error)}`, { cause: error });
    }
    throw new StoreError('STORE_UNAVAILABLE', `Cannot open SQLite store ${config.path}: ${describeError(error)}`, { cause: error, retryable: true });
  }

  const busyTimeoutMs = config.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs;
  let checkpointer: SqliteCheckpointer | undefined;
  if (!inMemory) {
    try {
      checkpointer = await startSqliteCheckpointer({ path: config.path, busyTimeoutMs, intervalMs: CHECKPOINT_INTERVAL_MS, query }, { logger });
    } catch (error) {
      // Not fatal: the main connection keeps checkpointing itself (short stalls under load).
      logger.warn({ err: describeError(error) }, 'store: no checkpoint thread; the main connection checkpoints');
    }
  }

  const maps = createSqliteMaps(query, config.prefix);
  let closed = false;
  let purging: Promise<void> = Promise.resolve();

  const purge = async (): Promise<number> => {
    const now = Date.now();
    const maps = await query('DELETE FROM store_maps WHERE expires IS NOT NULL AND expires <= ? RETURNING 1', now);
    const marks = await query('DELETE FROM store_dedupe WHERE expires <= ? RETURNING 1', now);
    return maps.length + marks.length + (await records.purgeExpired(now));
  };
  const runPurge = (): void => {
    purging = purge().then(
      () => undefined,
      (error: unknown) => logger.warn({ err: describeError(error) }, 'store: purging expired rows failed'),
    );
  };
  runPurge();
  const timer = setInterval(runPurge, config.purgeIntervalMs ?? DEFAULTS.purgeIntervalMs);
  timer.unref();

  return {
    kind: 'sqlite',
    keyv,
    maps,
    async setIfAbsent(key, ttlMs) {
      const now = Date.now();
      // One statement, so one transaction: inserts, or takes over an expired marker, or does nothing.
      const rows = await query(
        `INSERT INTO store_dedupe (key, expires) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE store_dedupe.expires <= ?
           RETURNING key`,
        key,
        now + ttlMs,
        now,
      );
      return rows.length === 1;
    },
    async ping() {
      if (closed) throw new StoreError('STORE_CLOSED', 'The store is closed');
      try {
        await query('SELECT 1');
      } catch (error) {
        throw new StoreError('STORE_UNAVAILABLE', `SQLite store does not answer: ${describeError(error)}`, { cause: error, retryable: true });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await purging;
      await checkpointer?.close();
      await connection.close();
    },
    async settings() {
      const [mode] = await query('PRAGMA journal_mode');
      const [sync] = await query('PRAGMA synchronous');
      const [auto] = await query('PRAGMA wal_autocheckpoint');
      return { journalMode: String(mode?.journal_mode), synchronous: Number(sync?.synchronous), walAutocheckpoint: Number(auto?.wal_autocheckpoint) };
    },
    purgeExpired: purge,
  };
}

function createSqliteMaps(query: Query, prefix: string): OrderedMaps {
  const grp = (group: string): string => `${prefix}:${group}`;
  return {
    async put(group, map, member, value, ttlMs) {
      const now = Date.now();
      const expires = ttlMs === undefined ? null : now + ttlMs;
      await query(
        `INSERT INTO store_maps (grp, map, member, value, expires) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (grp, map, member) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
        grp(group),
        map,
        member,
        value,
        expires,
      );
      // A timed map expires as a whole, as a Redis key would: extend its other members too.
      if (expires !== null) {
        await query('UPDATE store_maps SET expires = ? WHERE grp = ? AND map = ? AND expires IS NOT NULL AND expires < ?', expires, grp(group), map, expires);
      }
    },
    async putNew(group, map, entries, ttlMs) {
      if (entries.length === 0) return;
      const now = Date.now();
      const expires = ttlMs === undefined ? null : now + ttlMs;
      // One statement for every member: an expired member (not yet purged) counts as absent.
      const params: unknown[] = [];
      for (const entry of entries) params.push(grp(group), map, entry.member, entry.value, expires);
      await query(
        `INSERT INTO store_maps (grp, map, member, value, expires) VALUES ${entries.map(() => '(?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT (grp, map, member) DO UPDATE SET
             value = CASE WHEN store_maps.expires IS NOT NULL AND store_maps.expires <= ? THEN excluded.value ELSE store_maps.value END,
             expires = excluded.expires`,
        ...params,
        now,
      );
      if (expires !== null) {
        await query('UPDATE store_maps SET expires = ? WHERE grp = ? AND map = ? AND expires IS NOT NULL AND expires < ?', expires, grp(group), map, expires);
      }
    },
    async replace(group, map, member, value) {
      const rows = await query(`UPDATE store_maps SET value = ? WHERE grp = ? AND map = ? AND member = ? AND ${LIVE} RETURNING member`, value, grp(group), map, member, Date.now());
      return rows.length === 1;
    },
    async get(group, map, member) {
      const [row] = await query(`SELECT value FROM store_maps WHERE grp = ? AND map = ? AND member = ? AND ${LIVE}`, grp(group), map, member, Date.now());
      return row === undefined ? undefined : String(row.value);
    },
    async range(group, map, limit) {
      const rows = await query(`SELECT member, value FROM store_maps WHERE grp = ? AND map = ? AND ${LIVE} ORDER BY member LIMIT ?`, grp(group), map, Date.now(), limit);
      return rows.map((row): MapEntry => ({ member: String(row.member), value: String(row.value) }));
    },
    async remove(group, map, member) {
      const rows = await query('DELETE FROM store_maps WHERE grp = ? AND map = ? AND member = ? RETURNING expires', grp(group), map, member);
      const expires = rows[0]?.expires;
      return rows.length === 1 && (expires === null || Number(expires) > Date.now());
    },
    async drop(group, map) {
      await query('DELETE FROM store_maps WHERE grp = ? AND map = ?', grp(group), map);
    },
    async list(group) {
      const rows = await query('SELECT DISTINCT map FROM store_maps WHERE grp = ? AND expires IS NULL ORDER BY map', grp(group));
      return rows.map((row) => String(row.map));
    },
    async count(group, map) {
      const rows =
        map === undefined
          ? await query('SELECT COUNT(*) AS n FROM store_maps WHERE grp = ? AND expires IS NULL', grp(group))
          : await query('SELECT COUNT(*) AS n FROM store_maps WHERE grp = ? AND map = ? AND expires IS NULL', grp(group), map);
      return Number(rows[0]?.n ?? 0);
    },
    async last(group) {
      const [row] = await query('SELECT MAX(member) AS m FROM store_maps WHERE grp = ? AND expires IS NULL', grp(group));
      return row?.m === null || row?.m === undefined ? undefined : String(row.m);
    },
  };
}
