/**
 * One copy of a mirrored message into one channel, as both directions make them (agents'
 * messages from Fluxra, people's messages cross-posted to the other platform): through
 * `postOnce`, in the wanted thread. When the platform refuses for good, and only for this
 * copy (channel deleted, access lost, thread root gone), the copy goes top-level instead of
 * in its thread, or is skipped with an error in the log: one broken channel must not hold
 * up the others, or the later messages of its queue, forever.
 */

import type { ChannelRef, ChatAdapter, MessageRef, OutboundMessage } from '../core/chat.js';
import { describeError, UpstreamError } from '../core/errors.js';
import { channelKey } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { postOnce } from '../delivery/post-once.js';
import type { Store } from '../store/index.js';

const AUTH_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);

/** A refusal that retrying cannot fix and that concerns this copy only (not our credentials). */
export function isPermanentForCopy(error: unknown): boolean {
  if (!(error instanceof UpstreamError) || error.retryable) return false;
  if (error.service !== 'slack' && error.service !== 'discord') return false;
  if (error.status === 401) return false;
  return !(error.detail !== undefined && AUTH_CODES.has(error.detail));
}

export interface CopyPostInput {
  store: Store;
  adapter: ChatAdapter;
  channel: ChannelRef;
  message: OutboundMessage;
  /** The thread to post in, when the copy answers a message that has a copy here. */
  threadRootId?: string;
  /** Names the post for `postOnce`. */
  key: string;
  logger: Logger;
  /** What the log lines say the copy is of (e.g. `{ messageId }`). */
  about: Record<string, unknown>;
  now?: () => number;
}

/** The copy's refs, or undefined when the platform refused it for good (logged). Other failures are thrown. */
export async function postCopyOrSkip(input: CopyPostInput): Promise<MessageRef[] | undefined> {
  const { logger, about } = input;
  const channel = channelKey(input.channel);
  const post = (thread: string | undefined) =>
    postOnce({
      store: input.store,
      adapter: input.adapter,
      channel: input.channel,
      message: input.message,
      options: thread ? { threadRootId: thread } : {},
      key: input.key,
      ...(input.now ? { now: input.now } : {}),
    });
  try {
    return await post(input.threadRootId);
  } catch (error) {
    if (!isPermanentForCopy(error)) throw error;
    if (input.threadRootId) {
      // The thread's root may be gone: the message still belongs in the channel.
      logger.warn({ ...about, channel, err: describeError(error) }, 'message could not go in its thread; posting it top-level');
      try {
        return await post(undefined);
      } catch (retryError) {
        if (!isPermanentForCopy(retryError)) throw retryError;
        error = retryError;
      }
    }
    logger.error({ ...about, channel, err: describeError(error) }, 'platform refused a mirrored message; this copy is skipped');
    return undefined;
  }
}
