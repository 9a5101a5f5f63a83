/**
 * Finding a post we already made (for `ChatAdapter.findOwnPost`). Discord's `nonce` covers
 * neither webhook posts nor history reads, so after a crash between posting and recording
 * a post we look: read the channel (or the thread channel) after a snowflake made from the
 * time the attempt started, and match our own messages by author and content.
 */
import { type APIMessage, type REST, Routes } from 'discord.js';
import type { FindOwnPostOptions, MessageRef, OutboundMessage } from '../../core/chat.js';
import { DiscordErrorCode, discordErrorCode, toDiscordError } from './errors.js';
import { discordParts, webhookUsername } from './outbound.js';

const DISCORD_EPOCH = 1_420_070_400_000n;
/** Discord's largest page. */
const PAGE_SIZE = 100;
/** How far forward we read at most: a crash is recovered within minutes, not days. */
const MAX_PAGES = 10;

export interface OwnPostDeps {
  rest: REST;
  selfUserId: () => string | undefined;
  /** Whether a message's `webhook_id` is one of our channel webhooks. */
  isOurWebhook: (webhookId: string, channelId: string) => Promise<boolean>;
}

/** The smallest snowflake of an instant: `after` it means "created at or after" that time. */
export function snowflakeAt(epochMs: number): string {
  const ms = BigInt(Math.max(0, Math.floor(epochMs))) - DISCORD_EPOCH;
  return ms <= 0n ? '0' : ((ms << 22n) - 1n).toString();
}

/** One way we could have posted the message: who the author is and what its parts read. */
interface PostShape {
  viaWebhook: boolean;
  username?: string;
  parts: string[];
}

/** A post `as` an agent went through our webhook, or, without Manage Webhooks, as the bot with a name prefix. */
function shapesOf(message: OutboundMessage): PostShape[] {
  if (!message.as) return [{ viaWebhook: false, parts: discordParts(message, false) }];
  return [
    { viaWebhook: true, username: webhookUsername(message.as.name), parts: discordParts(message, false) },
    { viaWebhook: false, parts: discordParts(message, true) },
  ];
}

const byId = (a: APIMessage, b: APIMessage): number => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

export function createOwnPostFinder(
  deps: OwnPostDeps,
): (channel: { channelId: string }, message: OutboundMessage, options: FindOwnPostOptions) => Promise<MessageRef[] | undefined> {
  /** Messages after `after` in `channelId`, oldest first; undefined when the channel does not exist. */
  const readSince = async (channelId: string, after: string): Promise<APIMessage[] | undefined> => {
    const all: APIMessage[] = [];
    let cursor = after;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      let batch: APIMessage[];
      try {
        batch = (await deps.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ after: cursor, limit: String(PAGE_SIZE) }) })) as APIMessage[];
      } catch (error) {
        // No thread (it was never started) means no post in it.
        if (discordErrorCode(error) === DiscordErrorCode.UnknownChannel) return undefined;
        throw toDiscordError(error, 'read channel history');
      }
      all.push(...batch);
      if (batch.length < PAGE_SIZE) break;
      cursor = batch.reduce((max, entry) => (BigInt(entry.id) > BigInt(max) ? entry.id : max), cursor);
    }
    return all.sort(byId);
  };

  const isAuthor = async (entry: APIMessage, shape: PostShape, parentId: string): Promise<boolean> => {
    if (shape.viaWebhook) {
      return entry.webhook_id !== undefined && entry.author.username === shape.username && (await deps.isOurWebhook(entry.webhook_id, parentId));
    }
    return entry.webhook_id === undefined && entry.author.id === deps.selfUserId();
  };

  return async (channel, message, options) => {
    const threadId = options.threadRootId;
    const history = await readSince(threadId ?? channel.channelId, snowflakeAt(options.sinceMs));
    if (!history) return undefined;
    let best: { ids: APIMessage[]; viaWebhook: boolean } | undefined;
    for (const shape of shapesOf(message)) {
      shape.parts = shape.parts.slice(options.fromPart ?? 0);
      const first = shape.parts[0];
      if (first === undefined) continue;
      const mine: APIMessage[] = [];
      for (const entry of history) if (await isAuthor(entry, shape, channel.channelId)) mine.push(entry);
      for (let start = mine.length - 1; start >= 0; start -= 1) {
        const candidate = mine[start];
        if (!candidate || candidate.content !== first) continue;
        const found = [candidate];
        let next = start + 1;
        for (const part of shape.parts.slice(1)) {
          while (next < mine.length && mine[next]?.content !== part) next += 1;
          const hit = mine[next];
          if (!hit) break;
          found.push(hit);
          next += 1;
        }
        // The newest post wins when both shapes match (a webhook lost and regained).
        const newest = found[0];
        if (newest && (!best || byId(newest, best.ids[0] as APIMessage) > 0)) best = { ids: found, viaWebhook: shape.viaWebhook };
        break;
      }
    }
    return best?.ids.map((entry) => ({
      platform: 'discord',
      channelId: channel.channelId,
      messageId: entry.id,
      ...(threadId ? { threadRootId: threadId } : {}),
      ...(entry.webhook_id ? { meta: { webhookId: entry.webhook_id } } : {}),
    }));
  };
}
