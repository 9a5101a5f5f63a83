/**
 * Finding a post we already made (for `ChatAdapter.findOwnPost`). Slack has no idempotency
 * key for `chat.postMessage`, so after a crash between posting and recording the post, the
 * only way to avoid posting twice is to look: read the channel's history (or the thread's
 * replies) since the attempt started and match our own messages by author and text.
 */

import type { FindOwnPostOptions, MessageRef, OutboundMessage } from '../../core/chat.js';
import { markdownToSlack } from '../../format/slack.js';
import { splitMessage } from '../../format/split.js';
import { SLACK_DEFAULTS } from './config.js';

/** A message as `conversations.history` / `conversations.replies` return it (the fields we read). */
export interface SlackHistoryMessage {
  ts: string;
  text?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  thread_ts?: string;
  subtype?: string;
}

export interface OwnPostIdentity {
  botUserId: string | undefined;
  botId: string | undefined;
}

/** Reads one page of history; `cursor` continues a previous page. */
export type SlackHistoryReader = (args: Record<string, unknown>) => Promise<{ messages: SlackHistoryMessage[]; nextCursor: string | undefined }>;

/** How far back we read at most: a crash is recovered within minutes, not days. */
const MAX_PAGES = 10;
const PAGE_SIZE = 200;

/** Slack `ts` for an epoch-ms instant (`oldest` is exclusive; one microsecond earlier keeps it inclusive). */
export function slackTsAt(epochMs: number): string {
  const micros = Math.max(0, Math.floor(epochMs * 1000) - 1);
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** Slack may hand text back with entities escaped differently or whitespace trimmed. */
export function sameSlackText(a: string, b: string): boolean {
  const normalize = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
  return normalize(a) === normalize(b);
}

/** The parts exactly as `post` sends them. */
export function renderedSlackParts(message: OutboundMessage): string[] {
  return splitMessage(message.text, SLACK_DEFAULTS.maxMessageLength).map(markdownToSlack);
}

function isOurs(message: SlackHistoryMessage, identity: OwnPostIdentity, as: OutboundMessage['as']): boolean {
  const byUs = (identity.botId !== undefined && message.bot_id === identity.botId) || (identity.botUserId !== undefined && message.user === identity.botUserId);
  if (!byUs) return false;
  // A post `as` an agent carries its username; a post as ourselves carries none.
  return as ? message.username === as.name : message.username === undefined;
}

/**
 * The newest run of our messages in `history` (oldest first) that carries `parts` in order:
 * the first part must match; later parts are taken while they follow. Returns their `ts`.
 */
export function matchOwnParts(history: readonly SlackHistoryMessage[], parts: readonly string[], identity: OwnPostIdentity, as: OutboundMessage['as']): string[] | undefined {
  const first = parts[0];
  if (first === undefined) return undefined;
  const mine = history.filter((message) => isOurs(message, identity, as));
  for (let start = mine.length - 1; start >= 0; start -= 1) {
    const candidate = mine[start];
    if (!candidate || !sameSlackText(candidate.text ?? '', first)) continue;
    const found = [candidate.ts];
    let next = start + 1;
    for (const part of parts.slice(1)) {
      while (next < mine.length && !sameSlackText(mine[next]?.text ?? '', part)) next += 1;
      const hit = mine[next];
      if (!hit) break;
      found.push(hit.ts);
      next += 1;
    }
    return found;
  }
  return undefined;
}

/** Reads history since `sinceMs` (oldest first) and finds our post of `message`. */
export async function findOwnSlackPost(
  read: SlackHistoryReader,
  identity: OwnPostIdentity,
  channelId: string,
  message: OutboundMessage,
  options: FindOwnPostOptions,
): Promise<MessageRef[] | undefined> {
  const parts = renderedSlackParts(message).slice(options.fromPart ?? 0);
  if (parts.length === 0) return undefined;
  const base: Record<string, unknown> = { channel: channelId, oldest: slackTsAt(options.sinceMs), limit: PAGE_SIZE };
  if (options.threadRootId) base.ts = options.threadRootId;
  const collected: SlackHistoryMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await read(cursor ? { ...base, cursor } : base);
    collected.push(...result.messages);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  // conversations.history pages newest first; replies oldest first: order by ts either way.
  const history = collected
    // Replies start with the thread's root: it is not a post of ours in that thread.
    .filter((entry) => !(options.threadRootId && entry.ts === options.threadRootId))
    .filter((entry) => entry.subtype !== 'message_deleted' && entry.subtype !== 'tombstone')
    .sort((a, b) => compareTs(a.ts, b.ts));
  const found = matchOwnParts(history, parts, identity, message.as);
  return found?.map((ts) => ({ platform: 'slack', channelId, messageId: ts, ...(options.threadRootId ? { threadRootId: options.threadRootId } : {}) }));
}

function compareTs(a: string, b: string): number {
  const [aSec = '0', aMicro = '0'] = a.split('.');
  const [bSec = '0', bMicro = '0'] = b.split('.');
  return Number(aSec) - Number(bSec) || Number(aMicro.padEnd(6, '0')) - Number(bMicro.padEnd(6, '0'));
}
