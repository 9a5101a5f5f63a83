/**
 * The local queue of requests waiting for a slot: one FIFO per priority, each entry with
 * its own optional deadline. Binding a request to a slot happens as late as possible (when
 * the slot comes up), so the queue, not the limiter, decides who goes first.
 */
import type { Admission, RequestPriority } from './types.js';

/** One request waiting for a slot. `start` sends it; `fail` rejects it unsent. */
export interface Waiter {
  readonly priority: RequestPriority;
  readonly label: string | undefined;
  readonly enqueuedAt: number;
  start(admission: Admission): void;
  fail(error: Error): void;
}

export interface WaiterQueue {
  push(waiter: Waiter): void;
  remove(waiter: Waiter): boolean;
  shift(priority: RequestPriority): Waiter | undefined;
  size(priority: RequestPriority): number;
  /** Removes every waiter and fails it with `error`. */
  failAll(error: Error): void;
}

export function createWaiterQueue(): WaiterQueue {
  const queues: Record<RequestPriority, Waiter[]> = { interactive: [], background: [] };
  return {
    push(waiter) {
      queues[waiter.priority].push(waiter);
    },
    remove(waiter) {
      const queue = queues[waiter.priority];
      const index = queue.indexOf(waiter);
      if (index < 0) return false;
      queue.splice(index, 1);
      return true;
    },
    shift: (priority) => queues[priority].shift(),
    size: (priority) => queues[priority].length,
    failAll(error) {
      const all = [...queues.interactive, ...queues.background];
      queues.interactive = [];
      queues.background = [];
      for (const waiter of all) waiter.fail(error);
    },
  };
}

/** Dispatch times of the last window, for `snapshot().usedInWindow`. */
export interface DispatchLog {
  record(at: number): void;
  countSince(since: number): number;
}

export function createDispatchLog(windowMs: number): DispatchLog {
  const times: number[] = [];
  const prune = (now: number): void => {
    while (times.length > 0 && (times[0] ?? 0) <= now - windowMs) times.shift();
  };
  return {
    record(at) {
      times.push(at);
      prune(at);
    },
    countSince(since) {
      prune(Date.now());
      return times.filter((t) => t > since).length;
    },
  };
}

/** Calls `send` now; a synchronous throw becomes a rejection, so the budgets handle one path. */
export function callSend<T>(send: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(send());
  } catch (error) {
    return Promise.reject(error);
  }
}
