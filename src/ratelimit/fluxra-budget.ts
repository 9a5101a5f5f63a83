/**
 * The Fluxra rate budget. Fluxra documents no limits, so this is a conservative guess from
 * `fluxra.rateLimit`: at most `maxConcurrent` requests in flight and at most
 * `requestsPerSecond` started per second (spaced `1000 / requestsPerSecond` apart, so never
 * in bursts), people before polling, and a pause of the whole budget after a 429.
 *
 * bottleneck stays here, in its local datastore: an in-process priority queue with
 * concurrency and spacing is exactly what it does well. The limits are therefore per
 * replica (N replicas may send N × the configured rate); only the 429 pause is shared,
 * through our own Redis state (pause-state.ts), so one replica's 429 holds them all. Unlike
 * Blocks there is no strict window to honour, so a request that comes up during a pause
 * simply waits the pause out in its slot: starting late is harmless here.
 */
import Bottleneck from 'bottleneck';
import { describeError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { budgetId, SHARED_BUDGET_SCOPE } from './budget-id.js';
import type { BudgetRedis } from './budget-redis.js';
import { BudgetClosedError, BudgetWaitTimeoutError } from './errors.js';
import { createPauseState } from './pause-state.js';
import type { Admission, BudgetSnapshot, RateBudget, RequestPriority, ScheduleOptions } from './types.js';
import { callSend, createDispatchLog } from './waiter-queue.js';

/** Fluxra request pacing (config `fluxra.rateLimit`; the schema declares the defaults). */
export interface FluxraRateLimitConfig {
  maxConcurrent: number;
  requestsPerSecond: number;
  backoffMs: number;
}

export const FLUXRA_RATE_LIMIT_DEFAULTS: Readonly<FluxraRateLimitConfig> = Object.freeze({
  maxConcurrent: 8,
  requestsPerSecond: 20,
  backoffMs: 2_000,
});

export interface FluxraBudgetConfig {
  /** Names the shared state (hashed). The agent's API key or id; any stable credential. */
  apiKey: string;
  rateLimit?: Partial<FluxraRateLimitConfig>;
  /** Shared Redis for clustered mode: a 429's pause then holds every replica. */
  redis?: BudgetRedis;
  /** Scope of the Redis names (`budgetScope`); default: shared by every prefix. */
  idPrefix?: string;
  logger?: Logger;
}

/** bottleneck priorities: lower runs first. */
const PRIORITY: Record<RequestPriority, number> = { interactive: 2, background: 7 };
/** Repeated 429s with no Retry-After back off up to this many times `backoffMs`. */
const MAX_BACKOFF_FACTOR = 16;

export async function createFluxraBudget(config: FluxraBudgetConfig): Promise<RateBudget> {
  const rateLimit: FluxraRateLimitConfig = { ...FLUXRA_RATE_LIMIT_DEFAULTS, ...config.rateLimit };
  const logger = (config.logger ?? silentLogger()).child({ budget: 'fluxra' });
  const redis = config.redis;
  const id = budgetId(config.idPrefix ?? SHARED_BUDGET_SCOPE, 'fluxra', config.apiKey);
  const minTime = Math.ceil(1_000 / rateLimit.requestsPerSecond);
  const limiter = new Bottleneck({ maxConcurrent: rateLimit.maxConcurrent, minTime });
  limiter.on('error', (error: unknown) => logger.error({ err: describeError(error) }, 'rate budget: limiter error'));
  const pause = createPauseState({
    backoffMs: rateLimit.backoffMs,
    maxBackoffMs: rateLimit.backoffMs * MAX_BACKOFF_FACTOR,
    logger,
    shared: redis ? { redis, key: `${id}:paused` } : undefined,
  });
  await pause.load('Fluxra');

  const dispatches = createDispatchLog(1_000);
  const queued: Record<RequestPriority, number> = { interactive: 0, background: 0 };
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  let closed = false;

  /** Sleeps while the budget is paused (re-checking: the pause may be extended meanwhile). */
  async function waitOutPause(): Promise<void> {
    while (!closed && pause.isPaused()) {
      await new Promise<void>((resolve) => {
        const sleeper = {
          timer: setTimeout(
            () => {
              sleepers.delete(sleeper);
              resolve();
            },
            pause.until() - Date.now() + 1,
          ),
          wake: resolve,
        };
        sleepers.add(sleeper);
      });
    }
  }

  function schedule<T>(options: ScheduleOptions, send: (admission?: Admission) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new BudgetClosedError('Fluxra'));
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

    const job = limiter.schedule({ priority: PRIORITY[options.priority] }, async () => {
      await waitOutPause();
      if (gaveUp || closed) {
        leaveQueue();
        return undefined;
      }
      leaveQueue();
      clearTimeout(timer);
      const dispatchedAt = Date.now();
      dispatches.record(dispatchedAt);
      sent = callSend(() => send({ recordedAt: dispatchedAt }));
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
        // The caller gets the request's own outcome, so it never retries a request that went out.
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
      await pause.close().catch(() => undefined);
    },
  };
}
