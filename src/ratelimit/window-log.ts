/**
 * The exact sliding-window log of one Blocks key: the times of the admissions of the last
 * `spanMs` (window + safety margin). Admitting records the time; an entry counts until it
 * is `spanMs` old. Any `limit + 1` admissions therefore span more than `spanMs`, and since
 * a request leaves within a bound (shorter than the margin) of its admission, any
 * `limit + 1` arrivals at the server span more than the window.
 *
 * The rules, decided here for the in-memory log and mirrored line by line by the Redis
 * script (window-redis.ts):
 * - people are admitted whenever the log holds fewer than `limit` entries;
 * - background work only while the log holds fewer than `limit − headroom` entries, fewer
 *   than `backgroundLimit` (limit − interactive reserve) of them background, and the last
 *   background admission is `backgroundPaceMs` old. The pace spreads polling over the
 *   window while it fills (greedy polling would come back in one clump every window and
 *   leave people a full log between clumps); once the log is nearly full
 *   (`paceWaivedFrom`) polling only replaces entries that left, which keeps the spread, so
 *   it does that at once. The headroom keeps a slot free for people when polling and people
 *   together saturate the key, so a person rarely waits for an entry to expire.
 */

export interface WindowRules {
  limit: number;
  spanMs: number;
  backgroundLimit: number;
  backgroundPaceMs: number;
  /** From this many entries on, polling only replaces entries that left: no pace. */
  paceWaivedFrom: number;
  headroom: number;
}

/** How many requests of each kind are asked for (0 both: only look). */
export interface AdmissionAsk {
  interactive: number;
  background: number;
  /** Decide, but record nothing (a replica waiting out a stall). */
  dryRun: boolean;
}

export interface AdmissionDecision {
  interactive: number;
  background: number;
  /** When refused: ms until the log could admit that kind again; -1 when nothing waits. */
  interactiveRetryMs: number;
  backgroundRetryMs: number;
  /** The log's clock at the decision (Redis's clock when clustered). */
  now: number;
}

/** Entries are admission times, oldest first. */
export interface LogEntries {
  all: number[];
  background: number[];
}

/** Drops what is `spanMs` old or older; keeps the arrays sorted. */
export function pruneLog(log: LogEntries, now: number, spanMs: number): void {
  const stale = (at: number): boolean => at <= now - spanMs;
  while (log.all.length > 0 && stale(log.all[0] ?? 0)) log.all.shift();
  while (log.background.length > 0 && stale(log.background[0] ?? 0)) log.background.shift();
}

/** Decides on a pruned log and records what it admits (unless a dry run). */
export function decideAdmission(log: LogEntries, now: number, ask: AdmissionAsk, rules: WindowRules): AdmissionDecision {
  let total = log.all.length;
  let background = log.background.length;
  let lastBackground = log.background[background - 1];
  const interactive = Math.min(ask.interactive, Math.max(0, rules.limit - total));
  total += interactive;
  let backgroundAdmitted = 0;
  const paced = (): boolean => lastBackground === undefined || now - lastBackground >= rules.backgroundPaceMs;
  const backgroundRoom = (): boolean =>
    total < rules.limit - rules.headroom && background < rules.backgroundLimit && (paced() || total >= rules.paceWaivedFrom);
  if (ask.background > 0 && backgroundRoom()) {
    backgroundAdmitted = 1;
    total += 1;
    background += 1;
    lastBackground = now;
  }
  if (!ask.dryRun) {
    for (let i = 0; i < interactive; i += 1) log.all.push(now);
    if (backgroundAdmitted > 0) {
      log.all.push(now);
      log.background.push(now);
    }
  }
  // Entry `rank` (0 = oldest) leaves the window in this many ms; a rank past the end is an
  // entry a dry run did not record, which would have been made now.
  const expiry = (entries: number[], rank: number): number => (entries[rank] ?? now) + rules.spanMs - now;
  let backgroundRetryMs = -1;
  if (ask.background > backgroundAdmitted) {
    backgroundRetryMs = 0;
    if (lastBackground !== undefined && total < rules.paceWaivedFrom) backgroundRetryMs = Math.max(backgroundRetryMs, lastBackground + rules.backgroundPaceMs - now);
    if (background >= rules.backgroundLimit) backgroundRetryMs = Math.max(backgroundRetryMs, expiry(log.background, background - rules.backgroundLimit));
    if (total >= rules.limit - rules.headroom) backgroundRetryMs = Math.max(backgroundRetryMs, expiry(log.all, total - (rules.limit - rules.headroom)));
  }
  return {
    interactive,
    background: backgroundAdmitted,
    interactiveRetryMs: ask.interactive > interactive ? expiry(log.all, total - rules.limit) : -1,
    backgroundRetryMs,
    now,
  };
}

/** Where a budget keeps its log: in this process, or in Redis for every replica. */
export interface WindowStore {
  admit(ask: AdmissionAsk): Promise<AdmissionDecision>;
}

/** The log of a budget that is alone: in memory, on this process's clock. */
export function createMemoryWindowStore(rules: WindowRules, clock: () => number = Date.now): WindowStore {
  const log: LogEntries = { all: [], background: [] };
  return {
    admit(ask) {
      const now = clock();
      pruneLog(log, now, rules.spanMs);
      return Promise.resolve(decideAdmission(log, now, ask, rules));
    },
  };
}
