/**
 * Fluxra → platforms, for one conversation: deliver a batch of new Fluxra messages to every
 * linked, unpaused channel, and follow edits and deletes of what was delivered.
 *
 * Per message, in order: skip our own (sent by the bridge's agent: that is the other
 * direction, and posting it back would echo) and the ones already delivered (poll overlap,
 * a batch retried after a failure); then for each channel post it through `postOnce` (key =
 * message id + channel, so a retry or a crash never doubles a copy) as the agent, in the
 * thread of the message it replies to when that one has a copy in the channel; record the
 * copies in the message map; then record the delivery (for edit following and dedupe).
 *
 * A failure that may pass (network, 5xx, 429, auth) is thrown after the other channels of
 * that message were tried, so the caller keeps its cursor and retries the batch. A refusal
 * that concerns only one copy (channel gone, no access) is logged and that copy skipped,
 * so that one broken channel cannot hold up a conversation forever.
 */

import type { ChannelRef, ChatAdapter, MessageRef, OutboundMessage } from '../../core/chat.js';
import type { AdapterDirectory } from '../../core/consumer.js';
import { describeError } from '../../core/errors.js';
import { channelKey, toChannelRef } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { MirrorMetrics } from '../../core/metrics-hooks.js';
import { editSplit, partsByChannel } from '../../delivery/edit-split.js';
import { postCopyOrSkip, postKey } from '../../delivery/post-once.js';
import { breakMentionSyntax } from '../../format/mentions.js';
import type { FluxraMessage } from '../../services/fluxra/index.js';
import type { Store } from '../../store/index.js';
import { createDeliveryRecorder } from '../link-status.js';
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
}

/** A channel to deliver into, with the adapter that reaches it. */
export interface DeliveryTarget {
  channel: ChannelRef;
  adapter: ChatAdapter;
}

export interface BatchResult {
  /** Messages posted (to at least one channel) or found posted. */
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

  const postCopy = async (message: FluxraMessage, target: DeliveryTarget): Promise<MessageRef[] | undefined> => {
    const threadRootId = await threadOfReply(store, message, target.channel);
    return postCopyOrSkip({
      store,
      adapter: target.adapter,
      channel: target.channel,
      message: toOutbound(message),
      ...(threadRootId !== undefined ? { threadRootId } : {}),
      key: postKey(message.messageId, target.channel),
      logger,
      about: { messageId: message.messageId },
      now,
    });
  };

  const deliverOne = async (message: FluxraMessage, targets: readonly DeliveryTarget[]): Promise<boolean> => {
    let failure: unknown;
    let posted = false;
    for (const target of targets) {
      try {
        const refs = await postCopy(message, target);
        if (!refs) continue;
        await store.messageMap.record(message.messageId, refs);
        deps.metrics?.mirrored('from_fluxra', target.channel.platform);
        posted = true;
      } catch (error) {
        // Try the other channels first: one platform's outage should not delay the other.
        failure ??= error;
        logger.warn(
          { messageId: message.messageId, channel: channelKey(target.channel), err: describeError(error) },
          'delivery of a Fluxra message failed; the batch will be retried',
        );
      }
    }
    if (failure !== undefined) throw failure;
    await delivered.set(message.messageId, deliveredRecord(message, now()), { ttlMs: DELIVERED_TTL_MS });
    return posted;
  };

  const applyChange = async (message: FluxraMessage, record: DeliveredRecord): Promise<'edit' | 'delete' | undefined> => {
    const change = detectChange(record, message);
    if (!change) return undefined;
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

    async deliverBatch(conversationId, messages, targets) {
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
        if (await deliverOne(message, targets)) result.delivered += 1;
        else result.skipped += 1;
      }
      if (result.delivered > 0) await recordDelivery(conversationId, 'from-fluxra', now());
      return result;
    },

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
