/**
 * When the Fluxra poller looks at a conversation next: quickly while people (agents) are
 * talking, slowly when it is quiet, and further and further apart while Fluxra refuses or
 * fails. Pure, so that the choice is tested without clocks.
 */
import { RateLimitedError } from '../../core/errors.js';
import type { MirrorConfig } from '../mirror-item.js';

export type PollTimingConfig = Pick<MirrorConfig, 'pollIntervalMs' | 'idlePollIntervalMs' | 'activeForMs' | 'retryBaseMs' | 'retryMaxMs'>;

export interface PollTimingInput {
  now: number;
  /** Epoch ms of the newest message seen in the conversation (any sender), if any. */
  lastMessageAt: number | undefined;
  /** Polls that failed in a row (0 after a success). */
  failures: number;
  /** The last failure, when `failures > 0`: a 429's Retry-After is honoured. */
  error?: unknown;
  /** In [0, 1): spreads retries of many conversations apart. Default 0.5 (no spread). */
  random?: number;
}

/** True while the conversation had a message within `activeForMs`. */
export function isActive(config: Pick<MirrorConfig, 'activeForMs'>, now: number, lastMessageAt: number | undefined): boolean {
  return lastMessageAt !== undefined && now - lastMessageAt < config.activeForMs;
}

/** Milliseconds until the next poll of one conversation. */
export function nextPollDelay(config: PollTimingConfig, input: PollTimingInput): number {
  const regular = isActive(config, input.now, input.lastMessageAt) ? config.pollIntervalMs : config.idlePollIntervalMs;
  if (input.failures <= 0) return regular;
  // Exponential from retryBaseMs, capped, with ±25 % jitter so that conversations do not retry in step.
  const exponent = Math.min(input.failures - 1, 30);
  const backoff = Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** exponent);
  const jitter = 0.75 + 0.5 * (input.random ?? 0.5);
  const delay = Math.round(backoff * jitter);
  const asked = input.error instanceof RateLimitedError ? input.error.retryAfterMs : 0;
  // Never poll faster while failing than while healthy, and never before Fluxra asked.
  return Math.max(delay, asked, Math.min(regular, config.retryMaxMs));
}
