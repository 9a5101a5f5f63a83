/**
 * What the mirror's intake persists in the outbox and the worker delivers: the neutral
 * platform event as it arrived, nothing derived. The link, names and targets are looked up
 * at delivery time, so that a link changed while items waited is honoured.
 */
import type { BridgeConfig } from '../config/schema.js';
import type { InboundDelete, InboundEdit, InboundMessage } from '../platforms/types.js';
import type { ChannelRef } from '../platforms/types.js';
import { channelKey } from '../store/keys.js';

/** The `mirror` section of the configuration. */
export type MirrorConfig = BridgeConfig['mirror'];

/** One queued platform → Fluxra delivery. */
export type MirrorItem = InboundMessage | InboundEdit | InboundDelete;

/**
 * Outbox partitions of the mirror carry this prefix: the outbox is shared with other
 * engines, and recovery after a restart must only pick up the mirror's own partitions.
 */
export const MIRROR_PARTITION_PREFIX = 'mirror:';

/** The outbox partition of a source channel: one per channel, so order holds per channel. */
export function mirrorPartition(channel: ChannelRef): string {
  return MIRROR_PARTITION_PREFIX + channelKey(channel);
}
