/**
 * What the session engine and its scheduler read of the configuration. The schema
 * (src/config/schema.ts) declares each setting and its default once; the composition root
 * hands its `sessions` section and the Blocks rate limit in, and these types say which parts
 * the engine actually uses.
 */

/** The `sessions` section: poll timing, turn timeout, long replies, bound-channel mode. */
export interface SessionsConfig {
  /** The poll interval of a young running turn (the base of every poll interval). */
  pollIntervalMs: number;
  /** The longest poll interval, for long-running turns. */
  maxPollIntervalMs: number;
  turnTimeoutMinutes: number;
  attachAsFileOverChars: number;
  boundChannelMode: 'queue' | 'interrupt';
  /** Progress of running turns (progress.ts, progress-display.ts). */
  progress: 'off' | 'status' | 'steps';
  progressFinalCheckEvery: number;
  progressMinEditMs: number;
  progressStepsShown: number;
  progressStatusRefreshMs: number;
  progressTypingEveryMs: number;
  progressTypingMaxMinutes: number;
}

/** The poll timing alone: the one place a turn's poll interval is configured. */
export type SessionsPollConfig = Pick<SessionsConfig, 'pollIntervalMs' | 'maxPollIntervalMs'>;

/** The Blocks rate limit, as far as the polling share of its window goes. */
export interface PollRateLimit {
  limit: number;
  windowMs: number;
  safetyMarginMs: number;
  interactiveReserve: number;
}
