/** Longest wait before a failed request or batch is tried again. */
export const MAX_BACKOFF_MS = 5 * 60_000;

/** Wait before retry after `failures` failures so far: doubling from `baseMs`, capped at five minutes. */
export function backoffMs(baseMs: number, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(failures, 16));
}
