/**
 * The mirror's first stage: delivers one queued platform event (message, edit, delete) to
 * Fluxra, then queues its second stage (the copies in the other linked channels, see
 * `cross-post/copy-stage.ts`) in the source channel's copy partition. Every step is either recorded
 * before the next (sends, via `fluxra-send.ts`) or harmless to repeat (edits, deletes, map
 * writes, queueing a copy item again: its posts go through `postOnce`), so an item
 * delivered again after a crash or a retry, or a duplicate of it (Slack retry, gateway
 * replay), completes without a second copy anywhere.
 *
 * `ToFluxra.deliver` throws errors unchanged; `createSendStage` (below), the stage's outbox
 * handler, decides between retry, pause and drop (`delivery-decision.ts`).
 */

import type { ChannelRef, InboundDelete, InboundEdit, MessageRef } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import { messageKey, toChannelRef } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { MirrorMetrics } from '../../core/metrics-hooks.js';
import type { DeliveryOutcome } from '../../delivery/runner.js';
import { mentionsAsNames } from '../../format/mentions.js';
import { FLUXRA_MAX_CONTENT_LENGTH, FluxraApiError, type FluxraClient } from '../../services/fluxra/index.js';
import { DEFAULT_MESSAGE_MAP_TTL_MS, type KvNamespace, type LinkRecord, type OutboxEntry, type Store } from '../../store/index.js';
import { attributionOf } from '../agent-post.js';
import { fitInto, fluxraParts, textWithAttachments } from '../attribution.js';
import { deadLetterOutcome, decideSendFailure, pausedProbeWait, type RetryTimingConfig, retryOutcome } from '../delivery-decision.js';
import type { createLinkNotices } from '../link-notices.js';
import { createDeliveryRecorder } from '../link-status.js';
import type { CopyItem, MirrorConfig, MirroredMessage, MirrorItem } from '../mirror-item.js';
import { replyParent, replyQuote, withQuote } from '../threading.js';
import { createEarlyChanges, withEarlyChange } from './early-changes.js';
import { editChangesText } from './edit-changed.js';
import { createFluxraSendOnce, type MessageProgress } from './fluxra-send.js';

export const MIRROR_PROGRESS_NAMESPACE = 'mirror-progress';

export interface ToFluxraDeps {
  store: Store;
  fluxra: FluxraClient;
  /** Queues the copy stage of an item from `source` (durably, before it resolves). */
  queueCopies(source: ChannelRef, item: CopyItem): Promise<void>;
  config: Pick<MirrorConfig, 'attributionFormat'>;
  selfAgentId: string;
  logger: Logger;
  /** Longest Fluxra content; default `FLUXRA_MAX_CONTENT_LENGTH`. */
  maxContentLength?: number;
  now?: () => number;
}

export interface ToFluxra {
  deliver(item: MirrorItem, link: LinkRecord, signal: AbortSignal): Promise<void>;
}

/** True when a Fluxra answer means "Fluxra no longer has it": the wanted end state of a delete. */
const isGone = (error: unknown): boolean => error instanceof FluxraApiError && error.status === 404;

