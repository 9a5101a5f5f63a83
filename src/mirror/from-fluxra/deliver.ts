/**
 * Fluxra → platforms, for one conversation: queue each new Fluxra message for every linked,
 * unpaused channel, deliver each queued copy, and follow edits and deletes of what was
 * delivered.
 *
 * Per message, in order: skip our own (sent by the bridge's agent: that is the other
 * direction, and posting it back would echo) and the ones already queued (poll overlap, a
 * batch read again after a failure); then queue one item per channel, in that channel's own
 * outbox partition (`fromFluxraPartition`), and record that it was queued (for edit
 * following and dedupe). Each channel's queue is drained on its own: a stalled or failing
 * platform holds back only its own channels, and each channel gets the messages in order.
 *
 * A queued copy is posted through `postOnce` (key = message id + channel, so a retry, a crash
 * or the same item queued twice never doubles a copy) as the agent, in the thread of the
 * message it replies to when that one has a copy in the channel (waiting while that copy is
 * still queued, see `pending-copies.ts`), and recorded in the message map. A refusal that
 * concerns only that copy (channel gone, no access) is logged and the copy skipped.
 */

import type { ChannelRef, ChatAdapter, OutboundMessage } from '../../core/chat.js';
import type { AdapterDirectory } from '../../core/consumer.js';
import { channelKey, toChannelRef } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { MirrorMetrics } from '../../core/metrics-hooks.js';
import { editSplit, partsByChannel } from '../../delivery/edit-split.js';
import { postCopyOrSkip, postKey } from '../../delivery/post-once.js';
import { breakMentionSyntax } from '../../format/mentions.js';
import type { FluxraMessage } from '../../services/fluxra/index.js';
import type { Store } from '../../store/index.js';
import { createDeliveryRecorder } from '../link-status.js';
import { type PendingCopies, RootCopyPendingError } from '../pending-copies.js';
import { DELIVERED_NAMESPACE, DELIVERED_TTL_MS, type DeliveredRecord, deliveredRecord, detectChange } from './fluxra-edits.js';

export interface FromFluxraDeps {
  store: Store;
  adapters: AdapterDirectory;
  /** The bridge's own Fluxra agent: its messages are never posted back. */
  selfAgentId: string;
  logger: Logger;
  now?: () => number;
  /** Counts each copy posted (direction from_fluxra, by destination platform). */
  metrics?: MirrorMetrics;
  /** Queues one copy durably in its channel's partition (and wakes the worker that drains it). */
  queue: (channel: ChannelRef, item: FromFluxraItem) => Promise<void>;
  pending: PendingCopies;
}

/** One Fluxra message for one channel: an item of that channel's agents' posts queue. */
export interface FromFluxraItem {
  message: FluxraMessage;
  channel: ChannelRef;
}

/** A channel to deliver into, with the adapter that reaches it. */
export interface DeliveryTarget {
  channel: ChannelRef;
  adapter: ChatAdapter;
}

export interface BatchResult {
  /** Messages queued for at least one channel. */
  delivered: number;
  /** Messages skipped: ours, already delivered, or deleted before we saw them. */
  skipped: number;
}

export interface ChangeResult {
  edited: number;
  deleted: number;
}

export interface FromFluxra {
  /** Linked, unpaused channels of the conversation whose platform is connected. */
  targets(conversationId: string): Promise<DeliveryTarget[]>;
  deliverBatch(conversationId: string, messages: readonly FluxraMessage[], targets: readonly DeliveryTarget[]): Promise<BatchResult>;
  /** Applies the edits and deletes that `messages` (a re-read window) show. */
  followChanges(messages: readonly FluxraMessage[]): Promise<ChangeResult>;
  /** Posts one queued copy (see `FromFluxraItem`); throws `RootCopyPendingError` while its thread root's copy is queued. */
  deliverQueued(item: FromFluxraItem): Promise<void>;
}

/**
 * The message as the platforms get it: under the agent's name. Fluxra has no live mentions:
 * mention syntax in its text is made inert (format/mentions.ts); the adapters neutralise
 * mass mentions.
 */
export function toOutbound(message: FluxraMessage): OutboundMessage {
  const name = message.senderName?.trim() || message.senderId;
  return { text: breakMentionSyntax(message.content), as: { name } };
}

/** The thread to post a reply in: the thread of the replied-to message's copy in this channel. */
export async function threadOfReply(store: Pick<Store, 'messageMap'>, message: FluxraMessage, channel: ChannelRef): Promise<string | undefined> {
  if (!message.inReplyTo) return undefined;
  const copies = await store.messageMap.copiesOf(message.inReplyTo);
  const here = copies.find((copy) => copy.platform === channel.platform && copy.channelId === channel.channelId);
  return here === undefined ? undefined : (here.threadRootId ?? here.messageId);
}

