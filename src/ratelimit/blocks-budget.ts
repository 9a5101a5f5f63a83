/**
 * The Blocks rate budget: at most `limit` requests in ANY `windowMs`, counted at arrival,
 * per API key and across every replica and process using the key (spec/blocks-api.md §3,
 * §10.3).
 *
 * An exact sliding-window log (window-log.ts; in Redis when clustered, window-redis.ts)
 * records each admission and refuses when `limit` are in the last window + margin, so after
 * a quiet minute 100 people's requests go at once, and under saturation every slot that
 * leaves the window is used again. Requests are admitted at send time and sent at once
 * (admission-loop.ts); one admitted too late to be sent within half the margin is admitted
 * again, so no request arrives later than its record plus the margin.
 *
 * People go first: they take any room; polling is paced over the window, kept out of the
 * interactive reserve and out of a small headroom that people find free under saturation.
 * A 429 pauses the key on every replica (pause-state.ts). Without Redis nothing is sent at all (fail closed).
 */
import { ConfigError, describeError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { createAdmissionLoop } from './admission-loop.js';
import { budgetId, SHARED_BUDGET_SCOPE } from './budget-id.js';
import type { BudgetRedis } from './budget-redis.js';
import { BudgetClosedError, BudgetUnavailableError, BudgetWaitTimeoutError } from './errors.js';
import { createPauseState } from './pause-state.js';
import type { Admission, BudgetSnapshot, RateBudget, RequestPriority, ScheduleOptions } from './types.js';
import { callSend, createDispatchLog, createWaiterQueue, type Waiter } from './waiter-queue.js';
import { createMemoryWindowStore, type WindowRules } from './window-log.js';
import { createRedisWindowStore } from './window-redis.js';

/** The Blocks key's limits (config `blocks.rateLimit`; the schema declares the defaults). */
export interface BlocksRateLimitConfig {
  limit: number;
  windowMs: number;
  safetyMarginMs: number;
  interactiveReserve: number;
  backoffMs: number;
  maxBackoffMs: number;
  shareAcrossPrefixes: boolean;
}

/** The documented values (spec §3), the same as the config schema's defaults. */
export const BLOCKS_RATE_LIMIT_DEFAULTS: Readonly<BlocksRateLimitConfig> = Object.freeze({
  limit: 100,
  windowMs: 60_000,
  safetyMarginMs: 1_000,
  interactiveReserve: 10,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  shareAcrossPrefixes: true,
});

export interface BlocksBudgetConfig {
  /** Only its hash is used, to name the shared state. */
  apiKey: string;
  /** `blocks.rateLimit` from the config; missing fields take the documented defaults. */
  rateLimit?: Partial<BlocksRateLimitConfig>;
  /** Shared Redis for clustered mode; without it the budget is local to this process. */
  redis?: BudgetRedis;
  /** Scope of the Redis names (`budgetScope`); default: shared by every prefix. */
  idPrefix?: string;
  logger?: Logger;
}

/** Polling's average time between admissions on a saturated key (rounded up). */
export function blocksSpacing(rateLimit: Pick<BlocksRateLimitConfig, 'limit' | 'windowMs' | 'safetyMarginMs' | 'interactiveReserve'>): { backgroundSlotMs: number } {
  return { backgroundSlotMs: Math.ceil((rateLimit.windowMs + rateLimit.safetyMarginMs) / (rateLimit.limit - rateLimit.interactiveReserve)) };
}

/**
 * The log's rules for a configuration. Headroom: 2 % of the limit (never more than the
 * reserve), one slot of it lent to polling when an entry leaves within a pace: measured,
 * people then rarely find the log full and never for long, at 97 % use of the key.
 */
export function blocksWindowRules(rateLimit: Pick<BlocksRateLimitConfig, 'limit' | 'windowMs' | 'safetyMarginMs' | 'interactiveReserve'>): WindowRules {
  const spanMs = rateLimit.windowMs + rateLimit.safetyMarginMs;
  return {
    limit: rateLimit.limit,
    spanMs,
    backgroundLimit: rateLimit.limit - rateLimit.interactiveReserve,
    paceMs: Math.floor(spanMs / rateLimit.limit),
    headroom: Math.min(rateLimit.interactiveReserve, Math.ceil(rateLimit.limit * 0.02)),
  };
}

export async function createBlocksBudget(config: BlocksBudgetConfig): Promise<RateBudget> {
  const rateLimit: BlocksRateLimitConfig = { ...BLOCKS_RATE_LIMIT_DEFAULTS, ...config.rateLimit };
  if (rateLimit.interactiveReserve >= rateLimit.limit) {
    throw new ConfigError([
      { key: 'blocks.rateLimit.interactiveReserve', found: String(rateLimit.interactiveReserve), expected: `less than blocks.rateLimit.limit (${rateLimit.limit})` },
    ]);
  }
  const { backgroundSlotMs } = blocksSpacing(rateLimit);
  const rules = blocksWindowRules(rateLimit);
  const logger = (config.logger ?? silentLogger()).child({ budget: 'blocks' });
  const redis = config.redis;
  const id = budgetId(config.idPrefix ?? SHARED_BUDGET_SCOPE, 'blocks', config.apiKey);
  const pause = createPauseState({ backoffMs: rateLimit.backoffMs, maxBackoffMs: rateLimit.maxBackoffMs, logger, shared: redis ? { redis, key: `${id}:paused` } : undefined });
  await pause.load('Blocks');

  const queue = createWaiterQueue();
  const dispatches = createDispatchLog(rateLimit.windowMs);
  let closed = false;
  const unavailable = (): BudgetUnavailableError =>
    new BudgetUnavailableError(`Redis at ${redis?.where ?? '?'} is unreachable: Blocks requests are not sent without the shared rate budget`);
  const canRun = (): boolean => !closed && (redis === undefined || redis.isUp());
  const loop = createAdmissionLoop({
    store: redis ? createRedisWindowStore(redis.client, id, rules) : createMemoryWindowStore(rules),
    queue,
    pause,
    // The other half of the margin is for what happens between admission and arrival: one
    // durable store write (agent sessions record the attempt first) and the way to Blocks.
    sendBoundMs: redis ? rateLimit.safetyMarginMs / 2 : undefined,
    maxBatch: Math.max(1, Math.ceil(rateLimit.limit / 4)),
    canRun,
    onError(error) {
      if (closed) return;
      // The state is recreated by the next call: fail these requests, not the budget.
      logger.error({ err: describeError(error) }, 'rate budget: the window log could not be consulted');
      queue.failAll(new BudgetUnavailableError(`the Blocks rate budget could not admit the request: ${describeError(error)}`, error));
    },
    logger,
  });
  pause.onChange(() => loop.pump());
  const unsubscribe = redis?.onStatusChange((up) => {
    if (up) return loop.pump();
    loop.reset();
    queue.failAll(unavailable());
  });

  function schedule<T>(options: ScheduleOptions, send: (admission?: Admission) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new BudgetClosedError('Blocks'));
    if (!canRun()) return Promise.reject(unavailable());
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        priority: options.priority,
        label: options.label,
        enqueuedAt: Date.now(),
        start(admission) {
          clearTimeout(timer);
          const dispatchedAt = Date.now();
          dispatches.record(dispatchedAt);
          const result = callSend(() => send(admission));
          result.then(
            () => pause.onSuccess(),
            (error: unknown) => pause.onFailure(error, dispatchedAt),
          );
          resolve(result);
        },
        fail(error) {
          clearTimeout(timer);
          reject(error);
        },
      };
      const maxWaitMs = options.maxWaitMs;
      if (maxWaitMs !== undefined) {
        timer = setTimeout(() => {
          if (queue.remove(waiter)) reject(new BudgetWaitTimeoutError('Blocks', maxWaitMs, options.label));
        }, maxWaitMs);
      }
      queue.push(waiter);
      loop.pump();
    });
  }

  return {
    schedule,
    async pause(ms) {
      await pause.pause(ms);
    },
    estimateWaitMs(priority: RequestPriority) {
      const now = Date.now();
      const ahead = queue.size('interactive') * rules.paceMs + (priority === 'background' ? queue.size('background') * backgroundSlotMs : 0);
      return Math.max(now, pause.until(), loop.retryAt(priority)) - now + ahead;
    },
    snapshot(): BudgetSnapshot {
      return {
        usedInWindow: dispatches.countSince(Date.now() - rateLimit.windowMs),
        limit: rateLimit.limit,
        windowMs: rateLimit.windowMs,
        queued: { interactive: queue.size('interactive'), background: queue.size('background') },
        pausedUntil: pause.until(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      loop.reset();
      queue.failAll(new BudgetClosedError('Blocks'));
      await pause.close().catch(() => undefined);
    },
  };
}
