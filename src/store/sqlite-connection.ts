/**
 * The SQLite connection behind the embedded store, with prepared statements kept per SQL
 * text. node-sqlite3's `Database#all` (what @keyv/sqlite calls for every keyv operation)
 * prepares a new statement, runs it and finalizes it: three trips through the thread pool
 * and a native object per query, which made the store the bridge's main CPU cost (some 30
 * queries per mirrored message). A kept statement is one trip per query. Statements always
 * run to completion (`all`), so none holds a read snapshot open between queries.
 *
 * The driver is the one @keyv/sqlite itself loads (resolved from there, not a dependency of
 * ours), so both agree on the file format and locking.
 */
import { createRequire } from 'node:module';

export type Row = Record<string, unknown>;
export type Query = (sql: string, ...params: unknown[]) => Promise<Row[]>;

interface DriverStatement {
  all(params: unknown[], callback: (error: Error | null, rows: Row[]) => void): unknown;
  finalize(callback?: (error: Error | null) => void): unknown;
}
interface DriverDatabase {
  prepare(sql: string, callback: (error: Error | null) => void): DriverStatement;
  configure(option: 'busyTimeout', value: number): void;
  close(callback: (error: Error | null) => void): void;
}
interface Driver {
  Database: new (filename: string, callback: (error: Error | null) => void) => DriverDatabase;
}

const requireHere = createRequire(import.meta.url);
const driver = createRequire(requireHere.resolve('@keyv/sqlite'))('sqlite3') as Driver;

/** Distinct SQL texts kept prepared; ours are a few dozen fixed strings, this only bounds surprises. */
const MAX_SQL_TEXTS = 256;
/**
 * Statements kept per SQL text. One statement runs one call at a time, and the driver starts
 * its next call only after the previous one's callback ran on the main thread; a few copies
 * let concurrent callers (partitions reading their heads) queue in the thread pool at once,
 * as separate statements did. The driver's pool has 4 threads by default.
 */
const COPIES_PER_SQL = 4;

interface Kept {
  statement: Promise<DriverStatement>;
  busy: number;
}

export interface SqliteConnection {
  query: Query;
  close(): Promise<void>;
}

export async function openSqliteConnection(path: string, options: { busyTimeoutMs: number }): Promise<SqliteConnection> {
  const db = await new Promise<DriverDatabase>((resolve, reject) => {
    const opened: DriverDatabase = new driver.Database(path, (error) => (error ? reject(error) : resolve(opened)));
  });
  db.configure('busyTimeout', options.busyTimeoutMs);
  const kept = new Map<string, Kept[]>();

  const prepare = (sql: string): Promise<DriverStatement> =>
    new Promise((resolve, reject) => {
      const statement = db.prepare(sql, (error) => (error ? reject(error) : resolve(statement)));
    });
  const finalize = (statement: DriverStatement): Promise<void> => new Promise((resolve) => statement.finalize(() => resolve()));
  const run = (statement: DriverStatement, params: unknown[]): Promise<Row[]> =>
    new Promise((resolve, reject) => statement.all(params, (error, rows) => (error ? reject(error) : resolve(rows))));

  /** An idle copy, else a new one while under the bound, else the least busy. */
  const pick = (sql: string): Kept => {
    let copies = kept.get(sql);
    if (copies === undefined) {
      copies = [];
      kept.set(sql, copies);
    }
    let best: Kept | undefined;
    for (const copy of copies) if (best === undefined || copy.busy < best.busy) best = copy;
    if (best !== undefined && (best.busy === 0 || copies.length >= COPIES_PER_SQL)) return best;
    const fresh: Kept = { statement: prepare(sql), busy: 0 };
    copies.push(fresh);
    // A statement that does not prepare (bad SQL, a table not there yet) is not kept.
    fresh.statement.catch(() => {
      const list = kept.get(sql) ?? [];
      const at = list.indexOf(fresh);
      if (at >= 0) list.splice(at, 1);
    });
    return fresh;
  };

  return {
    async query(sql, ...params) {
      if (!kept.has(sql) && kept.size >= MAX_SQL_TEXTS) {
        const once = await prepare(sql);
        try {
          return await run(once, params);
        } finally {
          await finalize(once);
        }
      }
      const copy = pick(sql);
      copy.busy += 1;
      try {
        return await run(await copy.statement, params);
      } finally {
        copy.busy -= 1;
      }
    },
    async close() {
      const all = [...kept.values()].flat();
      kept.clear();
      for (const result of await Promise.allSettled(all.map((copy) => copy.statement))) if (result.status === 'fulfilled') await finalize(result.value);
      await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
