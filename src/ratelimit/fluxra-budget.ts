/**
 * The Fluxra rate budget. Fluxra documents no limits, so this is a conservative guess from
 * `fluxra.rateLimit`: at most `maxConcurrent` requests in flight and at most
 * `requestsPerSecond` started per second (spaced `1000 / requestsPerSecond` apart, so never
 * in bursts), people before polling, and a pause of the whole budget after a 429.
 *
 * Unlike Blocks there is no strict window to honour, so bottleneck's own priority queue
 * does the ordering (a job holds its concurrency slot until the response arrives, so jobs
 * do queue), and a request that comes up during a pause simply waits the pause out in its
 * slot: starting late is harmless here.
 */
import Bottleneck from 'bottleneck';
import type { BridgeConfig } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { budgetId, DEFAULT_ID_PREFIX } from './budget-id.js';
import { detachLimiter, type BudgetRedis } from './budget-redis.js';
import { BudgetClosedError, BudgetUnavailableError, BudgetWaitTimeoutError } from './errors.js';
import { createPauseState } from './pause-state.js';
import type { BudgetSnapshot, RateBudget, RequestPriority, ScheduleOptions } from './types.js';
import { createDispatchLog } from './waiter-queue.js';

export type FluxraRateLimitConfig = BridgeConfig['fluxra']['rateLimit'];

export const FLUXRA_RATE_LIMIT_DEFAULTS: Readonly<FluxraRateLimitConfig> = Object.freeze({
  maxConcurrent: 8,
  requestsPerSecond: 20,
  backoffMs: 2_000,
});

export interface FluxraBudgetConfig {
  /** Names the shared state (hashed). The agent's API key or id; any stable credential. */
  apiKey: string;
  rateLimit?: Partial<FluxraRateLimitConfig>;
  /** Shared Redis for clustered mode (the limits then hold for all replicas together). */
  redis?: BudgetRedis;
  idPrefix?: string;
  logger?: Logger;
  /** Clustered only: a replica that dies mid-request gives its slot back after this long. */
  jobExpirationMs?: number;
}

/** bottleneck priorities: lower runs first. */
const PRIORITY: Record<RequestPriority, number> = { interactive: 2, background: 7 };
/** Repeated 429s with no Retry-After back off up to this many times `backoffMs`. */
const MAX_BACKOFF_FACTOR = 16;

