/**
 * The Blocks rate budget: at most `limit` requests in ANY `windowMs`, counted at arrival,
 * per API key and across every replica (spec/blocks-api.md §3, §10.3).
 *
 * Why spacing and not a reservoir: bottleneck's reservoir refills on a fixed clock, so 100
 * at the end of one refill period plus 100 at the start of the next land within seconds.
 * Spacing does hold for any window: with slots `(windowMs + safetyMarginMs) / limit` apart,
 * any `limit + 1` consecutive dispatches span at least `windowMs + safetyMarginMs`, so they
 * still span a full window at the server as long as dispatch-to-arrival delays differ by
 * less than the margin. Clustered, bottleneck keeps `nextRequest` in Redis, so the spacing
 * holds across replicas (bottleneck's Lua uses each caller's clock: replicas' clock skew
 * must stay well under the margin, which NTP gives).
 *
 * How priorities work: bottleneck books a slot when a job is registered, first come first
 * served. So this budget does not hand it requests; it holds one "ticket" (slot booking)
 * at a time and binds a ticket to a request only when the slot comes up: the
 * oldest interactive request if any, else a background one. A ticket is booked at once
 * when a person is waiting, but clustered, one that only polling would use is booked just
 * before the key's next free slot (next-slot-watch.ts): booked at once, the poller's next
 * ticket would always be a slot ahead and a person on another replica would wait behind
 * it, up to two slots. So about one booking is held ahead on the whole key, and a person
 * waits for about one slot (plus the lead) behind polling; people behind people wait more.
 *
 * The reserve: a background request needs the cluster-wide background gate (a second
 * bottleneck limiter, maxConcurrent 1, handed over after a few background dispatches) and
 * may only take a slot when fewer than `limit − interactiveReserve` background requests were
 * dispatched in the last `windowMs + safetyMarginMs`. The holder reads that log from Redis
 * when it gets the gate and appends to it before it lets go, so polling never gets more
 * than `limit − interactiveReserve` per window at the server, whatever the main queue did
 * to it, while still being free to take any slot people leave (a spacing rule would waste
 * the gap between the two spacings at every background dispatch).
 *
 * Failure rules: a request is sent at most once and only at its slot. A slot that comes up
 * during a pause, after its request gave up, or after Redis was lost is wasted (safe);
 * nothing is ever sent late, early or twice. Without Redis nothing is sent at all.
 */
