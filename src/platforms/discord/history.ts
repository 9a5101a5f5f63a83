/**
 * Catch-up reads for `ChatAdapter.readSince` on Discord. A fresh gateway session (a new
 * IDENTIFY after a restart, or after a RESUME was refused) replays nothing, so what was
 * posted meanwhile is read back: `GET /channels/:id/messages?after=` for the channel, and
 * the same for each of the guild's active threads under it (a thread with a new message is
 * active again, however old its root), found through `GET /guilds/:id/threads/active`.
 */
import { type APIChannel, type APIMessage, type Client, type GatewayMessageCreateDispatchData, type REST, Routes } from 'discord.js';
import type { InboundEdit, InboundMessage, ReadSinceOptions, ReadSinceResult } from '../../core/chat.js';
import { toDiscordError } from './errors.js';
import { snowflakeAt } from './own-posts.js';

const DISCORD_EPOCH = 1_420_070_400_000n;
/** Discord's largest page. */
const PAGE_SIZE = 100;

export interface DiscordHistoryDeps {
  rest: REST;
  /** The guild of a text channel (see `guildOfChannel`). */
  guildOf(channelId: string): Promise<string>;
  /** The live mapper (`toInboundMessage`), so that ids and refs match live delivery. */
  toMessage(data: GatewayMessageCreateDispatchData): Promise<InboundMessage | undefined>;
}

/** The creation time (epoch ms) a snowflake encodes. */
export function snowflakeMs(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** The snowflake to read `after`: the overlap before the last known message, never before `notBeforeMs`. */
export function discordAfter(options: Pick<ReadSinceOptions, 'afterMessageId' | 'overlapMs' | 'notBeforeMs'>): string {
  const lastMs = options.afterMessageId === undefined ? options.notBeforeMs : snowflakeMs(options.afterMessageId) - options.overlapMs;
  return snowflakeAt(Math.max(options.notBeforeMs, lastMs));
}

/** The guild of a text channel: from discord.js's cache, else one REST read. */
export async function guildOfChannel(client: Client, rest: REST, channelId: string): Promise<string> {
  const cached = client.channels.cache.get(channelId);
  if (cached && 'guildId' in cached && typeof cached.guildId === 'string') return cached.guildId;
  try {
    const channel = (await rest.get(Routes.channel(channelId))) as { guild_id?: string };
    if (channel.guild_id) return channel.guild_id;
  } catch (error) {
    throw toDiscordError(error, 'look up a channel');
  }
  throw new Error(`Discord channel ${channelId} is not in a guild`);
}

const byId = (a: APIMessage, b: APIMessage): number => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

/** Where edits are looked for: `changesSinceMs` when earlier than `after`, never before `notBeforeMs`. */
export function discordChangesAfter(options: Pick<ReadSinceOptions, 'afterMessageId' | 'overlapMs' | 'notBeforeMs' | 'changesSinceMs'>): string {
  const after = discordAfter(options);
  if (options.changesSinceMs === undefined) return after;
  const from = snowflakeAt(Math.max(options.notBeforeMs, options.changesSinceMs));
  return BigInt(from) < BigInt(after) ? from : after;
}

/** The edit live delivery would have given (`toInboundEdit`'s event id) for a message read with an `edited_timestamp`. */
export function discordEditOf(message: InboundMessage, editedTimestamp: string): InboundEdit {
  const { ref, author, text, attachments, platform, receivedAt, placeId } = message;
  return {
    kind: 'edit',
    platform,
    eventId: `discord:edit:${ref.messageId}:${editedTimestamp}`,
    receivedAt,
    ...(placeId !== undefined ? { placeId } : {}),
    ref,
    author,
    text,
    attachments,
  };
}

export async function readDiscordSince(deps: DiscordHistoryDeps, channelId: string, options: ReadSinceOptions): Promise<ReadSinceResult> {
  // Read from the earlier point; only what is after `messagesAfter` is handed over as messages.
  const messagesAfter = discordAfter(options);
  const after = discordChangesAfter(options);
  let truncated = false;

  /** Pages forward from `after` in `id` (a channel or a thread), within `budget` pages. */
  const readForward = async (id: string, budget: { pages: number }): Promise<APIMessage[]> => {
    const found: APIMessage[] = [];
    let cursor = after;
    for (;;) {
      if (budget.pages <= 0) {
        truncated = true;
        return found;
      }
      options.signal?.throwIfAborted();
      let batch: APIMessage[];
      try {
        batch = (await deps.rest.get(Routes.channelMessages(id), { query: new URLSearchParams({ after: cursor, limit: String(PAGE_SIZE) }) })) as APIMessage[];
      } catch (error) {
        throw toDiscordError(error, 'read channel history');
      }
      budget.pages -= 1;
      found.push(...batch);
      if (batch.length < PAGE_SIZE) return found;
      cursor = batch.reduce((max, entry) => (BigInt(entry.id) > BigInt(max) ? entry.id : max), cursor);
    }
  };

  const guildId = await deps.guildOf(channelId);
  const collected = await readForward(channelId, { pages: options.maxPages });
  const topLevelIds = collected.map((entry) => entry.id);
  {
    let active: { threads?: APIChannel[] };
    try {
      active = (await deps.rest.get(Routes.guildActiveThreads(guildId))) as { threads?: APIChannel[] };
    } catch (error) {
      throw toDiscordError(error, 'list active threads');
    }
    for (const thread of active.threads ?? []) {
      const parentId = 'parent_id' in thread ? thread.parent_id : undefined;
      const last = 'last_message_id' in thread ? thread.last_message_id : undefined;
      if (parentId !== channelId || !last || BigInt(last) <= BigInt(after)) continue;
      collected.push(...(await readForward(thread.id, { pages: options.maxPages })));
    }
  }

  const unique = new Map(collected.map((entry) => [entry.id, entry] as const));
  const messages: InboundMessage[] = [];
  const edits: InboundEdit[] = [];
  for (const entry of [...unique.values()].sort(byId)) {
    const isNew = BigInt(entry.id) > BigInt(messagesAfter);
    if (!isNew && !entry.edited_timestamp) continue;
    // REST messages carry no guild_id; the live mapper wants one (it drops DMs without).
    const message = await deps.toMessage({ ...entry, guild_id: guildId } as GatewayMessageCreateDispatchData);
    if (!message) continue;
    if (isNew) messages.push(message);
    if (entry.edited_timestamp) edits.push(discordEditOf(message, entry.edited_timestamp));
  }
  return { messages, truncated, edits, present: { fromId: after, topLevelIds } };
}
