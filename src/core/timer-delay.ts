/**
 * Delays for `setTimeout` that may come from a remote value (a Retry-After, a pause shared
 * by another replica, a retry time read back from the store). Node turns any delay above
 * 2^31-1 ms into 1 ms (with a warning), so an absurd remote value would make a timer fire at
 * once, over and over, instead of late. Clamped, it fires after about 24.8 days at worst,
 * and whoever it wakes checks again whether the time has come.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** `ms` as a safe timer delay: 0 for negative or NaN, at most `MAX_TIMER_DELAY_MS`. */
export function clampTimerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_DELAY_MS);
}

/** The timer delay from `nowMs` until `atMs`, clamped. */
export function timerDelayUntil(atMs: number, nowMs: number): number {
  return clampTimerDelay(atMs - nowMs);
}
