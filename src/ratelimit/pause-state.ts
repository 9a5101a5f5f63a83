/**
 * "Paused until": what a 429 does to a whole API key. The pause is held locally (checked
 * synchronously when a slot comes up, so checking it costs no round trip) and, when
 * clustered, shared two ways: a Redis key with a PX expiry (read by replicas that start
 * during the pause) and a pub/sub broadcast (so running replicas stop within milliseconds).
 * Broadcasts carry the duration, not an epoch time, so replicas' clock skew does not matter.
 *
 * It also owns the backoff used when a 429 carries no Retry-After: it doubles while 429s
 * repeat, up to a cap, and resets on the first success.
 */
import { describeError, RateLimitedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BudgetRedis } from './budget-redis.js';
import { BudgetUnavailableError } from './errors.js';

export interface PauseStateConfig {
  backoffMs: number;
  maxBackoffMs: number;
  logger: Logger;
  /** Shared mode: the Redis key holding the pause; its name is also the broadcast channel. */
  shared?: {
    redis: BudgetRedis;
    key: string;
  };
}

export interface PauseState {
  /** Epoch ms until which the key is paused, or 0. */
  until(): number;
  isPaused(now?: number): boolean;
  /** Pauses this key for `ms` here and, when shared, on every replica. */
  pause(ms: number): Promise<void>;
  /** Listens to other replicas' pauses and reads one already set (call once at start). */
  load(budget: string): Promise<void>;
  /** Stops listening. */
  close(): Promise<void>;
  /**
   * A request failed: on a 429, pause for Retry-After or the current backoff. The backoff
   * only doubles for requests sent after the previous pause was set, so a burst of 429s
   * from requests that were already in flight counts as one.
   */
  onFailure(error: unknown, dispatchedAt: number): void;
  onSuccess(): void;
  /** Called with the new `until` whenever a pause starts or is extended. */
  onChange(listener: (until: number) => void): void;
}

const MESSAGE_PREFIX = 'pause:';

export function createPauseState(config: PauseStateConfig): PauseState {
  let pausedUntil = 0;
  let lastPauseSetAt = 0;
  let backoff = 0;
  let unsubscribe: (() => Promise<void>) | undefined;
  const listeners: Array<(until: number) => void> = [];

  const extendLocal = (ms: number): void => {
    const now = Date.now();
    lastPauseSetAt = now;
    if (now + ms <= pausedUntil) return;
    pausedUntil = now + ms;
    for (const listener of listeners) listener(pausedUntil);
  };

  const state: PauseState = {
    until: () => (pausedUntil > Date.now() ? pausedUntil : 0),
    isPaused: (now = Date.now()) => pausedUntil > now,

    async pause(ms) {
      const duration = Math.max(0, Math.ceil(ms));
      if (duration === 0) return;
      extendLocal(duration);
      const shared = config.shared;
      if (!shared) return;
      try {
        // Only lengthen the shared pause: a short Retry-After must not cut a longer one short.
        const remaining = await shared.redis.client.pTTL(shared.key);
        if (remaining < duration) await shared.redis.client.set(shared.key, String(duration), { expiration: { type: 'PX', value: duration } });
        await shared.redis.client.publish(shared.key, `${MESSAGE_PREFIX}${duration}`);
      } catch (error) {
        // The local pause holds; other replicas fail closed while Redis is unreachable.
        config.logger.warn({ err: describeError(error) }, 'rate budget: could not share a pause through Redis');
      }
    },

    async load(budget) {
      const shared = config.shared;
      if (!shared) return;
      try {
        unsubscribe = await shared.redis.subscribe(shared.key, (message) => {
          const ms = Number(message.slice(MESSAGE_PREFIX.length));
          if (message.startsWith(MESSAGE_PREFIX) && Number.isFinite(ms) && ms > 0) extendLocal(ms);
        });
        const remaining = await shared.redis.client.pTTL(shared.key);
        if (remaining > 0) extendLocal(remaining);
      } catch (error) {
        await state.close().catch(() => undefined);
        throw new BudgetUnavailableError(`the ${budget} rate budget could not start: ${describeError(error)}`, error);
      }
    },

    async close() {
      await unsubscribe?.();
      unsubscribe = undefined;
    },

    onFailure(error, dispatchedAt) {
      if (!(error instanceof RateLimitedError)) return;
      let ms: number;
      if (error.retryAfterFromServer) {
        ms = error.retryAfterMs;
      } else {
        if (backoff === 0) backoff = config.backoffMs;
        else if (dispatchedAt >= lastPauseSetAt) backoff = Math.min(backoff * 2, config.maxBackoffMs);
        ms = backoff;
      }
      config.logger.warn({ pauseMs: ms, fromServer: error.retryAfterFromServer }, 'rate budget: 429 received; pausing the key');
      void state.pause(ms);
    },

    onSuccess() {
      backoff = 0;
    },

    onChange(listener) {
      listeners.push(listener);
    },
  };
  return state;
}
