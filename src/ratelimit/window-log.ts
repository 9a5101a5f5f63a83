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
 *   last slice (a tenth of the span) holds fewer than a tenth of the limit. The slice rule
 *   spreads the log evenly over the span, so entries also leave evenly: greedy polling
 *   would come back in one clump every window, and a log filled in less than a span would
 *   leave a stretch with no expiry every span, where people find the log full for long.
 *   The headroom keeps a few slots free for people when polling and people together
 *   saturate the key, so a person rarely waits for an entry to expire.
 */

export interface WindowRules {
  limit: number;
  spanMs: number;
  backgroundLimit: number;
  /** Polling only while fewer than `sliceLimit` entries (of any kind) are this recent. */
  sliceMs: number;
  sliceLimit: number;
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
  const interactive = Math.min(ask.interactive, Math.max(0, rules.limit - total));
  total += interactive;
  // Entries of the last slice, counting this decision's people (recorded now).
  const sliceStart = log.all.findIndex((at) => at > now - rules.sliceMs);
  let recent = (sliceStart < 0 ? 0 : log.all.length - sliceStart) + interactive;
  let backgroundAdmitted = 0;
  if (ask.background > 0 && total < rules.limit - rules.headroom && background < rules.backgroundLimit && recent < rules.sliceLimit) {
    backgroundAdmitted = 1;
    total += 1;
    background += 1;
    recent += 1;
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
    if (recent >= rules.sliceLimit) backgroundRetryMs = Math.max(backgroundRetryMs, expiry(log.all, total - rules.sliceLimit) - rules.spanMs + rules.sliceMs);
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
