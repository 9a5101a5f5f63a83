/**
 * keyv's storage adapter for the embedded store: the handful of SQL statements keyv needs,
 * run on our better-sqlite3 connection (sqlite-connection.ts).
 *
 * Why our own rather than @keyv/sqlite: we only ever used its SQL (it runs on our connection,
 * see sqlite-connection.ts for why), yet installing it compiled node-sqlite3 from source on
 * every `npm ci`. keyv itself still serializes and expires records, so the file format is
 * unchanged: a table `keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)` (what @keyv/sqlite
 * created), one row per record, the value keyv's JSON `{"value":…,"expires":…}`. Files
 * written through @keyv/sqlite open as they are, and stay readable by it.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { Query } from './sqlite-connection.js';

/** Exactly @keyv/sqlite's table (key size 255), so existing files need no migration. */
export const KEYV_SCHEMA = 'CREATE TABLE IF NOT EXISTS keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )';

export interface SqliteKeyvStore extends KeyvStoreAdapter {
  /** Deletes this prefix's records whose keyv expiry is at or before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

/** Keys of one prefix are the range [`prefix:`, `prefix;`): ';' is the character after ':'. */
const prefixRange = (prefix: string): [string, string] => [`${prefix}:`, `${prefix};`];

export function createSqliteKeyvStore(query: Query, prefix: string): SqliteKeyvStore {
  // keyv listens for 'error' on its store and sets `namespace` on it; nothing else is needed.
  const events = new EventEmitter();
  const adapter: SqliteKeyvStore = Object.assign(events, {
    opts: {},
    namespace: undefined as string | undefined,
    async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
      const [row] = await query('SELECT value FROM keyv WHERE key = ?', key);
      return row === undefined ? undefined : (row.value as StoredData<Value>);
    },
    async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
      const rows = await query('SELECT key, value FROM keyv WHERE key IN (SELECT value FROM json_each(?))', JSON.stringify(keys));
      const found = new Map(rows.map((row) => [String(row.key), row.value as StoredData<Value>]));
      return keys.map((key) => found.get(key));
    },
    async set(key: string, value: unknown): Promise<void> {
      // keyv hands us its serialized string; expiry lives inside it (purgeExpired reads it there).
      await query('INSERT INTO keyv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
    },
    async delete(key: string): Promise<boolean> {
      return (await query('DELETE FROM keyv WHERE key = ? RETURNING 1', key)).length === 1;
    },
    async deleteMany(keys: string[]): Promise<boolean> {
      return (await query('DELETE FROM keyv WHERE key IN (SELECT value FROM json_each(?)) RETURNING 1', JSON.stringify(keys))).length > 0;
    },
    async has(key: string): Promise<boolean> {
      return (await query('SELECT 1 FROM keyv WHERE key = ?', key)).length === 1;
    },
    async clear(): Promise<void> {
      // Only this store's prefix: several stores may share one file.
      await query('DELETE FROM keyv WHERE key >= ? AND key < ?', ...prefixRange(prefix));
    },
    async purgeExpired(now: number): Promise<number> {
      // keyv only drops an expired record when it is read; rows nobody reads again (old
      // message-map entries) would stay forever without this. CASE guarantees json_extract
      // never sees a value that is not JSON.
      const rows = await query(
        `DELETE FROM keyv WHERE key >= ? AND key < ?
           AND (CASE WHEN json_valid(value) THEN json_extract(value, '$.expires') END) <= ? RETURNING 1`,
        ...prefixRange(prefix),
        now,
      );
      return rows.length;
    },
  });
  return adapter;
}
