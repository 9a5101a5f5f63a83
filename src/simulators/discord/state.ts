/**
 * What the fake Discord knows: one guild (or several) with its channels and threads, the message
 * history of every channel, webhooks, registered commands, interactions and every REST
 * call received. Changes that Discord announces on the gateway go through `dispatch`.
 */
import type { APIChannel, APIGuildMember, APIMessage, APIUser } from 'discord.js';
import { makeMember, makeMessage, makeTextChannel, makeThreadChannel, makeUser, snowflake } from './objects.js';

/** One REST request as the fake received it. */
export interface RecordedCall {
  method: string;
  /** Path after `/api/v10`, without the query. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The status the fake answered. */
  status: number;
}

export interface FakeWebhook {
  id: string;
  token: string;
  channelId: string;
  name: string;
  /** The application that created it (ours when the bot created it). */
  applicationId: string | null;
  creatorId: string;
}

export interface FakeInteraction {
  id: string;
  token: string;
  channelId: string;
  /** Callback bodies in order (`{type, data}`). */
  callbacks: Array<{ type: number; data?: Record<string, unknown> }>;
  /** The `@original` response once it has content. */
  original?: APIMessage;
  followUps: APIMessage[];
  /** Components and modals: who pressed or submitted, and the message the button is on. */
  user?: { id: string; username: string; nick?: string };
  message?: APIMessage;
}

/** A 429 the fake will answer instead of handling matching requests. */
/** Matching requests wait (as a slow or stalled Discord would) until the hold is released. */
export interface HoldRule {
  method?: string;
  path: RegExp;
  released: Promise<void>;
}

export interface RateLimitRule {
  method?: string;
  path: RegExp;
  /** How many matching requests get a 429. */
  remaining: number;
  retryAfterSeconds: number;
  global?: boolean;
  /** Answer with this status (a 5xx) instead of a 429. */
  status?: number;
  /** How many matching requests pass before the rule starts answering. */
  skip?: number;
}

export type Dispatch = (event: string, data: unknown) => void;

export interface FakeDiscordStateInit {
  token: string;
  applicationId: string;
  guildId: string;
  botUser: APIUser;
  channels: Array<{ id: string; name: string; private?: boolean }>;
  threads: Array<{ id: string; parentId: string; name: string }>;
  /** More guilds the bot is in, each with its own text channels. */
  otherGuilds?: Array<{ id: string; name?: string; channels: Array<{ id: string; name: string }> }>;
}

export class FakeDiscordState {
  readonly token: string;
  readonly applicationId: string;
  /** The first guild (the one most tests use). */
  readonly guildId: string;
  /** Every guild the bot is in, the first one first. */
  readonly guilds: Array<{ id: string; name: string }>;
  readonly botUser: APIUser;
  readonly users = new Map<string, APIUser>();
  readonly channels = new Map<string, APIChannel>();
  /** Message history per channel id (threads included), oldest first. */
  readonly messages = new Map<string, APIMessage[]>();
  readonly webhooks = new Map<string, FakeWebhook>();
  readonly interactions = new Map<string, FakeInteraction>();
  /** Registered command JSON: key `global` or the guild id. */
  readonly commands = new Map<string, unknown[]>();
  /** Reactions by our bot: `${channelId}/${messageId}` → emoji names. */
  readonly reactions = new Map<string, Set<string>>();
  readonly calls: RecordedCall[] = [];
  /** When the bot last sent the typing indicator in each channel (it shows for 10 s, or until the bot posts there). */
  readonly typingAt = new Map<string, number>();
  readonly rateLimits: RateLimitRule[] = [];
  readonly holds: HoldRule[] = [];
  /** When false, creating a webhook answers 403 Missing Permissions (and listing them too). */
  manageWebhooks = true;
  dispatch: Dispatch = () => undefined;

  constructor(init: FakeDiscordStateInit) {
    this.token = init.token;
    this.applicationId = init.applicationId;
    this.guildId = init.guildId;
    this.guilds = [{ id: init.guildId, name: 'Fake Guild' }, ...(init.otherGuilds ?? []).map((guild) => ({ id: guild.id, name: guild.name ?? `Fake Guild ${guild.id}` }))];
    this.botUser = init.botUser;
    this.users.set(init.botUser.id, init.botUser);
    for (const channel of init.channels) this.channels.set(channel.id, makeTextChannel(init.guildId, channel.id, channel.name, channel.private === true));
    for (const thread of init.threads) {
      this.channels.set(thread.id, makeThreadChannel(init.guildId, thread.id, thread.parentId, thread.name, init.botUser.id));
    }
    for (const guild of init.otherGuilds ?? []) {
      for (const channel of guild.channels) this.channels.set(channel.id, makeTextChannel(guild.id, channel.id, channel.name));
    }
  }