import Bottleneck from 'bottleneck';
import type { BridgeConfig } from '../config/schema.js';
import { ConfigError, describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { budgetId, DEFAULT_ID_PREFIX } from './budget-id.js';
import { detachLimiter, type BudgetRedis } from './budget-redis.js';
import { BudgetClosedError, BudgetUnavailableError, BudgetWaitTimeoutError } from './errors.js';
import { createNextSlotWatch } from './next-slot-watch.js';
import { createPauseState } from './pause-state.js';
import type { BudgetSnapshot, RateBudget, RequestPriority, ScheduleOptions } from './types.js';
import { createDispatchLog, createWaiterQueue, type Waiter } from './waiter-queue.js';

export type BlocksRateLimitConfig = BridgeConfig['blocks']['rateLimit'];

/** The documented values (spec §3), the same as the config schema's defaults. */
export const BLOCKS_RATE_LIMIT_DEFAULTS: Readonly<BlocksRateLimitConfig> = Object.freeze({
  limit: 100,
  windowMs: 60_000,
  safetyMarginMs: 1_000,
  interactiveReserve: 10,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
});

export interface BlocksBudgetConfig {
  /** Only its hash is used, to name the shared state. */
  apiKey: string;
  /** `blocks.rateLimit` from the config; missing fields take the documented defaults. */
  rateLimit?: Partial<BlocksRateLimitConfig>;
  /** Shared Redis for clustered mode; without it the budget is local to this process. */
  redis?: BudgetRedis;
  /** Namespace for Redis keys and channels (tests use a unique one). */
  idPrefix?: string;
  logger?: Logger;
}

export interface BlocksSpacing {
  /** Minimum time between two dispatches on the key. */
  slotMs: number;
  /** Minimum time between two background dispatches on the key. */
  backgroundSlotMs: number;
}

/** Slot spacing for a configuration (rounded up: rounding down could fit limit+1 in a window). */
export function blocksSpacing(rateLimit: BlocksRateLimitConfig): BlocksSpacing {
  const span = rateLimit.windowMs + rateLimit.safetyMarginMs;
  return {
    slotMs: Math.ceil(span / rateLimit.limit),
    backgroundSlotMs: Math.ceil(span / (rateLimit.limit - rateLimit.interactiveReserve)),
  };
}

/**
 * Slot bookings one replica holds at once. One is enough (re-booking takes a Redis round
 * trip, far shorter than a slot) and keeps a person's wait short: every extra booking held
 * for polling would add a slot to it (measured: p95 306 → 215 ms at 10 s).
 */
const MAX_TICKETS = 1;
/** Bottleneck's job ids are random; one priority is enough since we bind requests late. */
const TICKET_OPTIONS = { priority: 5 } as const;
/**
 * Clustered, a booking only polling would use is made a tenth of a slot before the key's
 * next free slot (next-slot-watch.ts), and never less than the floor. The lead is added to
 * a person's wait behind polling; a booking made late (it has to fit a Redis read,
 * bottleneck's two calls to book and event-loop lag) delays the slot for everyone. Both
 * cost a fraction of a slot. Measured on the benchmark (local Redis, busy 2-core host):
 * booking takes 2–5 ms from the timer, so 10 ms rarely comes late.
 */
const LATE_BOOKING_LEAD_SLOT_FRACTION = 0.1;
const LATE_BOOKING_MIN_LEAD_MS = 10;

interface Ticket {
  watchdog: NodeJS.Timeout;
}

interface GateHold {
  /** No more background dispatches under this hold (it is being handed over). */
  used: boolean;
  dispatched: number;
  /** The log writes made under this hold, in order; the gate goes after the last one. */
  writes: Promise<unknown>;
  release: () => void;
}

/**
 * Background dispatches a replica may make per turn with the gate. Handing the gate over
 * costs a few Redis round trips (pub/sub included); doing it once per few dispatches keeps
 * that off the critical path under load, while the replicas still take turns.
 */
const BACKGROUND_TURN = 4;

/** Keeps the background log readable for a while after the last background dispatch. */
const BACKGROUND_LOG_TTL_FACTOR = 2;

export async function createBlocksBudget(config: BlocksBudgetConfig): Promise<RateBudget> {
  const rateLimit: BlocksRateLimitConfig = { ...BLOCKS_RATE_LIMIT_DEFAULTS, ...config.rateLimit };
  if (rateLimit.interactiveReserve >= rateLimit.limit) {
    throw new ConfigError([
      { key: 'blocks.rateLimit.interactiveReserve', found: String(rateLimit.interactiveReserve), expected: `less than blocks.rateLimit.limit (${rateLimit.limit})` },
    ]);
  }
  const { slotMs, backgroundSlotMs } = blocksSpacing(rateLimit);
  const logger = (config.logger ?? silentLogger()).child({ budget: 'blocks' });
  const redis = config.redis;
  const id = budgetId(config.idPrefix ?? DEFAULT_ID_PREFIX, 'blocks', config.apiKey);
  // A ticket that has not come up by then was lost inside bottleneck (a failed Redis call
  // leaves the job queued): forget it and book another. If it comes up later it is wasted.
  const ticketStallMs = Math.max(30_000, 50 * slotMs);
  // A replica that dies holding the background gate blocks polling (never people) this long.
  const gateExpirationMs = rateLimit.windowMs;

  const store = redis
    ? {
        datastore: 'ioredis' as const,
        connection: redis.connection,
        // Never wipe the shared state: a replica starting must not reset nextRequest.
        clearDatastore: false,
        // Lets Redis drop the state of a key nobody has used for a while (rotated keys).
        timeout: Math.max(10 * rateLimit.windowMs, 600_000),
      }
    : { datastore: 'local' as const };
  const main = new Bottleneck({ id: `${id}:main`, minTime: slotMs, maxConcurrent: null, ...store });
  const gate = new Bottleneck({ id: `${id}:background`, maxConcurrent: 1, minTime: 0, ...store });
  for (const limiter of [main, gate]) {
    limiter.on('error', (error: unknown) => logger.error({ err: describeError(error) }, 'rate budget: limiter error'));
  }
  const pause = createPauseState({
    backoffMs: rateLimit.backoffMs,
    maxBackoffMs: rateLimit.maxBackoffMs,
    logger,
    shared: redis ? { redis, key: `${id}:paused`, broadcast: (message) => main.publish(message) } : undefined,
  });
  main.on('message', (message: string) => {
    pause.receive(message);
  });
  const nextSlot = redis
    ? createNextSlotWatch({
        client: redis.client,
        // Bottleneck's settings hash for the main limiter, where it keeps `nextRequest`.
        settingsKey: `b_${main.id}_settings`,
        leadMs: Math.max(LATE_BOOKING_MIN_LEAD_MS, Math.round(slotMs * LATE_BOOKING_LEAD_SLOT_FRACTION)),
        retryMs: slotMs,
        wake: () => pump(),
        onError: (error) => logger.warn({ err: describeError(error) }, 'rate budget: could not read the next free slot'),
      })
    : undefined;

  try {
    await Promise.all([main.ready(), gate.ready()]);
    // The first limiter to create the shared state stored its settings; make ours current so
    // that a changed configuration takes effect (replicas must share one configuration).
    await main.updateSettings({ minTime: slotMs, maxConcurrent: null });
    await gate.updateSettings({ maxConcurrent: 1, minTime: 0 });
    await pause.load();
  } catch (error) {
    await Promise.allSettled([main.disconnect(false), gate.disconnect(false)]);
    throw new BudgetUnavailableError(`the Blocks rate budget could not start: ${describeError(error)}`, error);
  }

  const queue = createWaiterQueue();
  const dispatches = createDispatchLog(rateLimit.windowMs);
  const tickets = new Set<Ticket>();
  let closed = false;
  let resumeTimer: NodeJS.Timeout | undefined;
  let notBeforeTimer: NodeJS.Timeout | undefined;
  const backgroundLimit = rateLimit.limit - rateLimit.interactiveReserve;
  const backgroundSpanMs = rateLimit.windowMs + rateLimit.safetyMarginMs;
  /** The last `backgroundLimit` background dispatch times on the key, oldest first. */
  let backgroundLog: number[] = [];
  const backgroundLogKey = `${id}:background-log`;
  /** Earliest time the next background request may be dispatched. */
  const backgroundNotBefore = (): number =>
    backgroundLog.length < backgroundLimit ? 0 : (backgroundLog[backgroundLog.length - backgroundLimit] ?? 0) + backgroundSpanMs;
  /** Identifies the gate request in flight; a gate job that does not match is stale. */
  let gateRequest: object | undefined;
  let hold: GateHold | undefined;

  const unavailable = (): BudgetUnavailableError =>
    new BudgetUnavailableError(`Redis at ${redis?.where ?? '?'} is unreachable: Blocks requests are not sent without the shared rate budget`);

  const canRun = (): boolean => !closed && (redis === undefined || redis.isUp());

  function backgroundReady(): boolean {
    return hold !== undefined && !hold.used && queue.size('background') > 0;
  }

  function backgroundEligible(): boolean {
    return backgroundReady() && Date.now() >= backgroundNotBefore();
  }

  function pump(): void {
    if (!canRun()) return;
    if (pause.isPaused()) {
      if (resumeTimer === undefined) {
        resumeTimer = setTimeout(() => {
          resumeTimer = undefined;
          pump();
        }, pause.until() - Date.now() + 1);
      }
      return;
    }
    if (queue.size('background') > 0 && gateRequest === undefined) requestGate();
    // Nothing left to poll (requests gave up): let the other replicas have the gate.
    if (hold !== undefined && !hold.used && queue.size('background') === 0) finishTurn(hold);
    if (backgroundReady() && !backgroundEligible() && notBeforeTimer === undefined) {
      notBeforeTimer = setTimeout(() => {
        notBeforeTimer = undefined;
        pump();
      }, backgroundNotBefore() - Date.now());
    }
    const eligible = queue.size('interactive') + (backgroundEligible() ? 1 : 0);
    while (tickets.size < Math.min(eligible, MAX_TICKETS)) {
      // Only polling would use this booking: clustered, make it just before the slot.
      if (tickets.size >= queue.size('interactive') && nextSlot !== undefined && !nextSlot.isNear()) break;
      requestTicket();
    }
  }

  function requestTicket(): void {
    const ticket: Ticket = {
      watchdog: setTimeout(() => {
        if (!tickets.delete(ticket)) return;
        logger.warn({ stallMs: ticketStallMs }, 'rate budget: a slot booking never came up; booking another');
        pump();
      }, ticketStallMs),
    };
    tickets.add(ticket);
    main
      .schedule(TICKET_OPTIONS, async () => onTicket(ticket))
      .catch((error: unknown) => {
        if (!tickets.delete(ticket)) return;
        clearTimeout(ticket.watchdog);
        if (closed) return;
        // Could not even book (Redis refused the call): fail closed and say why.
        logger.error({ err: describeError(error) }, 'rate budget: could not book a slot');
        queue.failAll(new BudgetUnavailableError(`the Blocks rate budget could not book a slot: ${describeError(error)}`, error));
      });
  }

  /** Runs at the booked slot. Synchronous up to `send()`, so the request leaves on time. */
  function onTicket(ticket: Ticket): void {
    if (!tickets.delete(ticket)) return;
    clearTimeout(ticket.watchdog);
    if (!canRun()) return;
    if (!pause.isPaused()) {
      const waiter = queue.shift('interactive') ?? takeBackground();
      waiter?.start();
    }
    pump();
  }

  function takeBackground(): Waiter | undefined {
    const current = hold;
    if (current === undefined || !backgroundEligible()) return undefined;
    current.dispatched += 1;
    const now = Date.now();
    backgroundLog = [...backgroundLog, now].slice(-backgroundLimit);
    // The next holder must see this dispatch when it gets the gate: record it, then let go.
    const write: Promise<unknown> = redis
      ? redis.client
          .multi()
          .rpush(backgroundLogKey, String(now))
          .ltrim(backgroundLogKey, -backgroundLimit, -1)
          .pexpire(backgroundLogKey, BACKGROUND_LOG_TTL_FACTOR * backgroundSpanMs)
          .exec()
      : Promise.resolve();
    current.writes = current.writes.then(() => write).catch(() => undefined);
    const waiter = queue.shift('background');
    if (current.dispatched >= BACKGROUND_TURN || queue.size('background') === 0) finishTurn(current);
    return waiter;
  }

  /** Stops dispatching under this hold and lets the gate go once its log writes are done. */
  function finishTurn(current: GateHold): void {
    current.used = true;
    void current.writes.finally(() => releaseHold(current));
  }

  function releaseHold(current: GateHold): void {
    if (hold !== current) return;
    hold = undefined;
    gateRequest = undefined;
    current.release();
    pump();
  }

  function requestGate(): void {
    const request = {};
    gateRequest = request;
    gate
      .schedule({ expiration: gateExpirationMs }, async () => {
        if (redis && gateRequest === request) {
          // Redis holds every replica's dispatches; ours are in it too (written before each release).
          // Without the log we cannot tell how much polling the others did: fail (the gate is let go).
          const stored = await redis.client.lrange(backgroundLogKey, 0, -1);
          backgroundLog = stored.map(Number).filter(Number.isFinite).slice(-backgroundLimit);
        }
        return new Promise<void>((release) => {
          if (gateRequest !== request || !canRun() || queue.size('background') === 0) {
            if (gateRequest === request) gateRequest = undefined;
            release();
            setImmediate(pump);
            return;
          }
          hold = { used: false, dispatched: 0, writes: Promise.resolve(), release };
          pump();
        });
      })
      .catch((error: unknown) => {
        // Expired or dropped: let go of it if it is still ours, then carry on.
        if (gateRequest !== request) return;
        if (hold) releaseHold(hold);
        else gateRequest = undefined;
        if (closed) return;
        logger.warn({ err: describeError(error) }, 'rate budget: background gate lost');
        // Not at once: a failing Redis call would otherwise spin.
        setTimeout(pump, slotMs).unref();
      });
  }

  /** Forgets every booking; stale bookings that still come up do nothing. */
  function dropBookings(): void {
    for (const ticket of tickets) clearTimeout(ticket.watchdog);
    tickets.clear();
    nextSlot?.cancel();
    clearTimeout(notBeforeTimer);
    notBeforeTimer = undefined;
    const current = hold;
    hold = undefined;
    gateRequest = undefined;
    current?.release();
  }

  const unsubscribe = redis?.onStatusChange((up) => {
    if (up) {
      pump();
      return;
    }
    dropBookings();
    queue.failAll(unavailable());
  });

  function schedule<T>(options: ScheduleOptions, send: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new BudgetClosedError('Blocks'));
    if (!canRun()) return Promise.reject(unavailable());
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        priority: options.priority,
        label: options.label,
        enqueuedAt: Date.now(),
        start() {
          clearTimeout(timer);
          const dispatchedAt = Date.now();
          dispatches.record(dispatchedAt);
          let result: Promise<T>;
          try {
            result = Promise.resolve(send());
          } catch (error) {
            result = Promise.reject(error);
          }
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
      pump();
    });
  }

  return {
    schedule,
    async pause(ms) {
      await pause.pause(ms);
    },
    estimateWaitMs(priority: RequestPriority) {
      const pauseLeft = Math.max(0, pause.until() - Date.now());
      const interactiveAhead = queue.size('interactive');
      if (priority === 'interactive') return pauseLeft + (interactiveAhead + 1) * slotMs;
      return pauseLeft + interactiveAhead * slotMs + (queue.size('background') + 1) * backgroundSlotMs;
    },
    snapshot(): BudgetSnapshot {
      const now = Date.now();
      return {
        usedInWindow: dispatches.countSince(now - rateLimit.windowMs),
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
      clearTimeout(resumeTimer);
      dropBookings();
      queue.failAll(new BudgetClosedError('Blocks'));
      await Promise.allSettled([main.stop({ dropWaitingJobs: true }), gate.stop({ dropWaitingJobs: true })]);
      await Promise.allSettled([detachLimiter(main, redis), detachLimiter(gate, redis)]);
    },
  };
}
