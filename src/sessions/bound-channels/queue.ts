/**
 * The durable state of bound channels besides their bindings:
 *
 * - the queue: one outbox partition per channel (`sessions:chan:<channel>`) holding every
 *   person's message taken from it, in arrival order, until it has been sent to the agent
 *   (or refused with a reason). Written before the platform is acknowledged.
 * - the batch: the messages being sent to Blocks as one prompt, written BEFORE the Blocks
 *   call, so that a restart resumes that very call (same prompt, same session) instead of
 *   sending the messages again or forgetting them.
 * - taken markers: messages already sent (or refused), so that a duplicate delivery of one
 *   (Slack retry, gateway replay, message + mention pair) is never sent twice.
 */
import type { ChannelRef } from '../../core/chat.js';
import { channelKey, messageKey } from '../../core/keys.js';
import type { ResolvedAgent } from '../../services/blocks/types.js';
import type { MessageKey, OutboxEntry, Store } from '../../store/index.js';
import type { PlacedMessage } from '../types.js';

export const CHANNEL_QUEUE_PREFIX = 'sessions:chan:';

/** A person's message waiting in a bound channel's queue. */
export interface QueuedMessage extends PlacedMessage {
  channel: ChannelRef;
  authorId: string;
  /** Epoch ms. */
  receivedAt: number;
  /** Posted in a private channel, a group DM or a DM (a session it starts is created private). */
  privateChannel?: boolean;
}

/** Messages on their way to Blocks as one prompt: a session start or one follow-up. */
export interface ChannelBatch {
  channel: ChannelRef;
  kind: 'start' | 'follow-up';
  sessionRecordId: string;
  agent: ResolvedAgent;
  agentLabel: string;
  /** Outbox ids of the messages, completed once the batch is done. */
  entryIds: string[];
  messages: QueuedMessage[];
  /** The answer's thread: the last message's. */
  threadRootId: string;
  prompt: string;
  createdAt: number;
}

/** A week: far beyond any redelivery of a platform event. */
const TAKEN_TTL_MS = 7 * 24 * 60 * 60_000;
/** Read at once from a queue (status, batching). */
const MAX_PEEK = 200;

export interface ChannelQueue {
  enqueue(message: QueuedMessage): Promise<void>;
  /** Waiting messages, oldest first. */
  waiting(channel: ChannelRef, limit?: number): Promise<Array<OutboxEntry<QueuedMessage>>>;
  complete(channel: ChannelRef, entryIds: readonly string[]): Promise<void>;
  /** Channels with messages in their queue (for recovery after a restart). */
  channels(): Promise<ChannelRef[]>;
  getBatch(channel: ChannelRef): Promise<ChannelBatch | undefined>;
  putBatch(batch: ChannelBatch): Promise<void>;
  clearBatch(channel: ChannelRef): Promise<void>;
  isTaken(message: MessageKey): Promise<boolean>;
  markTaken(message: MessageKey): Promise<void>;
}

export function channelQueuePartition(channel: ChannelRef): string {
  return CHANNEL_QUEUE_PREFIX + channelKey(channel);
}

export function createChannelQueue(store: Store): ChannelQueue {
  const batches = store.kv<ChannelBatch>('channel-batches');
  const taken = store.kv<true>('channel-taken');
  return {
    async enqueue(message) {
      await store.outbox.enqueue(channelQueuePartition(message.channel), message);
    },
    waiting: (channel, limit = MAX_PEEK) => store.outbox.peek<QueuedMessage>(channelQueuePartition(channel), limit),
    async complete(channel, entryIds) {
      for (const id of entryIds) await store.outbox.complete(channelQueuePartition(channel), id);
    },
    async channels() {
      const found: ChannelRef[] = [];
      for (const partition of await store.outbox.partitions()) {
        if (!partition.startsWith(CHANNEL_QUEUE_PREFIX)) continue;
        const head = await store.outbox.head<QueuedMessage>(partition);
        if (head) found.push(head.item.channel);
      }
      return found;
    },
    getBatch: (channel) => batches.get(channelKey(channel)),
    putBatch: (batch) => batches.set(channelKey(batch.channel), batch),
    async clearBatch(channel) {
      await batches.delete(channelKey(channel));
    },
    async isTaken(message) {
      return (await taken.get(messageKey(message))) === true;
    },
    markTaken: (message) => taken.set(messageKey(message), true, { ttlMs: TAKEN_TTL_MS }),
  };
}
