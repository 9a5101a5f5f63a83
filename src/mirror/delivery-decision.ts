/**
 * What the mirror does with an item after a failed attempt, and whether a paused link may
 * try again yet: pure decisions, apart from the clocks and the stores that act on them.
 */
import { RateLimitedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { type DeliveryOutcome, retryDelayMs } from '../delivery/runner.js';
import { FluxraApiError } from '../services/fluxra/index.js';
import type { MirrorConfig } from './mirror-item.js';

export type RetryTimingConfig = Pick<MirrorConfig, 'blockedProbeMs' | 'retryBaseMs' | 'retryMaxMs' | 'maxAttempts'>;

/** Fluxra's answer to a send into a conversation that is blocked (by us or by a member). */
export function isBlockedRefusal(error: unknown): error is FluxraApiError {
  return error instanceof FluxraApiError && error.status === 403 && /block/i.test(error.apiMessage);
}

/**
 * Refusals that retrying cannot help: the item itself is invalid (400, 413, 422), the
 * conversation is gone (404), or Fluxra forbids it for a reason other than a block (403).
 * Such an item is dead-lettered at once so that the channel goes on.
 */
export function isPoisonItem(error: unknown): boolean {
  return error instanceof FluxraApiError && [400, 403, 404, 413, 422].includes(error.status) && !isBlockedRefusal(error);
}

/** The wait before retry number `attempt`: the server's Retry-After (never under the base), else jittered backoff. */
export function retryWaitMs(error: unknown, attempt: number, config: Pick<MirrorConfig, 'retryBaseMs' | 'retryMaxMs'>, random?: () => number): number {
  if (error instanceof RateLimitedError) return Math.max(error.retryAfterMs, config.retryBaseMs);
  return retryDelayMs(attempt, { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs }, random);
}

export type FailureDecision =
  /** Fluxra blocks the conversation: pause the link (tell the channel once) and probe again at `retryAt`. */
  | { kind: 'pause'; retryAt: number; reason: string }
  /** The item failed for good (a permanent refusal, or `maxAttempts` failures): dead-letter it, the channel goes on. */
  | { kind: 'dead'; reason: string }
  /** Anything else: keep the item at the head and try again at `retryAt` (attempt number `attempt`). */
  | { kind: 'retry'; retryAt: number; attempt: number; waitMs: number };

/** The decision after a failed send to Fluxra of an item that failed `failuresBefore` times already. */
export function decideSendFailure(error: unknown, failuresBefore: number, now: number, config: RetryTimingConfig, random?: () => number): FailureDecision {
  if (isBlockedRefusal(error)) return { kind: 'pause', retryAt: now + config.blockedProbeMs, reason: error.apiMessage };
  if (isPoisonItem(error)) return { kind: 'dead', reason: `refused by Fluxra (${(error as FluxraApiError).status})` };
  return decideRetryOrDead(error, failuresBefore, now, config, random);
}

/** Retry with backoff, until the item has failed `maxAttempts` times: then it is dead (a lasting 5xx or 401 must not hold its channel forever). */
export function decideRetryOrDead(
  error: unknown,
  failuresBefore: number,
  now: number,
  config: Pick<MirrorConfig, 'retryBaseMs' | 'retryMaxMs' | 'maxAttempts'>,
  random?: () => number,
): Exclude<FailureDecision, { kind: 'pause' }> {
  if (failuresBefore + 1 >= config.maxAttempts) return { kind: 'dead', reason: `failed ${config.maxAttempts} times` };
  return decideRetry(error, failuresBefore, now, config, random);
}

/** A retry with backoff (the copy stage never pauses: Fluxra has the message, its copies are retried until they go or are dead). */
export function decideRetry(
  error: unknown,
  failuresBefore: number,
  now: number,
  config: Pick<MirrorConfig, 'retryBaseMs' | 'retryMaxMs'>,
  random?: () => number,
): Extract<FailureDecision, { kind: 'retry' }> {
  const attempt = failuresBefore + 1;
  const waitMs = retryWaitMs(error, attempt, config, random);
  return { kind: 'retry', retryAt: now + waitMs, attempt, waitMs };
}

/**
 * A paused link probes Fluxra at most once per `blockedProbeMs`: the time to wait for when
 * the last probe was too recent, or undefined when this item may try now.
 */
export function pausedProbeWait(link: { paused: boolean }, lastProbeAt: number | undefined, now: number, config: Pick<MirrorConfig, 'blockedProbeMs'>): number | undefined {
  if (!link.paused || lastProbeAt === undefined) return undefined;
  return now - lastProbeAt < config.blockedProbeMs ? lastProbeAt + config.blockedProbeMs : undefined;
}

/** The outcome of an item that failed for good, logged: it moves to the dead letters and its queue goes on. */
export function deadLetterOutcome(logger: Logger, partition: string, what: Record<string, unknown>, reason: string, description: string): DeliveryOutcome {
  logger.error({ partition, ...what, reason, err: description }, 'mirror delivery failed for good; moved to the dead letters');
  return { kind: 'dead', reason: `${reason}: ${description}` };
}

/** The outcome of an item to try again, logged. */
export function retryOutcome(
  logger: Logger,
  partition: string,
  what: Record<string, unknown>,
  decision: { retryAt: number; attempt: number; waitMs: number },
  description: string,
): DeliveryOutcome {
  logger.warn({ partition, ...what, attempt: decision.attempt, retryInMs: decision.waitMs, err: description }, 'mirror delivery failed; will retry');
  return { kind: 'retry', retryAt: decision.retryAt, error: description };
}
