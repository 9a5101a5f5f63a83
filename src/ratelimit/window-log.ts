/**
 * The exact sliding-window log of one Blocks key: the times of the admissions of the last
 * `spanMs` (window + safety margin). Admitting records the time; an entry counts until it
 * is `spanMs` old. Any `limit + 1` admissions therefore span more than `spanMs`, and since
 * a request leaves within a bound (shorter than the margin) of its admission, any
 * `limit + 1` arrivals at the server span more than the window.
 *
 * The rules, decided here for the in-memory log and mirrored by the Redis script
 * (window-redis.ts): people are admitted while the log holds fewer than `limit` entries;
 * polling only while fewer than `backgroundLimit` (limit − interactive reserve) entries are
 * polls, while the entries, paced one per `paceMs` from the oldest, are at most a pace
 * ahead of now, and while `headroom` slots stay free, one of which is lent to polling when
 * an entry leaves within a pace. Why: a person waits only while the log is full, until an
 * entry leaves; entries leave a span after they came, so clumps of admissions make long
 * stretches with nothing leaving (measured: people waited up to a second). Paced, people
 * counted, entries come and so leave about one a pace; the lent slot comes back within a
 * pace, and one slot always stays free.
 */

export interface WindowRules {
  limit: number;
  spanMs: number;
  backgroundLimit: number;
  /** Polling's pace: the span over the limit. */
  paceMs: number;
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
  for (const entries of [log.all, log.background]) while (entries.length > 0 && (entries[0] ?? 0) <= now - spanMs) entries.shift();
}

/** Decides on a pruned log and records what it admits (unless a dry run). */
export function decideAdmission(log: LogEntries, now: number, ask: AdmissionAsk, rules: WindowRules): AdmissionDecision {
  let total = log.all.length;
  let background = log.background.length;
  const interactive = Math.min(ask.interactive, Math.max(0, rules.limit - total));
  total += interactive;
  // Where the pace stands after every entry (this decision's people included, made now).
  let paced = Number.NEGATIVE_INFINITY;
  for (const at of [...log.all, ...Array<number>(interactive).fill(now)]) paced = Math.max(paced, at) + rules.paceMs;
  const free = rules.limit - rules.headroom;
  const lendable = Math.max(0, rules.headroom - 1);
  const leaving = log.all.filter((at) => at <= now + rules.paceMs - rules.spanMs).length;
  let backgroundAdmitted = 0;
  if (ask.background > 0 && background < rules.backgroundLimit && paced <= now + rules.paceMs && total < free + Math.min(leaving, lendable)) {
    backgroundAdmitted = 1;
    total += 1;
    background += 1;
  }
  if (!ask.dryRun) {
    for (let i = 0; i < interactive; i += 1) log.all.push(now);
    if (backgroundAdmitted > 0) {
      log.all.push(now);
      log.background.push(now);
    }
  }
  // Entry `rank` (0 = oldest) leaves the window in this many ms; a rank past the end is an
  // entry a dry run did not record, which would have been made now; before the start, one gone.
  const expiry = (entries: number[], rank: number): number => (rank < 0 ? 0 : (entries[rank] ?? now) + rules.spanMs - now);
  let backgroundRetryMs = -1;
  if (ask.background > backgroundAdmitted) {
    backgroundRetryMs = Math.max(0, paced - rules.paceMs - now);
    if (background >= rules.backgroundLimit) backgroundRetryMs = Math.max(backgroundRetryMs, expiry(log.background, background - rules.backgroundLimit));
    // Enough entries gone for a slot to be lent, and the next one leaving within a pace.
    if (total >= free) backgroundRetryMs = Math.max(backgroundRetryMs, expiry(log.all, total - free - lendable), expiry(log.all, total - free) - rules.paceMs);
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
