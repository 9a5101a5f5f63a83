/**
 * The turn poll scheduler (spec/blocks-api.md §10.3, issue 5 §2): it decides which running
 * turn's `final_message` is polled next, and when. The request itself (and the rate limit)
 * belong to the `poll` callback and the Blocks budget; the scheduler's job is to spend the
 * polling share of the window well:
 *
 * - fair: the turn with the earliest due time goes next (ties: the one polled longest ago),
 *   and a polled turn's due time moves past now, so every turn comes round (no starvation);
 * - young turns more often than old ones, every interval scaled by the load (poll-intervals.ts);
 * - no flooding: one poll per `paceMs` at most (the budget's background spacing), at most
 *   `maxInFlight` polls handed to the budget at once, nothing while the key is paused. The
 *   turn is chosen when its poll starts, so a turn removed meanwhile is never polled;
 * - a removed turn's in-flight result is ignored, a 'done' removes the turn, a failing turn
 *   backs off alone (with jitter) while the others go on; a 429 was already turned into a
 *   pause of the key by the client, so that turn is simply rescheduled;
 * - one timer, for the next moment something can happen. No busy loop.
 *
 * Turns are held in a Map and the next one found by a scan: a bridge runs hundreds of turns
 * at most and polls about once a second, so a heap would buy nothing.
 */
