/**
 * What the mirror's intake persists in the outbox and the worker delivers: the neutral
 * platform event as it arrived, nothing derived. The link, names and targets are looked up
 * at delivery time, so that a link changed while items waited is honoured.
 */
import type { BridgeConfig } from '../config/schema.js';
import type { Author, ChannelRef, InboundDelete, InboundEdit, InboundMessage, MessageRef } from '../core/chat.js';
import { channelKey } from '../core/keys.js';

/** The `mirror` section of the configuration. */
export type MirrorConfig = BridgeConfig['mirror'];

/** One queued platform → Fluxra delivery. */
export type MirrorItem = InboundMessage | InboundEdit | InboundDelete;

/**
 * The second stage of a platform message: copying it into the other channels linked to the
 * same conversation, once Fluxra has it. Queued by the first stage, so that a slow or
 * rate-limited platform delays only the copies, never the next message's way to Fluxra.
 */
export type CopyItem =
  | {
      kind: 'post';
      source: MessageRef;
      author: Author;
      /** Neutral markdown with attachment links, not attributed (the post's name attributes it). */
      text: string;
      conversationId: string;
      /** The first Fluxra message of the source: names the posts. */
      fluxraMessageId: string;
      /** The Fluxra message the source continues (thread root, or the message a reply answers). */
      rootFluxraMessageId?: string;
      /** Set for an inline reply (see `threading.ts`): its quote line, for channels that do not thread it. */
      quote?: string;
    }
  | {
      kind: 'edit';
      source: MessageRef;
      author: Author;
      text: string;
      /** As on `post`: the copies outside a thread keep their quote line. */
      quote?: string;
    }
  | { kind: 'delete'; source: MessageRef; fluxraMessageId: string };

/**
 * Every outbox partition of the mirror carries this prefix: the outbox is shared with other
 * engines, and recovery, drains and metrics must only count the mirror's own partitions.
 */
export const MIRROR_PARTITION_PREFIX = 'mirror:';
/** Partitions of the copy stage (within the mirror's prefix; channel keys never start with it). */
export const COPY_PARTITION_PREFIX = `${MIRROR_PARTITION_PREFIX}copies:`;

/** The outbox partition of a source channel: one per channel, so order holds per channel. */
export function mirrorPartition(channel: ChannelRef): string {
  return MIRROR_PARTITION_PREFIX + channelKey(channel);
}

/** The copy-stage partition of a source channel: its copies go out in the order it wrote them. */
export function copyPartition(channel: ChannelRef): string {
  return COPY_PARTITION_PREFIX + channelKey(channel);
}

export const isCopyPartition = (partition: string): boolean => partition.startsWith(COPY_PARTITION_PREFIX);
/** A first-stage partition (platform → Fluxra). */
export const isSendPartition = (partition: string): boolean => partition.startsWith(MIRROR_PARTITION_PREFIX) && !isCopyPartition(partition);
