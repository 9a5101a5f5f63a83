/**
 * The scheduler's turns and their order: each turn's due time (its own interval by age,
 * scaled by the load of all turns, or its backoff after a failure), which turn goes next,
 * and the backoff after a failed poll. No timers and no I/O: the scheduler keeps time.
 */

import type { SessionsPollConfig } from './config.js';
import { type AgeStep, ageIntervalMs, loadScale, pollLoad } from './poll-intervals.js';

export interface TurnEntry {
  readonly id: string;
  readonly startedAt: number;
  /** Insertion order, the last tie-breaker. */
  readonly seq: number;
  /** When the turn was last looked at (settle time of its last poll, or its start). */
  anchor: number;
  /** The turn's own interval (by age) at `anchor`, before load scaling. */
  ownIntervalMs: number;
  /** Set after a failure: not before this, whatever the load. */
  backoffUntil: number | undefined;
  failures: number;
}

export interface TurnTableConfig {
  intervals: SessionsPollConfig;
  steps: readonly AgeStep[];
  /** Time between two polls that keeps polling inside its share of the Blocks window. */
  paceMs: number;
  fastestFactor: number;
  /** Consecutive failures after which the backoff stops doubling. */
  maxBackoffDoublings: number;
}

/**
 * When a turn that failed `failures` times in a row is polled again: its scaled interval,
 * doubled per failure, up to the longest poll interval (or the interval itself when that is
 * longer), with jitter in [ceiling/2, ceiling) so that turns that failed together do not
 * retry together.
 */
export function backoffUntil(at: number, scaledIntervalMs: number, failures: number, config: Pick<TurnTableConfig, 'intervals' | 'maxBackoffDoublings'>, random: number): number {
  const ceiling = Math.min(Math.max(config.intervals.maxPollIntervalMs, scaledIntervalMs), scaledIntervalMs * 2 ** Math.min(failures, config.maxBackoffDoublings));
  return at + ceiling / 2 + (random * ceiling) / 2;
}

export function createTurnTable(config: TurnTableConfig) {
  const turns = new Map<string, TurnEntry>();
  let seq = 0;
  let scaleCache: number | undefined;
  const ownInterval = (startedAt: number, at: number): number => ageIntervalMs(at - startedAt, config.intervals, config.steps);

  /** The load scale over every turn; cached until the set of turns or an interval changes. */
  function scale(): number {
    scaleCache ??= loadScale(
      pollLoad(
        [...turns.values()].map((entry) => entry.ownIntervalMs),
        config.paceMs,
      ),
      config.fastestFactor,
    );
    return scaleCache;
  }

  const dueAt = (entry: TurnEntry): number => entry.backoffUntil ?? entry.anchor + entry.ownIntervalMs * scale();

  /** Earliest due first; then the one looked at longest ago; then the oldest. */
  function before(a: TurnEntry, b: TurnEntry): boolean {
    const da = dueAt(a);
    const db = dueAt(b);
    if (da !== db) return da < db;
    if (a.anchor !== b.anchor) return a.anchor < b.anchor;
    return a.seq < b.seq;
  }

  /** The turn was looked at `at`: its interval follows its age from there. */
  function reschedule(entry: TurnEntry, at: number): void {
    entry.anchor = at;
    entry.ownIntervalMs = ownInterval(entry.startedAt, at);
    scaleCache = undefined;
  }

  return {
    turns,
    dueAt,
    before,
    /** The turn to poll next among those without a poll in flight. */
    next(busy: ReadonlySet<string>): TurnEntry | undefined {
      let best: TurnEntry | undefined;
      for (const entry of turns.values()) {
        if (busy.has(entry.id)) continue;
        if (best === undefined || before(entry, best)) best = entry;
      }
      return best;
    },
    /** Adds a turn (false when known): a resumed turn (started long ago) is due at once, a new one after its first interval. */
    add(turnId: string, startedAt: number, at: number): boolean {
      if (turns.has(turnId)) return false;
      seq += 1;
      turns.set(turnId, { id: turnId, startedAt, seq, anchor: Math.min(startedAt, at), ownIntervalMs: ownInterval(startedAt, at), backoffUntil: undefined, failures: 0 });
      scaleCache = undefined;
      return true;
    },
    remove(turnId: string): boolean {
      scaleCache = undefined;
      return turns.delete(turnId);
    },
    /** True when this entry is still the one registered for its turn (not removed, not re-added). */
    current: (entry: TurnEntry): boolean => turns.get(entry.id) === entry,
    /** Turns that would be polled before this one (none of them in flight). */
    aheadOf(entry: TurnEntry, busy: ReadonlySet<string>): number {
      let ahead = 0;
      for (const other of turns.values()) if (other !== entry && !busy.has(other.id) && before(other, entry)) ahead += 1;
      return ahead;
    },
    /** A poll of this entry settled with an outcome: 'done' drops the turn, 'pending' looks again after its interval. */
    polled(entry: TurnEntry, outcome: 'done' | 'pending', at: number): void {
      if (turns.get(entry.id) !== entry) return;
      if (outcome === 'done') {
        turns.delete(entry.id);
        scaleCache = undefined;
        return;
      }
      entry.failures = 0;
      entry.backoffUntil = undefined;
      reschedule(entry, at);
    },
    /**
     * A poll of this entry failed at `at`. `notThisTurn` (the key was paused, the budget closed):
     * rescheduled only. Otherwise it backs off alone; returns until when.
     */
    failed(entry: TurnEntry, notThisTurn: boolean, at: number, random: number): number | undefined {
      reschedule(entry, at);
      if (notThisTurn) {
        entry.backoffUntil = undefined;
        return undefined;
      }
      entry.failures += 1;
      entry.backoffUntil = backoffUntil(at, entry.ownIntervalMs * scale(), entry.failures, config, random);
      return entry.backoffUntil;
    },
  };
}

export type TurnTable = ReturnType<typeof createTurnTable>;
