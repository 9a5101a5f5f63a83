/**
 * Copies still queued: which message will get a copy in which channel, but has none yet.
 *
 * A reply's copy goes into the thread of its root's copy in the same channel. The root's
 * copy is made by another queue (the cross-posts of another channel, or the agents' posts
 * into this channel), so it may still be waiting when the reply's turn comes. A reply
 * whose root is pending here waits for it (`RootCopyPendingError`, retried without counting
 * as a failure); a root that will never have a copy here (refused for good, dead-lettered,
 * or older than the link) is not pending, and the reply goes top-level with a quoted
 * reference instead (see `rootReferenceQuote`).
 *
 * A mark is written before its item is queued and removed once the copy is made or given
 * up. Its TTL bounds the wait should a crash come between the mark and the queueing (the
 * item never existed): the reply then goes top-level, quoted, after at most that long.
 */
import type { ChannelRef } from '../core/chat.js';
import { BridgeError } from '../core/errors.js';
import { channelKey } from '../core/keys.js';
import type { Store } from '../store/index.js';

const NAMESPACE = 'mirror-pending-copies';
/** How long a reply may wait for a root whose queued copy never shows up. */
export const PENDING_COPY_TTL_MS = 60 * 60_000;

const keyOf = (fluxraMessageId: string, channel: ChannelRef): string => `${fluxraMessageId} ${channelKey(channel)}`;

export interface PendingCopies {
  /** Before queueing the item that copies `fluxraMessageId` into `channels`. */
  mark(fluxraMessageId: string, channels: readonly ChannelRef[]): Promise<void>;
  /** The copy into `channel` was made, or given up for good. */
  settle(fluxraMessageId: string, channels: readonly ChannelRef[]): Promise<void>;
  isPending(fluxraMessageId: string, channel: ChannelRef): Promise<boolean>;
}

export function createPendingCopies(store: Pick<Store, 'kv'>): PendingCopies {
  const marks = store.kv<1>(NAMESPACE);
  return {
    async mark(fluxraMessageId, channels) {
      for (const channel of channels) await marks.set(keyOf(fluxraMessageId, channel), 1, { ttlMs: PENDING_COPY_TTL_MS });
    },
    async settle(fluxraMessageId, channels) {
      for (const channel of channels) await marks.delete(keyOf(fluxraMessageId, channel));
    },
    async isPending(fluxraMessageId, channel) {
      return (await marks.get(keyOf(fluxraMessageId, channel))) !== undefined;
    },
  };
}

/** Thrown (and retried without counting as a failure) while a reply's root copy is still queued. */
export class RootCopyPendingError extends BridgeError {
  constructor(rootFluxraMessageId: string, channel: ChannelRef) {
    super('ROOT_COPY_PENDING', `the copy of thread root ${rootFluxraMessageId} into ${channelKey(channel)} is still queued`, { retryable: true });
  }
}

/** How soon a reply looks again for its queued root. */
export function rootWaitMs(config: { retryBaseMs: number; retryMaxMs: number }): number {
  return Math.min(config.retryMaxMs, Math.max(config.retryBaseMs, 250));
}

/**
 * The quoted line of a reply whose root has no copy in the channel and never will (refused
 * for good, dead-lettered, or from before the link): top-level, but saying what it answers.
 */
export const ROOT_MISSING_QUOTE = '> ↪ reply in a thread whose first message could not be copied here';
