/**
 * How often a running turn is polled (spec/blocks-api.md §10.3), as pure functions so the
 * scheduler only has to keep time.
 *
 * Two ingredients:
 * - the turn's own interval, by age: the base for young turns, then ×3, then ×6, capped.
 *   The age steps are multiples of the base (24 and 120 bases: 2 and 10 minutes for the
 *   documented 5 s), so a benchmark that shortens the base shortens the steps with it.
 * - a load scale shared by every turn: the polling share of the Blocks window can serve
 *   one poll every `paceMs`, and the turns' own intervals ask for `Σ paceMs / interval`
 *   of it. Above 1 every interval is stretched by that factor, which is the spec's
 *   `max(base, activeTurns × window / pollBudget)` for turns of one age, and keeps young
 *   turns ahead of old ones when ages differ. Below 1 the spare share is used to poll
 *   faster, down to `fastestFactor` × the turn's interval (or the pace of the whole polling
 *   share, whichever is slower), so a lone session is answered within a second instead of
 *   half a base interval on average.
 */
import { blocksSpacing } from '../ratelimit/blocks-budget.js';
import type { PollRateLimit, SessionsPollConfig } from './config.js';

export type { PollRateLimit, SessionsPollConfig };

/** One age step: until `untilBases` × base of age, the interval is `factor` × base. */
export interface AgeStep {
  untilBases: number;
  factor: number;
}

/** Base for the first 2 min, ×3 until 10 min, then ×6 (at the documented 5 s base). */
export const DEFAULT_AGE_STEPS: readonly AgeStep[] = Object.freeze([
  { untilBases: 24, factor: 1 },
  { untilBases: 120, factor: 3 },
  { untilBases: Number.POSITIVE_INFINITY, factor: 6 },
]);

/**
 * Never poll a turn faster than this fraction of its own interval, however idle the budget.
 * Small on purpose (issue 18): a lone young turn then polls at the pace of the whole polling
 * share (one poll per `paceMs`, about 0.76 s with the documented limits), since an idle key
 * has nothing better to spend it on; the interactive reserve stays out of that share, so
 * people still get their slots. Older turns keep a floor (1.5 s after 2 min, 3 s after 10).
 */
export const DEFAULT_FASTEST_FACTOR = 0.1;

/** The turn's own poll interval at `ageMs`, before any load scaling. */
export function ageIntervalMs(ageMs: number, config: SessionsPollConfig, steps: readonly AgeStep[] = DEFAULT_AGE_STEPS): number {
  const base = config.pollIntervalMs;
  const age = Math.max(0, ageMs);
  const step = steps.find((candidate) => age < candidate.untilBases * base) ?? steps[steps.length - 1];
  const factor = step?.factor ?? 1;
  // The cap never makes a young turn slower than the base, whatever the configuration.
  return Math.max(base, Math.min(config.maxPollIntervalMs, base * factor));
}

/**
 * Time between two polls that keeps polling inside its share of the window: the Blocks
 * budget's own background spacing, `(window + margin) / (limit − interactive reserve)`.
 */
export function pollPaceMs(rateLimit: PollRateLimit): number {
  return blocksSpacing(rateLimit).backgroundSlotMs;
}

/** Fraction of the polling share that turns with these own intervals would use. */
export function pollLoad(intervalsMs: Iterable<number>, paceMs: number): number {
  let load = 0;
  for (const interval of intervalsMs) load += paceMs / interval;
  return load;
}

/** The factor every own interval is multiplied by, for a given load. */
export function loadScale(load: number, fastestFactor: number = DEFAULT_FASTEST_FACTOR): number {
  return Math.max(fastestFactor, load);
}