export async function createFluxraBudget(config: FluxraBudgetConfig): Promise<RateBudget> {
  const rateLimit: FluxraRateLimitConfig = { ...FLUXRA_RATE_LIMIT_DEFAULTS, ...config.rateLimit };
  const logger = (config.logger ?? silentLogger()).child({ budget: 'fluxra' });
  const redis = config.redis;
  const id = budgetId(config.idPrefix ?? DEFAULT_ID_PREFIX, 'fluxra', config.apiKey);
  const minTime = Math.ceil(1_000 / rateLimit.requestsPerSecond);
  const store = redis
    ? { datastore: 'ioredis' as const, connection: redis.connection, clearDatastore: false, timeout: 600_000 }
    : { datastore: 'local' as const };
  const limiter = new Bottleneck({ id: `${id}:main`, maxConcurrent: rateLimit.maxConcurrent, minTime, ...store });
  limiter.on('error', (error: unknown) => logger.error({ err: describeError(error) }, 'rate budget: limiter error'));
  const pause = createPauseState({
    backoffMs: rateLimit.backoffMs,
    maxBackoffMs: rateLimit.backoffMs * MAX_BACKOFF_FACTOR,
    logger,
    shared: redis ? { redis, key: `${id}:paused`, broadcast: (message) => limiter.publish(message) } : undefined,
  });
  limiter.on('message', (message: string) => {
    pause.receive(message);
  });
  try {
    await limiter.ready();
    await limiter.updateSettings({ maxConcurrent: rateLimit.maxConcurrent, minTime });
    await pause.load();
  } catch (error) {
    await limiter.disconnect(false).catch(() => undefined);
    throw new BudgetUnavailableError(`the Fluxra rate budget could not start: ${describeError(error)}`, error);
  }

  const jobExpirationMs = redis ? (config.jobExpirationMs ?? 120_000) : undefined;
  const dispatches = createDispatchLog(1_000);
  const queued: Record<RequestPriority, number> = { interactive: 0, background: 0 };
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  let closed = false;

  /** Sleeps while the budget is paused (re-checking: the pause may be extended meanwhile). */
  async function waitOutPause(): Promise<void> {
    while (!closed && pause.isPaused()) {
      await new Promise<void>((resolve) => {
        const sleeper = {
          timer: setTimeout(() => {
            sleepers.delete(sleeper);
            resolve();
          }, pause.until() - Date.now() + 1),
          wake: resolve,
        };
        sleepers.add(sleeper);
      });
    }
  }

  function schedule<T>(options: ScheduleOptions, send: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new BudgetClosedError('Fluxra'));
    if (redis && !redis.isUp()) {
      return Promise.reject(new BudgetUnavailableError(`Redis at ${redis.where} is unreachable: Fluxra requests are not sent without the shared rate budget`));
    }
    let gaveUp = false;
    let started = false;
    let sent: Promise<T> | undefined;
    let timer: NodeJS.Timeout | undefined;
    queued[options.priority] += 1;
    const leaveQueue = (): void => {
      if (started) return;
      started = true;
      queued[options.priority] -= 1;
    };

    const job = limiter.schedule({ priority: PRIORITY[options.priority], ...(jobExpirationMs ? { expiration: jobExpirationMs } : {}) }, async () => {
      await waitOutPause();
      if (gaveUp || closed) {
        leaveQueue();
        return undefined;
      }
      leaveQueue();
      clearTimeout(timer);
      const dispatchedAt = Date.now();
      dispatches.record(dispatchedAt);
      try {
        sent = Promise.resolve(send());
      } catch (error) {
        sent = Promise.reject(error);
      }
      try {
        const value = await sent;
        pause.onSuccess();
        return value;
      } catch (error) {
        pause.onFailure(error, dispatchedAt);
        throw error;
      }
    });

    const outcome = job.then(
      (value) => value as T,
      (error: unknown) => {
        leaveQueue();
        clearTimeout(timer);
        // bottleneck may give up on a job whose request is still running (expiration):
        // the caller gets the request's own outcome, so it never retries a request that went out.
        if (sent) return sent;
        if (closed) throw new BudgetClosedError('Fluxra');
        throw error instanceof Error ? error : new Error(String(error));
      },
    );
    const maxWaitMs = options.maxWaitMs;
    if (maxWaitMs === undefined) return outcome;
    return new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => {
        if (started) return;
        gaveUp = true;
        leaveQueue();
        reject(new BudgetWaitTimeoutError('Fluxra', maxWaitMs, options.label));
      }, maxWaitMs);
      outcome.then(
        (value) => (gaveUp ? undefined : resolve(value)),
        (error: unknown) => (gaveUp ? undefined : reject(error)),
      );
    });
  }

  return {
    schedule,
    async pause(ms) {
      await pause.pause(ms);
    },
    estimateWaitMs(priority) {
      const pauseLeft = Math.max(0, pause.until() - Date.now());
      const ahead = priority === 'interactive' ? queued.interactive : queued.interactive + queued.background;
      return pauseLeft + (ahead + 1) * minTime;
    },
    snapshot(): BudgetSnapshot {
      const now = Date.now();
      return {
        usedInWindow: dispatches.countSince(now - 1_000),
        limit: rateLimit.requestsPerSecond,
        windowMs: 1_000,
        queued: { ...queued },
        pausedUntil: pause.until(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.wake();
      }
      sleepers.clear();
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      await detachLimiter(limiter, redis).catch(() => undefined);
    },
  };
}
