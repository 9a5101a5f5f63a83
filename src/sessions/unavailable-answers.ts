/**
 * "Durable or answered at once" for mentions. A mention whose request cannot be made durable
 * (the store does not answer) is not taken: the platform delivers it again (Slack, unacked)
 * or the Discord intake retries it, and the mirror takes it then. The person is told at once,
 * in the mention's thread, that the bridge is temporarily unavailable and to try again, and
 * no session is started from a later delivery of that same mention: they were told nothing
 * was started, so a session appearing later (and a second one when they ask again) would be
 * wrong. Which mentions were answered is remembered in memory, for a bounded time and count.
 *
 * Across replicas: Slack may redeliver the mention to another replica, which never saw the
 * answer. So only the first delivery of an event is answered (a redelivery, Slack's
 * `retryNum`, is refused silently: left unacked, Slack tries again until it is durable),
 * and before a redelivered mention starts a session, its thread is read for our answer: the
 * answer was posted before the first delivery failed, so before Slack delivered it again.
 */

import type { ChatAdapter, InboundMessage } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isStoreUnreachable } from '../store/errors.js';

export const MENTION_UNAVAILABLE_TEXT = 'The bridge is temporarily unavailable and could not take this request; nothing was started. Please try again in a minute.';

export const UNAVAILABLE_ANSWERS_DEFAULTS = {
  /** Slack's last redelivery comes about 5 minutes after the first try; Discord's intake retries for as long as it takes. */
  rememberMs: 60 * 60_000,
  maxRemembered: 10_000,
} as const;

/** A person's mention: what may get the "temporarily unavailable" answer. */
function isPersonsMention(event: InboundMessage): boolean {
  return event.mentionsBot && !event.author.isBot && !event.author.isSelf;
}

/** Whether a message whose acceptance failed with `error` gets the "temporarily unavailable" answer: first deliveries only. */
export function answersUnavailable(event: InboundMessage, error: unknown): boolean {
  return isPersonsMention(event) && !isRedelivery(event) && isStoreUnreachable(error);
}

/** Slack told us it delivers this event again (another replica may have had the first try). */
export function isRedelivery(event: InboundMessage): boolean {
  return (event.retryNum ?? 0) > 0;
}

/** When the mention was posted (epoch ms): our answer, if any, came after it. */
export function mentionPostedAtMs(event: InboundMessage): number {
  // A Slack `ts` is the post's time in seconds; other platforms never redeliver (no `retryNum`).
  const seconds = event.platform === 'slack' ? Number(event.ref.messageId) : Number.NaN;
  return Number.isFinite(seconds) ? Math.floor(seconds * 1000) : event.receivedAt;
}

/** The remembered answers to drop: expired ones, and the oldest past the count bound (oldest first in `entries`). */
export function expiredAnswers(entries: ReadonlyArray<readonly [string, number]>, now: number, maxRemembered: number): string[] {
  const expired = entries.filter(([, expiresAt]) => expiresAt <= now).map(([eventId]) => eventId);
  const left = entries.length - expired.length;
  const overflow = entries.filter(([, expiresAt]) => expiresAt > now).slice(0, Math.max(0, left - maxRemembered));
  return [...expired, ...overflow.map(([eventId]) => eventId)];
}

export interface UnavailableAnswers {
  /**
   * This mention was answered "temporarily unavailable" (here, or for a redelivery by any
   * replica: found in its thread): take no session from it. Rejects when the thread cannot be read.
   */
  answered(event: InboundMessage, source: ChatAdapter): Promise<boolean>;
  /** Answers the mention in its thread (once per event), if `error` calls for it. */
  answerIfUnavailable(event: InboundMessage, source: ChatAdapter, error: unknown): Promise<void>;
}

export function createUnavailableAnswers(deps: { logger: Logger; now: () => number; rememberMs?: number; maxRemembered?: number }): UnavailableAnswers {
  const rememberMs = deps.rememberMs ?? UNAVAILABLE_ANSWERS_DEFAULTS.rememberMs;
  const maxRemembered = deps.maxRemembered ?? UNAVAILABLE_ANSWERS_DEFAULTS.maxRemembered;
  /** Event id → when it may be forgotten, in insertion (so expiry) order. */
  const remembered = new Map<string, number>();

  const prune = (): void => {
    for (const eventId of expiredAnswers([...remembered.entries()], deps.now(), maxRemembered)) remembered.delete(eventId);
  };

  return {
    async answered(event, source) {
      prune();
      if (remembered.has(event.eventId)) return true;
      if (!isRedelivery(event) || !isPersonsMention(event)) return false;
      const found = await source.findOwnPost(
        { platform: event.platform, channelId: event.ref.channelId },
        { text: MENTION_UNAVAILABLE_TEXT },
        { threadRootId: event.ref.threadRootId ?? event.ref.messageId, sinceMs: mentionPostedAtMs(event) },
      );
      if (found === undefined) return false;
      remembered.set(event.eventId, deps.now() + rememberMs);
      return true;
    },
    async answerIfUnavailable(event, source, error) {
      if (!answersUnavailable(event, error) || remembered.has(event.eventId)) return;
      remembered.set(event.eventId, deps.now() + rememberMs);
      prune();
      deps.logger.warn({ eventId: event.eventId, err: describeError(error) }, 'mention not taken: the store does not answer; told the person to try again');
      try {
        // Straight to the platform: the exactly-once bookkeeping of a post lives in the store that is away.
        await source.post(
          { platform: event.platform, channelId: event.ref.channelId },
          { text: MENTION_UNAVAILABLE_TEXT },
          { threadRootId: event.ref.threadRootId ?? event.ref.messageId },
        );
      } catch (postError) {
        deps.logger.warn({ eventId: event.eventId, err: describeError(postError) }, 'could not tell the person the bridge is temporarily unavailable');
      }
    },
  };
}
