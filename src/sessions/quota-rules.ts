/**
 * Agent quotas as pure decisions: how many agent turns one person, and one channel, may have
 * running at once and may start in an hour. The Blocks key is the operator's and every request
 * spends its budget (100 a minute for the whole bridge), so one person or one noisy channel
 * must not be able to spend it for everybody. Over quota, the person is told when a turn frees
 * up and Blocks is not called.
 */

/** One admitted turn in a subject's ledger. */
export interface QuotaEntry {
  /** Epoch ms when it was admitted. */
  at: number;
  /** Epoch ms when its turn ended (answered, failed, timed out, interrupted). */
  endedAt?: number;
}

export interface QuotaLimits {
  /** Turns running at once. */
  running: number;
  /** Turns started in any rolling hour. */
  perHour: number;
}

export type QuotaDecision = { ok: true } | { ok: false; reason: 'running' | 'hourly'; limit: number; freeAt: number };

export const QUOTA_WINDOW_MS = 60 * 60_000;

/**
 * Whether one more turn fits, given the entries admitted before it. A turn still counts as
 * running until it ends or, if its end was never recorded (a crash), until `maxRunMs` after
 * it started: the longest a turn can run before it is reported as timed out.
 * `freeAt` is when the quota lets the next one in: for running turns, the latest moment the
 * oldest of them stops counting (it frees sooner if a turn ends); for the hourly quota, when
 * the oldest turn of the window leaves it.
 */
export function decideQuota(entries: readonly QuotaEntry[], limits: QuotaLimits, nowMs: number, maxRunMs: number): QuotaDecision {
  const running = entries
    .filter((entry) => entry.endedAt === undefined && entry.at > nowMs - maxRunMs)
    .map((entry) => entry.at)
    .sort((a, b) => a - b);
  if (running.length >= limits.running) {
    return { ok: false, reason: 'running', limit: limits.running, freeAt: (running[running.length - limits.running] as number) + maxRunMs };
  }
  const recent = entries
    .filter((entry) => entry.at > nowMs - QUOTA_WINDOW_MS)
    .map((entry) => entry.at)
    .sort((a, b) => a - b);
  if (recent.length >= limits.perHour) {
    return { ok: false, reason: 'hourly', limit: limits.perHour, freeAt: (recent[recent.length - limits.perHour] as number) + QUOTA_WINDOW_MS };
  }
  return { ok: true };
}

/** Entries that can no longer count for anything: outside the hour and no longer running. */
export function isSpentEntry(entry: QuotaEntry, nowMs: number, maxRunMs: number): boolean {
  if (entry.at > nowMs - QUOTA_WINDOW_MS) return false;
  return entry.endedAt !== undefined || entry.at <= nowMs - maxRunMs;
}

/** Of several refusals (the person's and the channel's), the one that lasts longest. */
export function latestRefusal<T extends { freeAt: number }>(refusals: readonly T[]): T | undefined {
  return refusals.reduce<T | undefined>((latest, refusal) => (latest === undefined || refusal.freeAt > latest.freeAt ? refusal : latest), undefined);
}

/** "14:05 UTC": the clock time people read; the bridge does not know their time zone. */
export function clockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}

/** What the person is told. `whose`: their own quota or the channel's. */
export function quotaRefusalText(refusal: { reason: 'running' | 'hourly'; limit: number; freeAt: number }, whose: 'person' | 'channel'): string {
  const at = clockTime(refusal.freeAt);
  const turns = `agent turn${refusal.limit === 1 ? '' : 's'}`;
  if (refusal.reason === 'running') {
    const holder = whose === 'person' ? 'You already have' : 'This channel already has';
    return `${holder} ${refusal.limit} ${turns} running, the most allowed at once. Ask again when one ends (by ${at} at the latest).`;
  }
  const holder = whose === 'person' ? 'You have' : 'This channel has';
  return `${holder} started ${refusal.limit} ${turns} in the last hour, the most allowed. The next one can start at ${at}.`;
}
