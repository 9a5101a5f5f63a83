/**
 * Catch-up reads for `ChatAdapter.readSince` on Slack. Slack retries an unacknowledged
 * event only a few times within minutes, so what was posted while the bridge was down is
 * found again here: `conversations.history` for the channel and `conversations.replies`
 * for each thread whose `latest_reply` is newer than the starting point.
 *
 * Threads are found by rescanning: the history read reaches back `threadLookbackMs` (not
 * only to the starting point) so that an older root with new replies is seen with its
 * `latest_reply`. A reply in a thread whose root is older than that window is not found.
 */
import type { InboundEdit, InboundMessage, ReadSinceOptions, ReadSinceResult } from '../../core/chat.js';
import { slackTsAt } from './own-posts.js';

/** A history or replies entry (the fields read here; the mapper reads the rest). */
export interface SlackHistoryEntry {
  ts: string;
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  [field: string]: unknown;
}

/** One page of `method`; `cursor` continues the previous one. */
export type SlackPageReader = (
  method: 'conversations.history' | 'conversations.replies',
  args: Record<string, unknown>,
) => Promise<{ messages: SlackHistoryEntry[]; nextCursor: string | undefined }>;

export interface SlackHistoryDeps {
  read: SlackPageReader;
  /** The live mapper (`toInboundEvent`), so that ids and authors match live delivery. */
  toMessage(raw: Record<string, unknown>): Promise<InboundMessage | undefined>;
  now(): number;
}

/** Slack's largest history page. */
const PAGE_SIZE = 200;

/** A `ts` as microseconds: a double would lose the last digits. */
export function slackTsMicros(ts: string): bigint {
  const [seconds = '0', micros = '0'] = ts.split('.');
  return BigInt(seconds || '0') * 1_000_000n + BigInt(micros.padEnd(6, '0').slice(0, 6) || '0');
}

/** Where reading starts (epoch ms): the overlap before the last known message, never before `notBeforeMs`. */
export function slackStartMs(options: Pick<ReadSinceOptions, 'afterMessageId' | 'overlapMs' | 'notBeforeMs'>): number {
  if (options.afterMessageId === undefined) return options.notBeforeMs;
  const lastMs = Number(slackTsMicros(options.afterMessageId) / 1000n);
  return Math.max(options.notBeforeMs, lastMs - options.overlapMs);
}

/** Where edits are looked for (epoch ms): `changesSinceMs` when earlier than the start, never before `notBeforeMs`. */
export function slackChangesStartMs(options: Pick<ReadSinceOptions, 'notBeforeMs' | 'changesSinceMs'>, startMs: number): number {
  if (options.changesSinceMs === undefined) return startMs;
  return Math.max(options.notBeforeMs, Math.min(startMs, options.changesSinceMs));
}

/** The edit live delivery would have given for a message whose history entry carries `edited.ts`. */
export function slackEditOf(message: InboundMessage, editedTs: string): InboundEdit {
  const { ref, author, text, attachments, platform, receivedAt, placeId } = message;
  return {
    kind: 'edit',
    platform,
    eventId: `slack:edit:${ref.channelId}:${ref.messageId}:${editedTs}`,
    receivedAt,
    ...(placeId !== undefined ? { placeId } : {}),
    ref,
    author,
    text,
    attachments,
  };
}

const editedTsOf = (entry: SlackHistoryEntry): string | undefined => {
  const edited = entry['edited'] as { ts?: unknown } | undefined;
  return typeof edited?.ts === 'string' ? edited.ts : undefined;
};

export async function readSlackSince(deps: SlackHistoryDeps, channelId: string, options: ReadSinceOptions): Promise<ReadSinceResult> {
  const startMs = slackStartMs(options);
  const start = slackTsMicros(slackTsAt(startMs));
  const changesStart = slackTsMicros(slackTsAt(slackChangesStartMs(options, startMs)));
  const scanFromMs = Math.min(startMs, deps.now() - options.threadLookbackMs, slackChangesStartMs(options, startMs));
  const raws: SlackHistoryEntry[] = [];
  /** Entries before the start that were edited: read again only as edits. */
  const editedBefore: SlackHistoryEntry[] = [];
  const roots: string[] = [];
  let truncated = false;

  // conversations.history pages newest first: the part after `start` comes first.
  let cursor: string | undefined;
  let oldestSeen: bigint | undefined;
  let oldestTs: string | undefined;
  const topLevelIds: string[] = [];
  let pages = 0;
  do {
    options.signal?.throwIfAborted();
    const page = await deps.read('conversations.history', { channel: channelId, oldest: slackTsAt(scanFromMs), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    pages += 1;
    cursor = page.nextCursor;
    for (const entry of page.messages) {
      const ts = slackTsMicros(entry.ts);
      if (oldestSeen === undefined || ts < oldestSeen) {
        oldestSeen = ts;
        oldestTs = entry.ts;
      }
      topLevelIds.push(entry.ts);
      if (ts > start) raws.push(entry);
      else if (ts > changesStart && editedTsOf(entry) !== undefined) editedBefore.push(entry);
      if ((entry.reply_count ?? 0) > 0 && entry.latest_reply !== undefined && slackTsMicros(entry.latest_reply) > start) roots.push(entry.ts);
    }
  } while (cursor && pages < options.maxPages);
  // Stopped by the bound before reaching the starting point: the oldest top-level messages are missing.
  if (cursor && oldestSeen !== undefined && oldestSeen > start) truncated = true;

  for (const root of roots) {
    let next: string | undefined;
    let replyPages = 0;
    do {
      if (replyPages >= options.maxPages) {
        truncated = true;
        break;
      }
      options.signal?.throwIfAborted();
      const page = await deps.read('conversations.replies', { channel: channelId, ts: root, oldest: slackTsAt(startMs), limit: PAGE_SIZE, ...(next ? { cursor: next } : {}) });
      replyPages += 1;
      next = page.nextCursor;
      // Replies start with the root, which is not a reply.
      for (const entry of page.messages) if (entry.ts !== root && slackTsMicros(entry.ts) > start) raws.push(entry);
    } while (next);
  }

  // A broadcast reply is in both the history and its thread: keep one.
  const byTs = new Map<string, SlackHistoryEntry>();
  for (const entry of raws) byTs.set(entry.ts, entry);
  const ordered = [...byTs.values()].sort((a, b) => (slackTsMicros(a.ts) < slackTsMicros(b.ts) ? -1 : 1));
  const messages: InboundMessage[] = [];
  const edits: InboundEdit[] = [];
  for (const entry of ordered) {
    const message = await deps.toMessage({ ...entry, type: 'message', channel: channelId });
    if (!message) continue;
    messages.push(message);
    const editedTs = editedTsOf(entry);
    if (editedTs !== undefined) edits.push(slackEditOf(message, editedTs));
  }
  const earlier: InboundEdit[] = [];
  for (const entry of editedBefore.sort((a, b) => (slackTsMicros(a.ts) < slackTsMicros(b.ts) ? -1 : 1))) {
    const message = await deps.toMessage({ ...entry, type: 'message', channel: channelId });
    const editedTs = editedTsOf(entry);
    if (message && editedTs !== undefined) earlier.push(slackEditOf(message, editedTs));
  }
  // Pages come newest first: cut short by the bound, everything after the oldest entry seen was read.
  const fromId = cursor && oldestTs !== undefined ? oldestTs : slackTsAt(scanFromMs);
  return { messages, truncated, edits: [...earlier, ...edits], present: { fromId, topLevelIds } };
}
