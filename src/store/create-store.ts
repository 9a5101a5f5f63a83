/**
 * The store: typed repositories over one keyv-backed backend, SQLite (embedded, the default)
 * or Redis (when several replicas share state). Build one per process in the composition
 * root and hand it to the engines; `close()` it on shutdown.
 */

import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { type AgentQuotaLedger, createAgentQuotaLedger } from './agent-quota.js';
import type { BackendKind, StoreBackend } from './backend.js';
import { type CursorsRepository, createCursorsRepository } from './cursors.js';
import { createDeadLetterRepository, type DeadLetterRepository } from './dead-letters.js';
import { createDedupeRepository, type DedupeRepository } from './dedupe.js';
import { StoreError } from './errors.js';
import { createKvNamespace, KV_NAME_PATTERN, type KvNamespace } from './kv.js';
import { createLinksRepository, type LinksRepository } from './links.js';
import { createMessageMapRepository, type MessageMapRepository } from './message-map.js';
import { createOutboxRepository, type OutboxRepository } from './outbox.js';
import { openRedisBackend } from './redis-backend.js';
import { createSessionsRepository, type SessionsRepository } from './sessions.js';
import { openSqliteBackend } from './sqlite-backend.js';

/** Where the store lives. With `redisUrl` it is Redis; otherwise the SQLite file at `path`. */
export interface StoreConfig {
  /** SQLite file (config `store.path`); its directory is created when missing. */
  path?: string;
  /** Redis URL (config `redis.url`); takes precedence over `path`. */
  redisUrl?: string;
  /** Redis only: a command not answered within this long rejects. Default 2000. */
  redisCommandTimeoutMs?: number;
  /** Prefix of every key; lets several bridges (or tests) share one Redis. Default `fluxra-bridge`. */
  namespacePrefix?: string;
  /** How long message-map entries live after their last write. Default 30 days. */
  messageMapTtlMs?: number;
  /** Default TTL of dedupe markers. Default 24 hours. */
  dedupeTtlMs?: number;
  /** SQLite only: `normal` (default) survives a crash of the bridge; `full` also a power loss. */
  sqliteSynchronous?: 'normal' | 'full';
}

export interface StoreDeps {
  logger: Logger;
}

/** The bridge's persistent state. */
export interface Store {
  readonly backend: BackendKind;
  readonly links: LinksRepository;
  readonly messageMap: MessageMapRepository;
  readonly cursors: CursorsRepository;
  readonly dedupe: DedupeRepository;
  readonly outbox: OutboxRepository;
  /** Outbox items that failed for good, kept until an operator retries or drops them. */
  readonly deadLetters: DeadLetterRepository;
  readonly sessions: SessionsRepository;
  /** Agent turns admitted per person and per channel (the quota). */
  readonly agentQuota: AgentQuotaLedger;
  /** A typed namespace for a feature's own records; `name` is lowercase letters, digits, `-`. */
  kv<T>(name: string): KvNamespace<T>;
  /** For readiness checks: rejects with a StoreError when the backend does not answer. */
  ping(): Promise<void>;
  /** Closes the connection; idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_NAMESPACE_PREFIX = 'fluxra-bridge';
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export async function createStore(config: StoreConfig, deps: StoreDeps): Promise<Store> {
  const prefix = config.namespacePrefix ?? DEFAULT_NAMESPACE_PREFIX;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError([{ key: 'store.namespacePrefix', found: JSON.stringify(prefix), expected: 'letters, digits, _ . - (at most 100)' }]);
  }
  for (const key of ['messageMapTtlMs', 'dedupeTtlMs'] as const) {
    const value = config[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new ConfigError([{ key: `store.${key}`, found: String(value), expected: 'a positive integer of milliseconds' }]);
    }
  }
  const logger = deps.logger.child({ component: 'store' });

  let backend: StoreBackend;
  if (config.redisUrl !== undefined) {
    backend = await openRedisBackend({ url: config.redisUrl, prefix, ...(config.redisCommandTimeoutMs ? { commandTimeoutMs: config.redisCommandTimeoutMs } : {}) }, { logger });
  } else if (config.path !== undefined && config.path !== '') {
    backend = await openSqliteBackend({ path: config.path, prefix, ...(config.sqliteSynchronous ? { synchronous: config.sqliteSynchronous } : {}) }, { logger });
  } else {
    throw new ConfigError([{ key: 'store.path', found: 'nothing', expected: 'a SQLite file path, or redis.url' }]);
  }

  try {
    const outbox = await createOutboxRepository(backend);
    const store: Store = {
      backend: backend.kind,
      links: createLinksRepository(backend, prefix),
      messageMap: createMessageMapRepository(backend, prefix, config.messageMapTtlMs),
      cursors: createCursorsRepository(backend, prefix),
      dedupe: createDedupeRepository(backend, prefix, config.dedupeTtlMs),
      outbox,
      deadLetters: createDeadLetterRepository(backend, outbox),
      sessions: createSessionsRepository(backend, prefix),
      agentQuota: createAgentQuotaLedger(backend),
      kv<T>(name: string) {
        if (!KV_NAME_PATTERN.test(name)) throw new RangeError(`store.kv: invalid namespace name ${JSON.stringify(name)}`);
        return createKvNamespace<T>(backend.keyv, `${prefix}:kv:${name}`);
      },
      ping: () => backend.ping(),
      close: () => backend.close(),
    };
    logger.info({ backend: backend.kind }, 'store opened');
    return store;
  } catch (error) {
    await backend.close().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError('STORE_UNAVAILABLE', 'Cannot open the store', { cause: error, retryable: true });
  }
}
