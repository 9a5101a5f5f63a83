/**
 * The contract between API clients and the rate budget. A client never sends a request
 * outside `schedule`: every attempt (retries included) takes one slot, because the server
 * counts every request that arrives, failed or not.
 */

/**
 * Who is waiting for the request. `interactive` is a person (create a session, follow-up,
 * a slash command); `background` is polling. Background work never uses the interactive
 * reserve, and leaves people a headroom of free slots.
 */
export type RequestPriority = 'interactive' | 'background';

export interface ScheduleOptions {
  priority: RequestPriority;
  /** Gives up (rejecting with `BudgetWaitTimeoutError`) when no slot frees up in time. */
  maxWaitMs?: number;
  /** Short label for logs and metrics, e.g. `blocks.createSession`. */
  label?: string;
}

/** What the budget tells `send` about its admission. */
export interface Admission {
  /** Epoch ms at which the admission was recorded, on the log's clock (Redis's when clustered). */
  recordedAt: number;
}

export interface BudgetSnapshot {
  /** Requests dispatched in the current window, as this limiter last saw it. */
  usedInWindow: number;
  limit: number;
  windowMs: number;
  /** Jobs waiting for a slot, by priority. */
  queued: Record<RequestPriority, number>;
  /** Epoch ms until which the key is paused after a 429, or 0. */
  pausedUntil: number;
}

export interface RateBudget {
  /** Runs `send` once a slot is free. `send` must issue exactly one request and do so at once. */
  schedule<T>(options: ScheduleOptions, send: (admission?: Admission) => Promise<T>): Promise<T>;
  /** Pauses every request on this key (across replicas when clustered) for `ms`. */
  pause(ms: number): Promise<void>;
  /** An estimate of how long a new request of this priority would wait now. */
  estimateWaitMs(priority: RequestPriority): number;
  snapshot(): BudgetSnapshot;
  close(): Promise<void>;
}
