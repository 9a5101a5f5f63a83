/**
 * Which copies of one logical message exist, so that threads, edits, deletes and echo
 * suppression can find them all. A logical message is named by its Fluxra message id (every
 * mirrored message has exactly one); its platform copies are the Slack and Discord messages
 * carrying it (several on one side when a long text was split).
 *
 * Two structures, both expiring `ttlMs` after their last write (default 30 days):
 * - the copy group: an ordered map per Fluxra id, member = message key, value = the ref as
 *   posted (with its adapter `meta`), so adding a copy never rewrites the others and two
 *   writers (the inbound path and the poller) cannot lose each other's copies;
 * - the forward index: message key → Fluxra id, one keyv record per copy.
 * `record` writes the group before the index, so a ref that resolves always finds its group.
 */
import type { MessageRef } from '../core/chat.js';
import { type MessageKey, messageKey } from '../core/keys.js';
import type { StoreBackend } from './backend.js';
import { assertTtl, createKvNamespace } from './kv.js';

/** All known copies of one logical message. */
export interface MessageGroup {
  fluxraMessageId: string;
  /** Platform copies in the order they were recorded (post order for a split message). */
  copies: MessageRef[];
}

/** Platform message ↔ Fluxra message, both ways. */
export interface MessageMapRepository {
  /** Adds platform copies of a Fluxra message to what is already known (idempotent per ref). */
  record(fluxraMessageId: string, copies: readonly MessageRef[]): Promise<void>;
  /** The Fluxra message a platform message is a copy of (or the origin of). */
  fluxraIdOf(ref: MessageKey): Promise<string | undefined>;
  /** The platform copies of a Fluxra message; empty when unknown or expired. */
  copiesOf(fluxraMessageId: string): Promise<MessageRef[]>;
  /** From one platform copy to the whole group (for an edit or delete seen on one side). */
  groupOf(ref: MessageKey): Promise<MessageGroup | undefined>;
  /** Forgets the message and every copy (after it was deleted everywhere). */
  forget(fluxraMessageId: string): Promise<void>;
}

export const DEFAULT_MESSAGE_MAP_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const GROUP = 'message-copies';
const MAX_COPIES = 1_000;

interface StoredCopy {
  ref: MessageRef;
  recordedAt: number;
  /** Order of `record` calls in this process: two calls within one millisecond keep their order. */
  seq?: number;
  /** Position within one `record` call, to keep post order among copies recorded together. */
  index: number;
}

export function createMessageMapRepository(backend: StoreBackend, prefix: string, ttlMs = DEFAULT_MESSAGE_MAP_TTL_MS): MessageMapRepository {
  assertTtl(ttlMs, 'messageMap');
  let recordCalls = 0;
  const forward = createKvNamespace<string>(backend.keyv, `${prefix}:message-ids`);

  const copiesOf = async (fluxraMessageId: string): Promise<MessageRef[]> => {
    const entries = await backend.maps.range(GROUP, fluxraMessageId, MAX_COPIES);
    return entries
      .map((entry) => JSON.parse(entry.value) as StoredCopy)
      .sort((a, b) => a.recordedAt - b.recordedAt || (a.seq ?? 0) - (b.seq ?? 0) || a.index - b.index)
      .map((copy) => copy.ref);
  };

  return {
    async record(fluxraMessageId, copies) {
      const recordedAt = Date.now();
      recordCalls += 1;
      const seq = recordCalls;
      // A copy recorded again (a retried step) keeps its place; the write still refreshes the TTL.
      const entries = copies.map((ref, index) => ({ member: messageKey(ref), value: JSON.stringify({ ref, recordedAt, seq, index } satisfies StoredCopy) }));
      await backend.maps.putNew(GROUP, fluxraMessageId, entries, ttlMs);
      // The index entries are independent of one another; only the group must come first.
      await Promise.all(copies.map((ref) => forward.set(messageKey(ref), fluxraMessageId, { ttlMs })));
    },
    async fluxraIdOf(ref) {
      return forward.get(messageKey(ref));
    },
    copiesOf,
    async groupOf(ref) {
      const fluxraMessageId = await forward.get(messageKey(ref));
      if (fluxraMessageId === undefined) return undefined;
      return { fluxraMessageId, copies: await copiesOf(fluxraMessageId) };
    },
    async forget(fluxraMessageId) {
      const copies = await copiesOf(fluxraMessageId);
      await backend.maps.drop(GROUP, fluxraMessageId);
      for (const ref of copies) {
        // Only drop the index entry if it still points here.
        if ((await forward.get(messageKey(ref))) === fluxraMessageId) await forward.delete(messageKey(ref));
      }
    },
  };
}