  /** The guild a channel or thread is in (the first guild for channels it does not know). */
  guildOf(channelId: string): string {
    const channel = this.channels.get(channelId);
    return channel && 'guild_id' in channel && typeof channel.guild_id === 'string' ? channel.guild_id : this.guildId;
  }

  /** Registers (or returns) a human or bot user that can author messages. */
  user(id: string, username: string, options: { bot?: boolean; globalName?: string } = {}): APIUser {
    const existing = this.users.get(id);
    if (existing) return existing;
    const user = makeUser(id, username, options);
    this.users.set(id, user);
    return user;
  }

  history(channelId: string): APIMessage[] {
    let list = this.messages.get(channelId);
    if (!list) {
      list = [];
      this.messages.set(channelId, list);
    }
    return list;
  }

  findMessage(channelId: string, messageId: string): APIMessage | undefined {
    return this.messages.get(channelId)?.find((message) => message.id === messageId);
  }

  /** Stores a new message and announces it on the gateway. */
  createMessage(init: {
    channelId: string;
    author: APIUser;
    content: string;
    member?: APIGuildMember;
    webhookId?: string;
    applicationId?: string;
    attachments?: APIMessage['attachments'];
    flags?: number;
    /** Message type (0 default; 18 thread created, 7 member join, ...). */
    type?: number;
    /** Message components (action rows of buttons). */
    components?: APIMessage['components'];
  }): APIMessage {
    const { components, ...rest } = init;
    const message = makeMessage({ ...rest, guildId: this.guildOf(init.channelId), knownUsers: this.users });
    if (components) message.components = components;
    const channel = this.channels.get(init.channelId);
    if (channel && 'last_message_id' in channel) channel.last_message_id = message.id;
    this.history(init.channelId).push(message);
    this.dispatch('MESSAGE_CREATE', message);
    return message;
  }

  /** Changes a message's content and announces the edit. */
  /** `components`: replaced when given (Discord keeps a message's components on an edit that names none). */
  editMessage(channelId: string, messageId: string, content: string, components?: APIMessage['components']): APIMessage | undefined {
    const message = this.findMessage(channelId, messageId);
    if (!message) return undefined;
    message.content = content;
    if (components) message.components = components;
    message.edited_timestamp = new Date(Math.max(Date.now(), Date.parse(message.edited_timestamp ?? message.timestamp) + 1)).toISOString();
    message.mentions = [...content.matchAll(/<@!?(\d+)>/g)].flatMap((match) => {
      const user = this.users.get(match[1] ?? '');
      return user ? [user] : [];
    });
    this.dispatch('MESSAGE_UPDATE', { ...message, guild_id: this.guildOf(channelId) });
    return message;
  }

  deleteMessage(channelId: string, messageId: string): boolean {
    const list = this.messages.get(channelId);
    const index = list?.findIndex((message) => message.id === messageId) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    this.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: channelId, guild_id: this.guildOf(channelId) });
    return true;
  }

  /**
   * Starts a thread (from a message when `fromMessageId` is given: the thread gets its id).
   * `announce: false` skips THREAD_CREATE, as for a thread the bot was never told about.
   */
  createThread(parentId: string, name: string, fromMessageId?: string, announce = true): APIChannel {
    const id = fromMessageId ?? snowflake();
    const thread = makeThreadChannel(this.guildOf(parentId), id, parentId, name, this.botUser.id);
    this.channels.set(id, thread);
    if (announce) this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    return thread;
  }

  createWebhook(channelId: string, name: string): FakeWebhook {
    const webhook: FakeWebhook = {
      id: snowflake(),
      token: `whtoken-${snowflake()}`,
      channelId,
      name,
      applicationId: this.applicationId,
      creatorId: this.botUser.id,
    };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  /** The webhook object as the REST API returns it (with its token, as for its owner). */
  webhookJson(webhook: FakeWebhook): Record<string, unknown> {
    return {
      id: webhook.id,
      type: 1,
      guild_id: this.guildOf(webhook.channelId),
      channel_id: webhook.channelId,
      name: webhook.name,
      avatar: null,
      token: webhook.token,
      application_id: webhook.applicationId,
      user: this.users.get(webhook.creatorId) ?? makeUser(webhook.creatorId, 'someone'),
    };
  }

  /** The guild as `GUILD_CREATE` carries it (default: the first guild). */
  guildJson(guildId = this.guildId): Record<string, unknown> {
    const all = [...this.channels.values()].filter((channel) => 'guild_id' in channel && channel.guild_id === guildId);
    return {
      id: guildId,
      name: this.guilds.find((guild) => guild.id === guildId)?.name ?? 'Fake Guild',
      icon: null,
      owner_id: '1',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      features: [],
      emojis: [],
      stickers: [],
      roles: [{ id: guildId, name: '@everyone', permissions: '1071698660929', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [makeMember(this.botUser)],
      channels: all.filter((channel) => channel.type !== 11),
      threads: all.filter((channel) => channel.type === 11),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
