/**
 * Gateway payloads shaped as Discord's developer documentation shows them (Message object,
 * Message Reference, Message Snapshot, Sticker Item, Embed), rather than as our own fake
 * builds messages: replies (type 19), forwards (`message_reference.type` 1 with
 * `message_snapshots`), stickers-only and embeds-only messages, and MESSAGE_UPDATEs that
 * are not edits (an unfurl, a pin). They go out as raw MESSAGE_CREATE / MESSAGE_UPDATE
 * dispatches, so the real discord.js Client parses them as it would Discord's.
 */
import type { APIAttachment, APIEmbed, APIMessage, APIStickerItem, APIUser } from 'discord.js';
import { snowflake } from './objects.js';
import type { FakeDiscordState } from './state.js';

export interface DocPerson {
  user: APIUser;
  /** Server nickname (the member object's `nick`). */
  nick?: string;
}

export interface DocMessageInit {
  channelId: string;
  author: DocPerson;
  content?: string;
  /** 0 default, 19 reply. */
  type?: number;
  /** Users the content mentions, as Discord resolves them into `mentions` (with a partial member). */
  mentions?: DocPerson[];
  mentionRoles?: string[];
  /** A reply: the message it answers (Discord sends it along as `referenced_message`). */
  replyTo?: APIMessage;
  /** A forward: the forwarded message, kept as a snapshot. */
  forwardOf?: APIMessage;
  stickers?: APIStickerItem[];
  embeds?: APIEmbed[];
  attachments?: APIAttachment[];
}

/** A `MESSAGE_CREATE` payload: the message object plus the gateway's `guild_id` and `member`. */
export type DocMessage = APIMessage & { guild_id: string; member: Record<string, unknown> };

const member = (person: DocPerson): Record<string, unknown> => ({
  nick: person.nick ?? null,
  roles: [],
  joined_at: '2025-01-01T00:00:00.000000+00:00',
  deaf: false,
  mute: false,
  flags: 0,
});

export function docMessage(state: FakeDiscordState, init: DocMessageInit): DocMessage {
  const forwarded = init.forwardOf;
  const reference = init.replyTo
    ? { type: 0, message_id: init.replyTo.id, channel_id: init.replyTo.channel_id, guild_id: state.guildId, fail_if_not_exists: false }
    : forwarded
      ? { type: 1, message_id: forwarded.id, channel_id: forwarded.channel_id, guild_id: state.guildId }
      : undefined;
  return {
    id: snowflake(),
    type: init.type ?? (init.replyTo ? 19 : 0),
    channel_id: init.channelId,
    guild_id: state.guildId,
    author: init.author.user,
    member: member(init.author),
    // A forward's own content is empty: the text is in the snapshot.
    content: forwarded ? '' : (init.content ?? ''),
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: (init.mentions ?? []).map((person) => ({ ...person.user, member: member(person) })),
    mention_roles: init.mentionRoles ?? [],
    attachments: forwarded ? [] : (init.attachments ?? []),
    embeds: init.embeds ?? [],
    pinned: false,
    flags: 0,
    components: [],
    ...(init.stickers ? { sticker_items: init.stickers } : {}),
    ...(reference ? { message_reference: reference } : {}),
    ...(init.replyTo ? { referenced_message: init.replyTo } : {}),
    ...(forwarded
      ? {
          message_snapshots: [
            {
              message: {
                type: forwarded.type,
                content: forwarded.content,
                embeds: forwarded.embeds,
                attachments: forwarded.attachments,
                timestamp: forwarded.timestamp,
                edited_timestamp: forwarded.edited_timestamp,
                flags: forwarded.flags ?? 0,
                mentions: forwarded.mentions,
                mention_roles: forwarded.mention_roles,
                components: [],
              },
            },
          ],
        }
      : {}),
  } as unknown as DocMessage;
}

/** Stores the message and dispatches it as MESSAGE_CREATE. */
export function dispatchCreate(state: FakeDiscordState, message: DocMessage): DocMessage {
  state.history(message.channel_id).push(message);
  state.dispatch('MESSAGE_CREATE', message);
  return message;
}

/**
 * Dispatches MESSAGE_UPDATE with the whole message as it now is (Discord sends the full
 * object). `edit` changes the content and stamps a new `edited_timestamp`; without it the
 * update is what Discord sends for an unfurl or a pin: same content, same timestamp.
 */
export function dispatchUpdate(state: FakeDiscordState, message: DocMessage, change: { content?: string; embeds?: APIEmbed[]; pinned?: boolean }): DocMessage {
  if (change.content !== undefined) {
    message.content = change.content;
    message.edited_timestamp = new Date(Math.max(Date.now(), Date.parse(message.edited_timestamp ?? message.timestamp) + 1)).toISOString();
  }
  if (change.embeds) message.embeds = change.embeds;
  if (change.pinned !== undefined) message.pinned = change.pinned;
  state.dispatch('MESSAGE_UPDATE', { ...message });
  return message;
}