export function createFromFluxra(deps: FromFluxraDeps): FromFluxra {
  const { store, adapters, selfAgentId } = deps;
  const logger = deps.logger.child({ direction: 'from-fluxra' });
  const now = deps.now ?? Date.now;
  const delivered = store.kv<DeliveredRecord>(DELIVERED_NAMESPACE);
  const recordDelivery = createDeliveryRecorder(store);

  const deliverQueued = async (item: FromFluxraItem): Promise<void> => {
    const { message, channel } = item;
    const adapter = adapters.get(channel.platform);
    if (adapter === undefined) {
      logger.warn({ messageId: message.messageId, channel: channelKey(channel) }, 'a linked channel is on a platform that is not connected; not delivering there');
      await deps.pending.settle(message.messageId, [channel]);
      return;
    }
    const threadRootId = await threadOfReply(store, message, channel);
    if (message.inReplyTo && threadRootId === undefined && (await deps.pending.isPending(message.inReplyTo, channel))) {
      throw new RootCopyPendingError(message.inReplyTo, channel);
    }
    const refs = await postCopyOrSkip({
      store,
      adapter,
      channel,
      message: toOutbound(message),
      ...(threadRootId !== undefined ? { threadRootId } : {}),
      key: postKey(message.messageId, channel),
      logger,
      about: { messageId: message.messageId },
      now,
    });
    if (refs) {
      await store.messageMap.record(message.messageId, refs);
      deps.metrics?.mirrored('from_fluxra', channel.platform);
      await recordDelivery(message.conversationId, 'from-fluxra', now());
    }
    await deps.pending.settle(message.messageId, [channel]);
  };

  /** Queues `message` for every target (marked pending first, so that replies wait for it), then records it. */
  const queueOne = async (message: FluxraMessage, targets: readonly DeliveryTarget[]): Promise<boolean> => {
    const channels = targets.map((target) => target.channel);
    await deps.pending.mark(message.messageId, channels);
    for (const channel of channels) await deps.queue(channel, { message, channel });
    await delivered.set(message.messageId, deliveredRecord(message, now()), { ttlMs: DELIVERED_TTL_MS });
    return channels.length > 0;
  };

  /** True while a copy of the message is still queued somewhere: its edit or delete waits for a later scan. */
  const stillQueued = async (message: FluxraMessage): Promise<boolean> => {
    for (const channel of await store.links.channelsFor(message.conversationId)) {
      if (await deps.pending.isPending(message.messageId, channel)) return true;
    }
    return false;
  };

  const applyChange = async (message: FluxraMessage, record: DeliveredRecord): Promise<'edit' | 'delete' | undefined> => {
    const change = detectChange(record, message);
    if (!change) return undefined;
    // Its queued copies would be posted with the old text after the edit: look again next scan.
    if (await stillQueued(message)) return undefined;
    const copies = await store.messageMap.copiesOf(message.messageId);
    for (const parts of partsByChannel(copies)) {
      const first = parts[0];
      const adapter = first && adapters.get(first.platform);
      if (!first || !adapter) continue;
      if (change === 'delete') {
        for (const part of parts) await adapter.delete(part);
        continue;
      }
      const key = postKey(message.messageId, toChannelRef(first));
      const added = await editSplit({ store, adapter, parts, message: toOutbound(message), key, logger });
      if (added.length > 0) await store.messageMap.record(message.messageId, added);
    }
    await delivered.set(message.messageId, deliveredRecord(message, now()), { ttlMs: DELIVERED_TTL_MS });
    logger.info({ messageId: message.messageId, change, copies: copies.length }, 'followed a Fluxra change');
    return change;
  };

  return {
    async targets(conversationId) {
      const out: DeliveryTarget[] = [];
      // One pass over the links: the records confirming the index are the ones checked here.
      for (const { channel, link } of await store.links.linksFor(conversationId)) {
        if (link.paused || link.conversationId !== conversationId) continue;
        const adapter = adapters.get(channel.platform);
        if (adapter) out.push({ channel, adapter });
      }
      return out;
    },

    async deliverBatch(_conversationId, messages, targets) {
      const result: BatchResult = { delivered: 0, skipped: 0 };
      for (const message of messages) {
        if (message.senderId === selfAgentId || message.deleted) {
          result.skipped += 1;
          continue;
        }
        const record = await delivered.get(message.messageId);
        if (record) {
          // Seen again (overlap or retry): only a change since delivery is news.
          await applyChange(message, record);
          result.skipped += 1;
          continue;
        }
        if (await queueOne(message, targets)) result.delivered += 1;
        else result.skipped += 1;
      }
      return result;
    },

    deliverQueued,

    async followChanges(messages) {
      const result: ChangeResult = { edited: 0, deleted: 0 };
      for (const message of messages) {
        if (message.senderId === selfAgentId) continue;
        const record = await delivered.get(message.messageId);
        if (!record) continue;
        const change = await applyChange(message, record);
        if (change === 'edit') result.edited += 1;
        if (change === 'delete') result.deleted += 1;
      }
      return result;
    },
  };
}
