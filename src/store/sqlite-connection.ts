/**
 * The SQLite connection behind the embedded store: better-sqlite3, statements kept
 * prepared per SQL text.
 *
 * Why better-sqlite3 rather than node-sqlite3 (what @keyv/sqlite, our earlier adapter, opened):
 * node-sqlite3 runs every query on libuv's thread pool behind the connection's mutex, so ~20
 * queries per mirrored message at 100 messages/s queued behind one another and became the
 * mirror's latency (p50 ~0.7 s, p99 > 9 s in `npm run bench:mirror`), plus a thread hop and a
 * native callback per query. A better-sqlite3 query runs on the calling thread in
 * microseconds (a WAL commit ~50 µs here, a keyed read ~8 µs), which costs less than the
 * hop did, and keeps queries in call order.
 *
 * The interface stays asynchronous (`Query` returns a promise) so the Redis backend and the
 * store's callers look alike; the work itself is done before the promise is returned.
 * keyv's records run on this connection too (sqlite-keyv-store.ts).
 */
import Database from 'better-sqlite3';

export type Row = Record<string, unknown>;
export type Query = (sql: string, ...params: unknown[]) => Promise<Row[]>;

/** Distinct SQL texts kept prepared; ours are a few dozen fixed strings, this only bounds surprises. */
const MAX_SQL_TEXTS = 256;

export interface SqliteConnection {
  query: Query;
  close(): Promise<void>;
}

/** better-sqlite3 refuses booleans and `undefined`: bind them as node-sqlite3 did (1/0, NULL). */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export async function openSqliteConnection(path: string, options: { busyTimeoutMs: number }): Promise<SqliteConnection> {
  // `timeout` is SQLite's busy timeout: how long a statement waits for another process's lock.
  const db = new Database(path, { timeout: options.busyTimeoutMs });
  const kept = new Map<string, Database.Statement>();

  const prepare = (sql: string): Database.Statement => {
    const existing = kept.get(sql);
    if (existing !== undefined) return existing;
    const statement = db.prepare(sql);
    if (kept.size < MAX_SQL_TEXTS) kept.set(sql, statement);
    return statement;
  };

  const run = (sql: string, params: unknown[]): Row[] => {
    const statement = prepare(sql);
    const values = params.map(bindable);
    // Statements that return rows (SELECT, PRAGMA, … RETURNING) are read; the others run.
    if (statement.reader) return statement.all(...values) as Row[];
    statement.run(...values);
    return [];
  };

  return {
    query(sql, ...params) {
      try {
        return Promise.resolve(run(sql, params));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close() {
      kept.clear();
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