/** Runs a Fluxra edit or delete; a message Fluxra no longer has needs neither. */
async function unlessGone(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

/** The copy-stage item of a message Fluxra now has as `fluxraMessageId`. */
export function copyOfPost(item: MirroredMessage, progress: MessageProgress, fluxraMessageId: string): CopyItem {
  return {
    kind: 'post',
    source: item.ref,
    author: item.author,
    text: textWithAttachments(item.text, item.attachments),
    conversationId: progress.conversationId,
    fluxraMessageId,
    ...(progress.inReplyTo !== undefined ? { rootFluxraMessageId: progress.inReplyTo } : {}),
    ...(progress.quote !== undefined ? { quote: progress.quote } : {}),
    ...(item.agent !== undefined ? { agent: item.agent } : {}),
  };
}

/** The group of a message mirrored from this very source, or undefined (never mirrored, or a copy). */
async function originGroupOf(
  store: Store,
  progressKv: KvNamespace<MessageProgress>,
  ref: MessageRef,
): Promise<{ fluxraIds: string[]; progress: MessageProgress | undefined } | undefined> {
  const group = await store.messageMap.groupOf(ref);
  if (group === undefined) return undefined;
  const progress = await progressKv.get(messageKey(ref));
  const first = group.copies[0];
  if (progress === undefined && (first === undefined || messageKey(first) !== messageKey(ref))) return undefined;
  const fluxraIds = progress?.parts.map((part) => part.fluxraId).filter((id): id is string => id !== undefined) ?? [group.fluxraMessageId];
  return { fluxraIds: fluxraIds.length > 0 ? fluxraIds : [group.fluxraMessageId], progress };
}

export function createToFluxra(deps: ToFluxraDeps): ToFluxra {
  const { store, fluxra, queueCopies, config, logger } = deps;
  const now = deps.now ?? Date.now;
  const maxLength = deps.maxContentLength ?? FLUXRA_MAX_CONTENT_LENGTH;
  const progressKv = store.kv<MessageProgress>(MIRROR_PROGRESS_NAMESPACE);
  const recordDelivery = createDeliveryRecorder(store);
  const earlyChanges = createEarlyChanges(store);
  const sendOnce = createFluxraSendOnce({
    fluxra,
    progress: progressKv,
    messageMap: store.messageMap,
    cursors: store.cursors,
    selfAgentId: deps.selfAgentId,
    // Edits and deletes find every part through it, as long as the message map remembers the message.
    progressTtlMs: DEFAULT_MESSAGE_MAP_TTL_MS,
    logger,
    ...(deps.now ? { now: deps.now } : {}),
  });

  /** Fluxra's content of a message: mentions as plain names (Fluxra has no live mentions), attributed, split. */
  const contentsOf = (item: MirroredMessage | InboundEdit, quote: string | undefined): string[] =>
    fluxraParts(config.attributionFormat, { ...attributionOf(item), text: withQuote(quote, mentionsAsNames(textWithAttachments(item.text, item.attachments))) }, maxLength);

  async function deliverMessage(arrived: MirroredMessage, link: LinkRecord, signal: AbortSignal): Promise<void> {
    const key = messageKey(arrived.ref);
    let progress = await progressKv.get(key);
    let item = arrived;
    if (progress === undefined) {
      // Delivered so long ago that its progress expired, but still mapped: a late duplicate.
      if ((await store.messageMap.fluxraIdOf(item.ref)) !== undefined) return;
      // An edit or delete that came before the message (its first delivery failed) applies now.
      const changed = withEarlyChange(arrived, await earlyChanges.find(arrived));
      if (changed === undefined) {
        logger.info({ platform: arrived.platform, messageId: arrived.ref.messageId }, 'message was deleted before it arrived; not mirrored');
        await earlyChanges.forget(arrived);
        return;
      }
      item = changed;
      const parent = replyParent(item);
      const inReplyTo = parent === undefined ? undefined : await store.messageMap.fluxraIdOf(parent.ref);
      // An inline reply keeps its context as a quoted line wherever it cannot be threaded.
      const quote = parent?.inline && item.replyTo ? replyQuote(item.replyTo) : undefined;
      const contents = contentsOf(item, inReplyTo === undefined ? quote : undefined);
      if (contents.length === 0) return;
      progress = {
        conversationId: link.conversationId,
        ...(inReplyTo !== undefined ? { inReplyTo } : {}),
        ...(quote !== undefined ? { quote } : {}),
        parts: contents.map((content) => ({ content })),
      };
    }
    const ids = await sendOnce.sendParts(key, progress, signal);
    const fluxraMessageId = ids[0] as string;
    // The source first (the copy stage records its copies after it): edits and deletes act
    // only from the message's origin.
    await store.messageMap.record(fluxraMessageId, [item.ref]);
    await queueCopies(item.ref, copyOfPost(item, progress, fluxraMessageId));
    await recordDelivery(progress.conversationId, 'to-fluxra', now());
    if (item !== arrived) await earlyChanges.forget(arrived);
  }

  const originGroup = (ref: MessageRef) => originGroupOf(store, progressKv, ref);

  async function deliverEdit(item: InboundEdit, signal: AbortSignal): Promise<void> {
    const origin = await originGroup(item.ref);
    if (origin === undefined) {
      // Not sent (yet): the message may still arrive, after its edit.
      logger.debug({ platform: item.platform, messageId: item.ref.messageId }, 'edit of a message the mirror has not sent; kept for a while');
      await earlyChanges.remember(item);
      return;
    }
    const progress = origin.progress;
    const contents = contentsOf(item, progress?.inReplyTo === undefined ? progress?.quote : undefined);
    if (contents.length === 0) return;
    const fitted = fitInto(contents, origin.fluxraIds.length, maxLength);
    if (
      !editChangesText(
        origin.progress?.parts.map((part) => part.content),
        fitted,
      )
    ) {
      // A replay, an unfurl or a pin: the same text again.
      logger.debug({ platform: item.platform, messageId: item.ref.messageId, eventId: item.eventId }, 'edit changes nothing that was sent; not sent again');
      return;
    }
    const text = textWithAttachments(item.text, item.attachments);
    for (const [index, id] of origin.fluxraIds.entries()) {
      const content = fitted[index];
      await unlessGone(() => (content !== undefined ? fluxra.editMessage(id, content, { signal }) : fluxra.deleteMessage(id, { signal })));
    }
    await queueCopies(item.ref, { kind: 'edit', source: item.ref, author: item.author, text, ...(progress?.quote !== undefined ? { quote: progress.quote } : {}) });
    if (origin.progress) {
      origin.progress.parts.forEach((part, index) => {
        part.content = fitted[index] ?? '';
      });
      await progressKv.set(messageKey(item.ref), origin.progress, { ttlMs: DEFAULT_MESSAGE_MAP_TTL_MS });
    }
  }

  async function deliverDelete(item: InboundDelete, signal: AbortSignal): Promise<void> {
    const origin = await originGroup(item.ref);
    if (origin === undefined) {
      await earlyChanges.remember(item);
      return;
    }
    for (const id of origin.fluxraIds) await unlessGone(() => fluxra.deleteMessage(id, { signal }));
    // The copy stage deletes the copies, then forgets the message (it finds them through it).
    await queueCopies(item.ref, { kind: 'delete', source: item.ref, fluxraMessageId: origin.fluxraIds[0] as string });
    await progressKv.delete(messageKey(item.ref));
  }

  return {
    async deliver(item, link, signal) {
      if (item.kind === 'message') await deliverMessage(item, link, signal);
      else if (item.kind === 'edit') await deliverEdit(item, signal);
      else await deliverDelete(item, signal);
    },
  };
}

export interface SendStageDeps {
  store: Store;
  toFluxra: Pick<ToFluxra, 'deliver'>;
  notices: Pick<ReturnType<typeof createLinkNotices>, 'settle' | 'pause' | 'resume'>;
  config: RetryTimingConfig;
  logger: Logger;
  now: () => number;
  metrics?: MirrorMetrics | undefined;
  /** A person's message reached the conversation (the poller then looks sooner). */
  noteActivity?: ((conversationId: string) => void) | undefined;
}

export interface SendStage {
  /** The send stage's outbox handler. */
  send(entry: OutboxEntry<MirrorItem>, signal: AbortSignal): Promise<DeliveryOutcome>;
  /** Forget the probe time of one partition (or all): its next item tries at once. */
  forgetProbe(partition?: string): void;
  /** A new leadership term: what we knew of links and notices may be stale. */
  reset(): void;
}

/**
 * The send stage's outbox handler around `ToFluxra.deliver`, honouring the link: an unlinked
 * channel drops its queued items, a paused one probes now and then (its notice settled once).
 */
export function createSendStage(deps: SendStageDeps): SendStage {
  const { store, config, logger, now } = deps;
  /** When each paused channel last tried a send (in memory: after a restart it probes at once). */
  const lastProbe = new Map<string, number>();
  /** Channels whose pending notice was looked at since start. */
  const settled = new Set<string>();

  async function send(entry: OutboxEntry<MirrorItem>, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { item, partition } = entry;
    const channel = toChannelRef(item.ref);
    const link = await store.links.get(channel);
    if (link === undefined) {
      logger.debug({ partition, eventId: item.eventId }, 'channel no longer linked; dropping its queued item');
      return { kind: 'done' };
    }
    if (!settled.has(partition) || link.paused) {
      settled.add(partition);
      await deps.notices.settle(channel);
    }
    const waitUntil = pausedProbeWait(link, lastProbe.get(partition), now(), config);
    if (waitUntil !== undefined) return { kind: 'retry', retryAt: waitUntil, error: 'link paused' };
    if (link.paused) lastProbe.set(partition, now());
    try {
      await deps.toFluxra.deliver(item, link, signal);
      if (item.kind === 'message') {
        deps.metrics?.mirrored('to_fluxra', item.ref.platform);
        deps.noteActivity?.(link.conversationId);
      }
    } catch (error) {
      return sendFailed(entry, channel, link.paused, error);
    }
    if (link.paused) {
      lastProbe.delete(partition);
      await deps.notices.resume(channel);
    }
    return { kind: 'done' };
  }

  async function sendFailed(entry: OutboxEntry<MirrorItem>, channel: ChannelRef, paused: boolean, error: unknown): Promise<DeliveryOutcome> {
    const { item, partition } = entry;
    const description = describeError(error);
    const decision = decideSendFailure(error, entry.attempts, now(), config);
    if (decision.kind === 'pause') {
      lastProbe.set(partition, now());
      if (!paused) await deps.notices.pause(channel, decision.reason);
      return { kind: 'retry', retryAt: decision.retryAt, error: description };
    }
    if (decision.kind === 'dead') return deadLetterOutcome(logger, partition, { eventId: item.eventId, kind: item.kind }, decision.reason, description);
    return retryOutcome(logger, partition, { eventId: item.eventId, kind: item.kind }, decision, description);
  }

  return {
    send,
    forgetProbe(partition) {
      if (partition === undefined) lastProbe.clear();
      else lastProbe.delete(partition);
    },
    reset() {
      lastProbe.clear();
      settled.clear();
    },
  };
}
