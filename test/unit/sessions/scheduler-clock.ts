/**
 * A simulated clock for the scheduler's unit tests: node:test's mock timers (setTimeout and
 * Date) advanced in small steps, with the promise queue drained between steps so that a
 * settled poll lets the scheduler pick the next turn at the right simulated moment.
 *
 * Also the one piece of the budget the scheduler reads (its pause), and a scripted `poll`
 * that records which turn was polled when.
 */
import { mock } from 'node:test';
import type { BudgetSnapshot, RateBudget } from '../../../src/ratelimit/types.js';
import type { PollOutcome } from '../../../src/sessions/scheduler.js';

export const T0 = 1_700_000_000_000;
const STEP_MS = 10;

const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface SimClock {
  now(): number;
  /** Moves simulated time forward by `ms` in steps of `stepMs` (default 10), letting timers and settled promises run. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Lets settled promises run without moving time. */
  flush(): Promise<void>;
  restore(): void;
}

export function useSimClock(): SimClock {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
  return {
    now: () => Date.now(),
    async advance(ms, stepMs = STEP_MS) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        mock.timers.tick(Math.min(stepMs, end - Date.now()));
        await drain();
      }
    },
    async flush() {
      for (let i = 0; i < 3; i += 1) await drain();
    },
    restore: () => mock.timers.reset(),
  };
}

/** The scheduler only reads `snapshot().pausedUntil`; `schedule` runs at once here. */
export interface PausableBudget extends RateBudget {
  pausedUntil: number;
}

export function createPausableBudget(): PausableBudget {
  const budget: PausableBudget = {
    pausedUntil: 0,
    schedule: (_options, send) => send(),
    async pause(ms) {
      budget.pausedUntil = Date.now() + ms;
    },
    estimateWaitMs: () => 0,
    snapshot: (): BudgetSnapshot => ({ usedInWindow: 0, limit: 100, windowMs: 60_000, queued: { interactive: 0, background: 0 }, pausedUntil: budget.pausedUntil }),
    async close() {},
  };
  return budget;
}

export interface PollCall {
  turnId: string;
  at: number;
  /** Settles this poll (for scripts that hold polls open). */
  settle(outcome: PollOutcome | Error): void;
}

export interface ScriptedPoller {
  poll: (turnId: string) => Promise<PollOutcome>;
  calls: PollCall[];
  /** Polls started and not settled yet. */
  open(): PollCall[];
  /** Most polls open at once. */
  maxOpen: number;
  count(turnId: string): number;
  times(turnId: string): number[];
}

/**
 * `decide` answers each poll: an outcome or an Error (settled at once), or 'hold' to keep
 * it open until the test settles it.
 */
export function createScriptedPoller(now: () => number, decide: (turnId: string, nth: number) => PollOutcome | Error | 'hold' = () => 'pending'): ScriptedPoller {
  const calls: PollCall[] = [];
  const openCalls = new Set<PollCall>();
  const poller: ScriptedPoller = {
    calls,
    maxOpen: 0,
    open: () => [...openCalls],
    count: (turnId) => calls.filter((call) => call.turnId === turnId).length,
    times: (turnId) => calls.filter((call) => call.turnId === turnId).map((call) => call.at),
    poll(turnId) {
      return new Promise<PollOutcome>((resolve, reject) => {
        const nth = calls.filter((call) => call.turnId === turnId).length + 1;
        const call: PollCall = {
          turnId,
          at: now(),
          settle(outcome) {
            if (!openCalls.delete(call)) return;
            if (outcome instanceof Error) reject(outcome);
            else resolve(outcome);
          },
        };
        calls.push(call);
        openCalls.add(call);
        poller.maxOpen = Math.max(poller.maxOpen, openCalls.size);
        const answer = decide(turnId, nth);
        if (answer !== 'hold') call.settle(answer);
      });
    },
  };
  return poller;
}
