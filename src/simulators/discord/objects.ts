/**
 * Builders for the Discord API objects the fake serves and dispatches, shaped as the
 * v10 documentation describes them (only the fields discord.js and the bridge read,
 * plus the ones whose absence would make discord.js misbehave).
 */
import type { APIAttachment, APIChannel, APIGuildMember, APIMessage, APIUser } from 'discord.js';

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A fresh snowflake: the current time in the high bits, so that discord.js dates make sense. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export function makeUser(id: string, username: string, options: { bot?: boolean; globalName?: string } = {}): APIUser {
  return {
    id,
    username,
    discriminator: '0',
    global_name: options.globalName ?? null,
    avatar: null,
    ...(options.bot ? { bot: true } : {}),
  };
}

export function makeMember(user: APIUser, options: { nick?: string; permissions?: string } = {}): APIGuildMember & { permissions?: string } {
  return {
    user,
    nick: options.nick ?? null,
    roles: [],
    joined_at: new Date(0).toISOString(),
    deaf: false,
    mute: false,
    flags: 0 as APIGuildMember['flags'],
    ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
  };
}

/** `hidden`: an overwrite for @everyone (the role whose id is the guild's) denies View Channel, as a private channel has. */
export function makeTextChannel(guildId: string, id: string, name: string, hidden = false): APIChannel {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position: 0,
    permission_overwrites: hidden ? [{ id: guildId, type: 0, allow: '0', deny: '1024' }] : [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
  } as APIChannel;
}

export function makeThreadChannel(guildId: string, id: string, parentId: string, name: string, ownerId: string): APIChannel {
  return {
    id,
    type: 11,
    guild_id: guildId,
    parent_id: parentId,
    name,
    owner_id: ownerId,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
  } as APIChannel;
}

export interface MessageInit {
  channelId: string;
  guildId: string;
  author: APIUser;
  content: string;
  member?: APIGuildMember;
  webhookId?: string;
  applicationId?: string;
  attachments?: APIAttachment[];
  /** Users that `<@id>` in the content may resolve to. */
  knownUsers: ReadonlyMap<string, APIUser>;
  flags?: number;
  type?: number;
}

/** A full message object as `POST /channels/:id/messages` and `MESSAGE_CREATE` carry it. */
export function makeMessage(init: MessageInit): APIMessage & { guild_id: string; member?: APIGuildMember } {
  return {
    id: snowflake(),
    type: init.type ?? 0,
    channel_id: init.channelId,
    guild_id: init.guildId,
    author: init.author,
    ...(init.member ? { member: init.member } : {}),
    content: init.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: mentionedUsers(init.content, init.knownUsers),
    mention_roles: [...init.content.matchAll(/<@&(\d+)>/g)].map((match) => match[1] ?? ''),
    attachments: init.attachments ?? [],
    embeds: [],
    pinned: false,
    flags: init.flags ?? 0,
    components: [],
    ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
    ...(init.applicationId ? { application_id: init.applicationId } : {}),
  };
}

/** The users a message's content mentions, as Discord resolves them into `mentions`. */
export function mentionedUsers(content: string, knownUsers: ReadonlyMap<string, APIUser>): APIUser[] {
  const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] ?? ''));
  return [...ids].flatMap((id) => {
    const user = knownUsers.get(id);
    return user ? [user] : [];
  });
}
