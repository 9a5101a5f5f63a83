/**
 * The outbox's sections. The store's outbox is shared by the mirror's two stages, the agent
 * engine's request queues and its index of running turns; each owns the partitions under one
 * prefix. Declared here, beside the runner, so that whoever reads the outbox (recovery,
 * drains, metrics) tells them apart without importing the engines.
 */
import type { ChannelRef } from '../core/chat.js';
import { channelKey } from '../core/keys.js';
import type { DeadLetterRepository } from '../store/dead-letters.js';

/** Every outbox partition of the mirror carries this prefix. */
export const MIRROR_PARTITION_PREFIX = 'mirror:';
/** Partitions of the mirror's copy stage (within the mirror's prefix; channel keys never start with it). */
export const COPY_PARTITION_PREFIX = `${MIRROR_PARTITION_PREFIX}copies:`;

/**
 * Partitions of the agents' posts (Fluxra → platforms), one per TARGET channel: a stalled
 * platform holds back only its own channels, and each channel gets them in Fluxra's order.
 */
export const FROM_FLUXRA_PARTITION_PREFIX = `${MIRROR_PARTITION_PREFIX}from-fluxra:`;

/** The outbox partition of a source channel: one per channel, so order holds per channel. */
export function mirrorPartition(channel: ChannelRef): string {
  return MIRROR_PARTITION_PREFIX + channelKey(channel);
}

/** The copy-stage partition of a source channel: its copies go out in the order it wrote them. */
export function copyPartition(channel: ChannelRef): string {
  return COPY_PARTITION_PREFIX + channelKey(channel);
}

/** A channel's dead letters, of every mirror queue (to Fluxra, its copies into the other channels, the agents' posts into it). */
export async function channelDeadLetters(deadLetters: Pick<DeadLetterRepository, 'count'>, channel: ChannelRef): Promise<number> {
  const partitions = [mirrorPartition(channel), copyPartition(channel), fromFluxraPartition(channel)];
  const counts = await Promise.all(partitions.map((partition) => deadLetters.count(partition)));
  return counts.reduce((sum, count) => sum + count, 0);
}

/** The partition of the agents' posts into one channel. */
export function fromFluxraPartition(channel: ChannelRef): string {
  return FROM_FLUXRA_PARTITION_PREFIX + channelKey(channel);
}

export const isCopyPartition = (partition: string): boolean => partition.startsWith(COPY_PARTITION_PREFIX);
export const isFromFluxraPartition = (partition: string): boolean => partition.startsWith(FROM_FLUXRA_PARTITION_PREFIX);
/** A first-stage partition (platform → Fluxra). */
export const isSendPartition = (partition: string): boolean => partition.startsWith(MIRROR_PARTITION_PREFIX) && !isCopyPartition(partition) && !isFromFluxraPartition(partition);

/** Every outbox partition of the agent-session engine starts with it. */
export const SESSIONS_PARTITION_PREFIX = 'sessions:';
/** One entry per running turn: `{ turnId }`. */
export const RUNNING_PARTITION = 'sessions:running';
/** A session's request queue: `sessions:req:<session record id>`. */
export const SESSION_REQUEST_PREFIX = 'sessions:req:';
