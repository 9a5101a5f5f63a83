/**
 * "Have we seen this event before?" for Slack retries and gateway replays. The check and the
 * record are one atomic backend operation (see backend.ts), so of N concurrent deliveries of
 * one event, on one replica or several, exactly one is told it is new.
 */
import type { StoreBackend } from './backend.js';
import { assertTtl } from './kv.js';

/** Atomic seen-before markers with a TTL. */
export interface DedupeRepository {
  /**
   * Records `key` for `ttlMs` (default: the store's dedupe TTL) and says whether it was
   * already recorded and not yet expired. Only the first of concurrent callers gets false.
   */
  seen(key: string, ttlMs?: number): Promise<boolean>;
}

/** Slack retries for about an hour and a gateway replay is minutes old: a day is ample. */
export const DEFAULT_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

export function createDedupeRepository(backend: StoreBackend, prefix: string, defaultTtlMs = DEFAULT_DEDUPE_TTL_MS): DedupeRepository {
  assertTtl(defaultTtlMs, 'dedupe');
  return {
    async seen(key, ttlMs = defaultTtlMs) {
      assertTtl(ttlMs, 'dedupe.seen');
      const recorded = await backend.setIfAbsent(`${prefix}:dedupe:${key}`, ttlMs);
      return !recorded;
    },
  };
}