import { describeError, RateLimitedError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { timerDelayUntil } from '../core/timer-delay.js';
import { BudgetClosedError } from '../ratelimit/errors.js';
import type { RateBudget } from '../ratelimit/types.js';
import type { PollRateLimit, SessionsPollConfig } from './config.js';
import { type AgeStep, DEFAULT_AGE_STEPS, DEFAULT_FASTEST_FACTOR, pollPaceMs } from './poll-intervals.js';
import { createTurnTable, type TurnEntry } from './turn-table.js';

/** What one poll found: the turn's final message ('done', the caller has handled it) or nothing yet. */
export type PollOutcome = 'done' | 'pending';

export interface TurnSchedulerOptions {
  /** The Blocks budget the polls go through (background priority). Read for its pause. */
  budget: RateBudget;
  /** `pollIntervalMs` (the young turn's interval) and `maxPollIntervalMs`. */
  config: SessionsPollConfig;
  /** To know the polling share of the window. */
  rateLimit: PollRateLimit;
  /** Does ONE Blocks request (through the budget) for the turn. */
  poll: (turnId: string) => Promise<PollOutcome>;
  now?: () => number;
  logger?: Logger;
  /** Polls handed to the budget at once. Default 2: enough to hide a slow response. */
  maxInFlight?: number;
  /** Never poll faster than this fraction of a turn's own interval. Default 0.4. */
  fastestFactor?: number;
  ageSteps?: readonly AgeStep[];
  /** For the backoff jitter. Default Math.random. */
  random?: () => number;
}

/** Polls every running turn until it is done or removed. */
export interface TurnScheduler {
  /** Starts polling this turn (idempotent: a turn already known keeps its schedule). */
  add(turnId: string, startedAt: number): void;
  /** Stops polling it (finished, superseded, timed out); a poll in flight is ignored. */
  remove(turnId: string): void;
  has(turnId: string): boolean;
  /** Turns being polled. */
  readonly size: number;
  /** Polls handed to the budget and not yet settled. */
  readonly inFlight: number;
  /** When this turn will next be polled (an estimate, for status displays); now while a poll is in flight. */
  nextPollAt(turnId: string): number | undefined;
  start(): void;
  /** Stops starting polls and waits for those in flight (their results are still applied). */
  stop(): Promise<void>;
}

/** Defaults, declared once. */
export const TURN_SCHEDULER_DEFAULTS = Object.freeze({
  maxInFlight: 2,
  fastestFactor: DEFAULT_FASTEST_FACTOR,
  /** Consecutive failures after which the backoff stops doubling. */
  maxBackoffDoublings: 6,
});

/** One timer for the next moment something can happen: an earlier `arm` wins, a later one is ignored. */
function createWakeTimer(now: () => number, fire: () => void): { arm(at: number): void; disarm(): void } {
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  const disarm = (): void => {
    clearTimeout(timer);
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
  };
  return {
    arm(at) {
      if (timer !== undefined && timerAt <= at) return;
      clearTimeout(timer);
      timerAt = at;
      timer = setTimeout(
        () => {
          timer = undefined;
          timerAt = Number.POSITIVE_INFINITY;
          fire();
        },
        timerDelayUntil(at, now()),
      );
    },
    disarm,
  };
}

export function createTurnScheduler(options: TurnSchedulerOptions): TurnScheduler {
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger()).child({ component: 'turn-scheduler' });
  const random = options.random ?? Math.random;
  const maxInFlight = Math.max(1, options.maxInFlight ?? TURN_SCHEDULER_DEFAULTS.maxInFlight);
  const fastestFactor = options.fastestFactor ?? TURN_SCHEDULER_DEFAULTS.fastestFactor;
  const steps = options.ageSteps ?? DEFAULT_AGE_STEPS;
  const paceMs = pollPaceMs(options.rateLimit);
  const table = createTurnTable({ intervals: options.config, steps, paceMs, fastestFactor, maxBackoffDoublings: TURN_SCHEDULER_DEFAULTS.maxBackoffDoublings });
  const { turns, dueAt } = table;
  const pending = new Set<Promise<void>>();
  /**
   * Turn ids with a poll in flight, removed entries' polls included: a turn removed and
   * added again waits for its old poll, so one turn never has two polls out at once.
   */
  const busy = new Set<string>();
  let inFlight = 0;
  let running = false;
  let lastDispatchAt = Number.NEGATIVE_INFINITY;
  const wakeTimer = createWakeTimer(now, () => pump());

  /** Earliest moment a new poll may start, whichever turn it is for. */
  function nextSlotAt(at: number): number {
    return Math.max(at, lastDispatchAt + paceMs, options.budget.snapshot().pausedUntil);
  }

  /** Starts every poll that may start now, then sleeps until the next one may. */
  function pump(): void {
    if (!running) return;
    while (inFlight < maxInFlight) {
      const at = now();
      const candidate = table.next(busy);
      if (candidate === undefined) return;
      const startAt = Math.max(nextSlotAt(at), dueAt(candidate));
      if (startAt > at) {
        wakeTimer.arm(startAt);
        return;
      }
      dispatch(candidate, at);
    }
  }

  function dispatch(entry: TurnEntry, at: number): void {
    busy.add(entry.id);
    inFlight += 1;
    lastDispatchAt = at;
    const settled = (async () => {
      try {
        const outcome = await options.poll(entry.id);
        table.polled(entry, outcome, now());
      } catch (error) {
        onFailure(entry, error);
      }
    })().finally(() => {
      busy.delete(entry.id);
      inFlight -= 1;
      pending.delete(settled);
      pump();
    });
    pending.add(settled);
  }

  function onFailure(entry: TurnEntry, error: unknown): void {
    if (!table.current(entry)) return;
    const at = now();
    // A 429 already paused the whole key (nextSlotAt honours the pause); a closed budget means we are shutting down.
    const notThisTurn = error instanceof RateLimitedError || error instanceof BudgetClosedError;
    const until = table.failed(entry, notThisTurn, at, random());
    if (until === undefined) return;
    logger.warn({ turnId: entry.id, failures: entry.failures, retryInMs: Math.round(until - at), err: describeError(error) }, 'turn poll failed; backing off this turn');
  }

  return {
    add(turnId, startedAt) {
      if (!table.add(turnId, startedAt, now())) return;
      // The new turn may be due before the armed timer.
      wakeTimer.disarm();
      pump();
    },

    remove(turnId) {
      if (!table.remove(turnId)) return;
      // A lighter load brings the others' due times closer.
      wakeTimer.disarm();
      pump();
    },

    has: (turnId) => turns.has(turnId),

    get size() {
      return turns.size;
    },

    get inFlight() {
      return inFlight;
    },

    nextPollAt(turnId) {
      const entry = turns.get(turnId);
      if (entry === undefined) return undefined;
      const at = now();
      if (busy.has(turnId)) return at;
      return Math.max(dueAt(entry), nextSlotAt(at) + table.aheadOf(entry, busy) * paceMs);
    },

    start() {
      if (running) return;
      running = true;
      pump();
    },

    async stop() {
      running = false;
      wakeTimer.disarm();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
