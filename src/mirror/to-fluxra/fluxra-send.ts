/**
 * Sends the parts of one platform message to Fluxra exactly once, across retries and
 * crashes, although Fluxra has no idempotency key (spec §9.4):
 * - before each send an intent (the part's content and the time) is made durable;
 * - after it, the Fluxra message id;
 * - an attempt that finds an intent without an id (we crashed, or the send timed out,
 *   got a 5xx or lost its connection) first reads the conversation for a message sent by
 *   us with the same content since the intent, not already claimed by another mirrored
 *   message, and adopts it; only when none is there is the part sent again.
 * The read starts from the poller's saved cursor as it was when the intent was written
 * (every message after it, page by page), so a busy conversation cannot push the lost
 * message out of sight while the bridge was down; without a cursor it reads the newest page.
 * A send that surely never reached Fluxra (unreachable, 429, a 4xx refusal) clears the
 * intent, so the next attempt sends without reading first.
 */
import { UpstreamError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { FluxraClient } from '../../services/fluxra/index.js';
import { FluxraApiError } from '../../services/fluxra/index.js';
import { NetworkErrorCode } from '../../services/http.js';
import type { CursorsRepository, KvNamespace, MessageMapRepository } from '../../store/index.js';

/** One Fluxra message of a platform message, as far as it got. */
export interface PartProgress {
  /** What was last sent (the first send or the last edit); `''` once an edit deleted the part. */
  content: string;
  /** Set just before a send; epoch ms. */
  intentAt?: number;
  /** The conversation's delivered cursor when the intent was written: the message is after it. */
  intentCursor?: string;
  /** Set once Fluxra accepted it (or it was found after a lost answer). */
  fluxraId?: string;
}

/** Delivery progress of one platform message, keyed by the source message. */
export interface MessageProgress {
  conversationId: string;
  inReplyTo?: string;
  /**
   * The quote line of an inline reply (threading.ts): in Fluxra when it has no `inReplyTo`,
   * and on copies outside a thread. Kept so that edits show it too.
   */
  quote?: string;
  parts: PartProgress[];
}

export interface FluxraSendOnceDeps {
  fluxra: FluxraClient;
  progress: KvNamespace<MessageProgress>;
  messageMap: MessageMapRepository;
  /** The poller's per-conversation cursors: where a reconcile starts reading. */
  cursors: Pick<CursorsRepository, 'get'>;
  selfAgentId: string;
  /** Progress records live this long (≥ the dedupe window; edits use the part ids later). */
  progressTtlMs: number;
  logger: Logger;
  now?: () => number;
}

/** Tolerated difference between our clock and Fluxra's when matching an intent. */
const CLOCK_SKEW_MS = 60_000;
/** How long an intent may reuse a conversation's cursor read (see `intentCursor`). */
const CURSOR_REUSE_MS = 1_000;
/** Page size of a reconcile's reads (the largest page the API allows). */
const RECONCILE_PAGE = 100;

/** True when the request surely did not reach Fluxra, so sending again cannot duplicate. */
export function surelyNotSent(error: unknown): boolean {
  if (error instanceof FluxraApiError) return error.status >= 400 && error.status < 500;
  if (error instanceof UpstreamError) return error.status === 429 || error.code === NetworkErrorCode.Unreachable;
  return false;
}

export interface FluxraSendOnce {
  /**
   * Sends every part not yet sent, in order; resolves with all Fluxra ids. Throws the
   * send's error (the progress made so far is kept).
   */
  sendParts(key: string, progress: MessageProgress, signal: AbortSignal): Promise<string[]>;
}

export function createFluxraSendOnce(deps: FluxraSendOnceDeps): FluxraSendOnce {
  const { fluxra, progress: records, messageMap, cursors, selfAgentId, logger } = deps;
  const now = deps.now ?? Date.now;
  const save = (key: string, progress: MessageProgress) => records.set(key, progress, { ttlMs: deps.progressTtlMs });

  /**
   * The intent's cursor, read at most once a second per conversation: it was a store read
   * per mirrored message. Cursors only move forward, so a cached one is at worst older than
   * the stored one, and a reconcile from an older cursor reads more, never misses the message.
   */
  const recentCursors = new Map<string, { at: number; cursor: string | undefined }>();
  const intentCursor = async (conversationId: string): Promise<string | undefined> => {
    const hit = recentCursors.get(conversationId);
    if (hit !== undefined && now() - hit.at < CURSOR_REUSE_MS) return hit.cursor;
    const at = now();
    const cursor = await cursors.get(conversationId);
    // One entry per conversation that sends; dropped wholesale if unlinked ones pile up.
    if (recentCursors.size >= 10_000) recentCursors.clear();
    recentCursors.set(conversationId, { at, cursor });
    return cursor;
  };

  async function reconcile(progress: MessageProgress, index: number, intentAt: number, signal: AbortSignal): Promise<string | undefined> {
    const part = progress.parts[index] as PartProgress;
    const claimedHere = new Set(progress.parts.map((p) => p.fluxraId).filter((id): id is string => id !== undefined));
    const { conversationId } = progress;
    const messages =
      part.intentCursor !== undefined
        ? (await fluxra.readMessagesSince({ conversationId, cursor: part.intentCursor, limit: RECONCILE_PAGE }, { signal })).messages
        : (await fluxra.listMessages({ conversationId, limit: RECONCILE_PAGE }, { signal })).messages;
    for (const message of messages) {
      if (message.senderId !== selfAgentId || message.deleted || message.content !== part.content) continue;
      if (Date.parse(message.createdAt) < intentAt - CLOCK_SKEW_MS) continue;
      if (claimedHere.has(message.messageId)) continue;
      // Same text from the same person earlier: that one belongs to another platform message.
      if ((await messageMap.copiesOf(message.messageId)).length > 0) continue;
      return message.messageId;
    }
    return undefined;
  }

  return {
    async sendParts(key, progress, signal) {
      let cursor: string | undefined | null = null;
      for (const [index, part] of progress.parts.entries()) {
        if (part.fluxraId !== undefined) continue;
        if (part.intentAt !== undefined) {
          const found = await reconcile(progress, index, part.intentAt, signal);
          if (found !== undefined) {
            logger.info({ fluxraMessageId: found, part: index }, 'found a mirrored message whose send answer was lost; not sending it again');
            part.fluxraId = found;
            await save(key, progress);
            continue;
          }
        }
        if (cursor === null) cursor = await intentCursor(progress.conversationId);
        part.intentAt = now();
        if (cursor !== undefined) part.intentCursor = cursor;
        else delete part.intentCursor;
        await save(key, progress);
        try {
          const sent = await fluxra.sendMessage(
            {
              conversationId: progress.conversationId,
              content: part.content,
              type: 'text',
              // Every part of a reply answers the thread root; parts of a long message stay in order.
              ...(progress.inReplyTo !== undefined ? { inReplyTo: progress.inReplyTo } : {}),
            },
            { signal },
          );
          part.fluxraId = sent.messageId;
        } catch (error) {
          if (surelyNotSent(error)) {
            delete part.intentAt;
            delete part.intentCursor;
            await save(key, progress).catch(() => undefined);
          }
          throw error;
        }
        await save(key, progress);
      }
      return progress.parts.map((part) => part.fluxraId as string);
    },
  };
}
