/**
 * What a Discord message says, as neutral markdown: its content with mentions named as the
 * message resolved them, plus what Discord shows besides the text. A forward (its
 * `message_reference.type` is 1, its text is in `message_snapshots`) reads as its
 * snapshot with a "forwarded" mark; stickers read `[sticker: name]`; a message with
 * nothing but embeds reads as each embed's title and link. Embeds next to text (link
 * unfurls) add nothing, so an unfurl arriving later changes nothing (see `edit-changed.ts`).
 */
import type { APIAttachment, APIEmbed, APIMessage, APIStickerItem, APIUser } from 'discord.js';
import { type DiscordNames, discordToMarkdown } from '../../format/discord.js';
import type { MentionKind } from '../../format/mentions.js';

/** The fields of a message or a message snapshot that the text is made of. */
export interface DiscordMessageBody {
  content: string;
  mentions?: ReadonlyArray<APIUser & { member?: { nick?: string | null } }>;
  attachments?: readonly APIAttachment[];
  embeds?: readonly APIEmbed[];
  sticker_items?: readonly APIStickerItem[];
}

/** The payload fields that decide between a message and a forward. */
export interface DiscordMessageShape extends DiscordMessageBody {
  message_reference?: APIMessage['message_reference'];
  message_snapshots?: ReadonlyArray<{ message: DiscordMessageBody }>;
}

/** Names of roles and channels of the guild (the client's cache); users come with the message. */
export type GuildNames = (kind: Exclude<MentionKind, 'user'>, id: string) => string | undefined;

/** Discord's `message_reference.type` of a forward. */
export const FORWARD_REFERENCE_TYPE = 1;

/** The mark that starts the text of a forwarded message. */
export const FORWARDED_MARK = '*Forwarded:*';

/** The name Discord shows for a user: server nickname, then display name, then username. */
export function discordDisplayName(user: APIUser & { member?: { nick?: string | null } }, nick?: string | null): string {
  return nick ?? user.member?.nick ?? user.global_name ?? user.username;
}

/** True for a forward: the text to mirror is the snapshot's. */
export function isForward(message: DiscordMessageShape): boolean {
  return message.message_reference?.type === FORWARD_REFERENCE_TYPE && (message.message_snapshots?.length ?? 0) > 0;
}

/** The body whose text and attachments are mirrored: the snapshot of a forward, else the message. */
export function mirroredBody(message: DiscordMessageShape): DiscordMessageBody {
  return isForward(message) ? (message.message_snapshots?.[0]?.message ?? message) : message;
}

/** The message's text as neutral markdown (see the file comment). */
export function discordMessageText(message: DiscordMessageShape, guildNames: GuildNames): string {
  const body = mirroredBody(message);
  const text = bodyText(body, guildNames);
  if (!isForward(message)) return text;
  return text === '' ? FORWARDED_MARK : `${FORWARDED_MARK}\n${text}`;
}

function bodyText(body: DiscordMessageBody, guildNames: GuildNames): string {
  const users = new Map((body.mentions ?? []).map((user) => [user.id, discordDisplayName(user)]));
  const names: DiscordNames = (kind, id) => (kind === 'user' ? users.get(id) : guildNames(kind, id));
  const lines = [discordToMarkdown(body.content ?? '', names)].filter((line) => line.trim() !== '');
  for (const sticker of body.sticker_items ?? []) lines.push(`[sticker: ${escapeInline(sticker.name)}]`);
  if (lines.length === 0 && (body.attachments?.length ?? 0) === 0) lines.push(...(body.embeds ?? []).flatMap(embedLine));
  return lines.join('\n');
}

/** An embed as one line: its title linked to its URL, or whichever of the two it has. */
function embedLine(embed: APIEmbed): string[] {
  const title = embed.title?.trim() ? escapeInline(embed.title.trim()) : undefined;
  const url = embed.url && /^https?:\/\//.test(embed.url) ? embed.url : undefined;
  if (title && url) return [`[${title}](${url.replace(/[()\s]/g, encodeURIComponent)})`];
  if (title) return [title];
  return url ? [url] : [];
}

function escapeInline(text: string): string {
  return text.replace(/[\\*_~`[\]<>|]/g, '\\$&');
}
