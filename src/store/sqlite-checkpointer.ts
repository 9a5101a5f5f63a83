/**
 * Moves SQLite's WAL checkpoints off the main thread.
 *
 * Why: queries run on the main thread (better-sqlite3, see sqlite-connection.ts), and by
 * default the commit that takes the WAL past 1,000 pages also runs the checkpoint, which
 * copies pages into the database file and fsyncs it. At 100 mirrored messages/s that is a
 * checkpoint every fraction of a second, and an fsync landing on a busy disk stalled the
 * whole event loop for ~250 ms (`npm run bench:mirror`: to-Fluxra p99 138 ms with, 46 ms
 * without). So the main connection never checkpoints (`wal_autocheckpoint = 0`), and a
 * worker thread with its own connection to the same file runs a PASSIVE checkpoint every
 * `intervalMs`: PASSIVE never waits for, nor blocks, the writer. Same SQLite library copy,
 * same process, so the file locks agree (two copies of SQLite in one process must never
 * share a file).
 *
 * If the worker fails, the main connection goes back to checkpointing itself, so the WAL
 * never grows without bound. Closing the main connection (the last one) checkpoints what
 * is left, as SQLite always does.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Query } from './sqlite-connection.js';

export interface SqliteCheckpointer {
  close(): Promise<void>;
}

/** SQLite's default: what the main connection returns to if the worker goes away. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

// Plain CommonJS run with `eval`, so that it loads the same way under tsx and compiled.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (error) {
    // SQLITE_BUSY: another checkpoint runs; anything else is reported and the next tick retries.
    if (error && error.code !== 'SQLITE_BUSY') parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export async function startSqliteCheckpointer(
  options: { path: string; busyTimeoutMs: number; intervalMs: number; query: Query },
  deps: { logger: Logger },
): Promise<SqliteCheckpointer> {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, busyTimeoutMs: options.busyTimeoutMs, intervalMs: options.intervalMs, driverPath },
    // Its own small heap: it only holds one connection.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  // Only now does the main connection stop checkpointing: the worker exists.
  await options.query(`PRAGMA wal_autocheckpoint = 0`);
  let closing = false;
  const fallBack = (why: string): void => {
    if (closing) return;
    deps.logger.warn({ why }, 'store: the checkpoint thread stopped; the main connection checkpoints again');
    options.query(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`).catch(() => undefined);
  };
  worker.on('message', (message: { error?: string }) => {
    if (message.error) deps.logger.warn({ err: message.error }, 'store: a WAL checkpoint failed; retrying on the next tick');
  });
  worker.on('error', (error) => fallBack(describeError(error)));
  worker.on('exit', (code) => fallBack(`exit code ${code}`));
  // Never keeps the process alive on its own.
  worker.unref();

  return {
    async close() {
      if (closing) return;
      closing = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Held open until it has closed its connection.
      worker.ref();
      worker.postMessage('close');
      await exited;
      await options.query(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`).catch(() => undefined);
    },
  };
}
