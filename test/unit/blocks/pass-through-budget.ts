/**
 * A RateBudget that only records: every `schedule` runs `send` at once, every `pause` is
 * remembered. The real budget lives in src/ratelimit; the client's contract with it is
 * what these tests check (every attempt scheduled, a pause after each 429).
 */
import type { BudgetSnapshot, RateBudget, ScheduleOptions } from '../../../src/ratelimit/types.js';

export interface RecordingBudget extends RateBudget {
  scheduled: ScheduleOptions[];
  pauses: number[];
}

export function createPassThroughBudget(): RecordingBudget {
  const scheduled: ScheduleOptions[] = [];
  const pauses: number[] = [];
  return {
    scheduled,
    pauses,
    async schedule<T>(options: ScheduleOptions, send: () => Promise<T>): Promise<T> {
      scheduled.push(options);
      return send();
    },
    async pause(ms: number): Promise<void> {
      pauses.push(ms);
    },
    estimateWaitMs: () => 0,
    snapshot: (): BudgetSnapshot => ({ usedInWindow: scheduled.length, limit: 100, windowMs: 60_000, queued: { interactive: 0, background: 0 }, pausedUntil: 0 }),
    async close(): Promise<void> {},
  };
}
