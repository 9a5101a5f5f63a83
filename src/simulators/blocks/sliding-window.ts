/**
 * A strict sliding-window request counter, as the Blocks fake enforces it per API key:
 * at most `limit` arrivals in any `windowMs`, counted at arrival, every request counted
 * (refused ones too, which is the strictest reading of spec §3). A window is half-open:
 * two arrivals exactly `windowMs` apart are never in the same window.
 *
 * Standalone on purpose (no test-framework imports): the rate-budget tests and benchmark
 * use it to check an arrival log after the fact with `maxInAnyWindow`.
 */

export interface SlidingWindowOptions {
  /** Default 100 (the documented Blocks limit). */
  limit?: number;
  /** Default 60,000 ms. */
  windowMs?: number;
}

export interface SlidingWindow {
  readonly limit: number;
  readonly windowMs: number;
  /**
   * Records an arrival for `key` at `nowMs` and returns whether it fits: false when `limit`
   * arrivals already happened in the window (nowMs − windowMs, nowMs].
   */
  arrive(key: string, nowMs: number): boolean;
  /** Arrivals for `key` in the window ending at `nowMs`. */
  countInWindow(key: string, nowMs: number): number;
  /** How long from `nowMs` until one more arrival for `key` would fit (0 when it fits now). */
  waitMs(key: string, nowMs: number): number;
  reset(): void;
}

export const SLIDING_WINDOW_DEFAULTS = Object.freeze({ limit: 100, windowMs: 60_000 });

export function createSlidingWindow(options: SlidingWindowOptions = {}): SlidingWindow {
  const limit = options.limit ?? SLIDING_WINDOW_DEFAULTS.limit;
  const windowMs = options.windowMs ?? SLIDING_WINDOW_DEFAULTS.windowMs;
  const arrivals = new Map<string, number[]>();

  function prune(key: string, nowMs: number): number[] {
    const list = arrivals.get(key) ?? [];
    let drop = 0;
    while (drop < list.length && list[drop]! <= nowMs - windowMs) drop += 1;
    if (drop > 0) list.splice(0, drop);
    arrivals.set(key, list);
    return list;
  }

  return {
    limit,
    windowMs,
    arrive(key, nowMs) {
      const list = prune(key, nowMs);
      const fits = list.length < limit;
      list.push(nowMs);
      return fits;
    },
    countInWindow(key, nowMs) {
      return prune(key, nowMs).length;
    },
    waitMs(key, nowMs) {
      const list = prune(key, nowMs);
      if (list.length < limit) return 0;
      // Every arrival counts, so all but limit−1 of those in the window must age out first.
      return list[list.length - limit]! + windowMs - nowMs;
    },
    reset() {
      arrivals.clear();
    },
  };
}

/**
 * The highest number of arrivals inside any half-open window [t, t + windowMs), over a log
 * of arrival times (any order). This is the number to compare with the limit.
 */
export function maxInAnyWindow(arrivalTimesMs: readonly number[], windowMs: number): number {
  const times = [...arrivalTimesMs].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < times.length; start += 1) {
    if (end < start) end = start;
    while (end < times.length && times[end]! < times[start]! + windowMs) end += 1;
    best = Math.max(best, end - start);
  }
  return best;
}
