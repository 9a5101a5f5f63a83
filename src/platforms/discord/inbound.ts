/**
 * Gateway message dispatches → neutral inbound events.
 *
 * We read the raw dispatch payloads rather than discord.js `messageCreate`/`messageUpdate`:
 * the library drops messages of channels it has not cached and only reports edits and
 * deletes of cached messages (or partials). The raw payload is complete, and the ids we
 * derive from it are the same when the gateway replays an event after a RESUME.
 */
import type {
  APIAttachment,
  GatewayMessageCreateDispatchData,
  GatewayMessageDeleteBulkDispatchData,
  GatewayMessageDeleteDispatchData,
  GatewayMessageUpdateDispatchData,
} from 'discord.js';
import type { Attachment, Author, InboundDelete, InboundEdit, InboundMessage, MessageRef, ReplyTarget } from '../../core/chat.js';
import { breakMentionSyntax, mentionsAsNames } from '../../format/mentions.js';
import type { ChannelLocation } from './locations.js';
import { discordDisplayName, discordMessageText, type GuildNames, isForward, mirroredBody } from './message-text.js';

export interface InboundContext {
  selfUserId(): string | undefined;
  /** Whether a `webhook_id` is one of the webhooks we post through. */
  isOurWebhook(webhookId: string, channelId: string): Promise<boolean>;
  locate(channelId: string): Promise<ChannelLocation>;
  /** Role and channel names from the client's guild cache (mentions are written as names). */
  guildNames: GuildNames;
  /** Closed to the guild at large (see channel-privacy.ts)? */
  isPrivate(channelId: string): boolean;
  now(): number;
}

/**
 * Message types that carry something a person (or app) said. System messages (joins,
 * pins, "started a thread", the thread starter copy) are not mirrored.
 */
const CONTENT_MESSAGE_TYPES = new Set([0 /* Default */, 19 /* Reply */, 20 /* ChatInputCommand */, 23 /* ContextMenuCommand */]);

type MessagePayload = GatewayMessageCreateDispatchData | GatewayMessageUpdateDispatchData;

/** Discord's message type of a reply. */
const REPLY_MESSAGE_TYPE = 19;
/** Longest excerpt of a replied-to message kept for a quote line. */
const EXCERPT_LENGTH = 80;

/** `MESSAGE_CREATE` → a neutral message, or `undefined` for what we do not mirror (DMs, system messages). */
export async function toInboundMessage(data: GatewayMessageCreateDispatchData, context: InboundContext): Promise<InboundMessage | undefined> {
  if (!data.guild_id || !CONTENT_MESSAGE_TYPES.has(data.type)) return undefined;
  const ref = await messageRef(data.id, data.channel_id, context);
  const self = context.selfUserId();
  const replyTo = await replyTarget(data, context);
  return {
    kind: 'message',
    platform: 'discord',
    eventId: `discord:${data.id}`,
    receivedAt: context.now(),
    placeId: data.guild_id,
    ref,
    author: await author(data, ref.channelId, context),
    text: discordMessageText(data, context.guildNames),
    attachments: (mirroredBody(data).attachments ?? []).map(attachment),
    mentionsBot: self !== undefined && !isForward(data) && (data.mentions.some((user) => user.id === self) || new RegExp(`<@!?${self}>`).test(data.content)),
    ...(replyTo ? { replyTo } : {}),
    privateChannel: context.isPrivate(data.channel_id),
  };
}

/**
 * The message a reply (type 19) answers: `message_reference` names it; `referenced_message`
 * (when Discord sent it along) gives its author and the start of its text for a quote line.
 */
async function replyTarget(data: GatewayMessageCreateDispatchData, context: InboundContext): Promise<ReplyTarget | undefined> {
  const reference = data.message_reference;
  if (data.type !== REPLY_MESSAGE_TYPE || !reference?.message_id || isForward(data)) return undefined;
  const ref = await messageRef(reference.message_id, reference.channel_id ?? data.channel_id, context);
  const replied = data.referenced_message ?? undefined;
  if (!replied) return { ref };
  // One line, names instead of mentions, nothing that could act as mention syntax.
  const firstLine = breakMentionSyntax(mentionsAsNames(discordMessageText(replied, context.guildNames))).split('\n')[0] ?? '';
  const excerpt = firstLine.length > EXCERPT_LENGTH ? `${firstLine.slice(0, EXCERPT_LENGTH - 1)}…` : firstLine;
  return { ref, authorName: discordDisplayName(replied.author, (replied as { member?: { nick?: string | null } }).member?.nick), ...(excerpt.trim() !== '' ? { excerpt } : {}) };
}

/**
 * `MESSAGE_UPDATE` → a neutral edit. Updates without `edited_timestamp` are Discord adding
 * embeds or flags, not a person editing, and are ignored.
 */
export async function toInboundEdit(data: GatewayMessageUpdateDispatchData, context: InboundContext): Promise<InboundEdit | undefined> {
  if (!data.guild_id || !data.edited_timestamp || !CONTENT_MESSAGE_TYPES.has(data.type)) return undefined;
  const ref = await messageRef(data.id, data.channel_id, context);
  return {
    kind: 'edit',
    platform: 'discord',
    eventId: `discord:edit:${data.id}:${data.edited_timestamp}`,
    receivedAt: context.now(),
    placeId: data.guild_id,
    ref,
    author: await author(data, ref.channelId, context),
    text: discordMessageText(data, context.guildNames),
    attachments: (mirroredBody(data).attachments ?? []).map(attachment),
  };
}

/** `MESSAGE_DELETE` / `MESSAGE_DELETE_BULK` → one neutral delete per message. */
export async function toInboundDeletes(data: GatewayMessageDeleteDispatchData | GatewayMessageDeleteBulkDispatchData, context: InboundContext): Promise<InboundDelete[]> {
  if (!data.guild_id) return [];
  const ids = 'ids' in data ? data.ids : [data.id];
  const deletes: InboundDelete[] = [];
  for (const id of ids) {
    deletes.push({
      kind: 'delete',
      platform: 'discord',
      eventId: `discord:delete:${id}`,
      receivedAt: context.now(),
      placeId: data.guild_id,
      ref: await messageRef(id, data.channel_id, context),
    });
  }
  return deletes;
}

async function messageRef(messageId: string, channelId: string, context: InboundContext): Promise<MessageRef> {
  const location = await context.locate(channelId);
  return {
    platform: 'discord',
    channelId: location.channelId,
    messageId,
    ...(location.threadId ? { threadRootId: location.threadId } : {}),
  };
}

async function author(data: MessagePayload, channelId: string, context: InboundContext): Promise<Author> {
  const self = context.selfUserId();
  const viaOurWebhook = data.webhook_id !== undefined && (await context.isOurWebhook(data.webhook_id, channelId));
  const avatarUrl = data.author.avatar ? `https://cdn.discordapp.com/avatars/${data.author.id}/${data.author.avatar}.png` : undefined;
  return {
    id: data.author.id,
    displayName: discordDisplayName(data.author, data.member?.nick),
    isBot: Boolean(data.author.bot) || data.webhook_id !== undefined,
    isSelf: (self !== undefined && data.author.id === self) || viaOurWebhook,
    ...(avatarUrl ? { avatarUrl } : {}),
  };
}

function attachment(value: APIAttachment): Attachment {
  return {
    url: value.url,
    name: value.filename,
    ...(value.content_type ? { contentType: value.content_type } : {}),
    sizeBytes: value.size,
  };
}
