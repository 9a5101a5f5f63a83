/**
 * Slack events → neutral inbound events. Pure mapping apart from the user lookup for
 * display names and privileges, which the directory caches.
 *
 * Event ids are derived from the message, not from Slack's `event_id`: the `message` and
 * the `app_mention` events for one message carry different `event_id`s, and the engines'
 * dedupe must see them as one.
 */

import type { Attachment, Author, CommandInvocation, InboundEvent, MessageRef } from '../../core/chat.js';
import { slackToMarkdown } from '../../format/slack.js';
import type { SlackChannelPrivacyDirectory } from './channel-privacy.js';
import type { SlackUserDirectory } from './users.js';

export interface SlackIdentity {
  botUserId: string | undefined;
  botId: string | undefined;
}

export interface InboundContext {
  identity: SlackIdentity;
  users: SlackUserDirectory;
  /** Private channel, group DM or DM? (Sessions started there are created private.) */
  channels: SlackChannelPrivacyDirectory;
  /** Set when Slack marked the delivery as a retry. */
  retryNum: number | undefined;
  now: () => number;
  /** The workspace the delivery is for (the envelope's `team_id`, Bolt's `context.teamId`). */
  teamId?: string | undefined;
  /** The message was written in Slack's AI side pane: addressed to the bot, its thread one session. */
  inPane?: boolean;
}

/** The fields of Slack message-like payloads we read. */
interface SlackMessage {
  type?: string;
  subtype?: string;
  channel?: string;
  /** Message events: `channel`, `group` (private channel), `im`, `mpim`. */
  channel_type?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  bot_profile?: { name?: string; icons?: Record<string, string> };
  icons?: Record<string, string>;
  text?: string;
  ts?: string;
  thread_ts?: string;
  deleted_ts?: string;
  edited?: { user?: string; ts?: string };
  files?: Array<{ url_private?: string; name?: string; mimetype?: string; size?: number }>;
  message?: SlackMessage;
  previous_message?: SlackMessage;
}

/** Message subtypes that are something a person or bot said (others are joins, topic changes…). */
const SAID_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'bot_message', 'me_message']);

/** Maps a `message` or `app_mention` event; `undefined` for events the bridge does not carry. */
export async function toInboundEvent(raw: unknown, context: InboundContext): Promise<InboundEvent | undefined> {
  const event = raw as SlackMessage;
  const channel = event.channel;
  if (!channel) return undefined;
  const base = {
    platform: 'slack' as const,
    receivedAt: context.now(),
    ...(context.retryNum ? { retryNum: context.retryNum } : {}),
    ...(context.teamId ? { placeId: context.teamId } : {}),
  };

  if (event.type === 'message' && event.subtype === 'message_changed') {
    const message = event.message;
    // Unfurls and reply counters also arrive as message_changed; only a real edit has `edited`.
    if (!message?.ts || !message.edited?.ts) return undefined;
    return {
      ...base,
      kind: 'edit',
      eventId: `slack:edit:${channel}:${message.ts}:${message.edited.ts}`,
      ref: messageRef(channel, message),
      author: await authorOf(message, context),
      text: await neutralText(message.text ?? '', context),
      attachments: attachmentsOf(message),
    };
  }
  if (event.type === 'message' && event.subtype === 'message_deleted') {
    const ts = event.deleted_ts ?? event.previous_message?.ts;
    if (!ts) return undefined;
    return { ...base, kind: 'delete', eventId: `slack:delete:${channel}:${ts}`, ref: messageRef(channel, { ...event.previous_message, ts }) };
  }
  const isMention = event.type === 'app_mention';
  if (!isMention && (event.type !== 'message' || !SAID_SUBTYPES.has(event.subtype))) return undefined;
  if (!event.ts) return undefined;
  const botUserId = context.identity.botUserId;
  const text = event.text ?? '';
  return {
    ...base,
    kind: 'message',
    eventId: `slack:${channel}:${event.ts}`,
    ref: messageRef(channel, event),
    author: await authorOf(event, context),
    text: await neutralText(text, context),
    attachments: attachmentsOf(event),
    mentionsBot: isMention || context.inPane === true || (botUserId !== undefined && (text.includes(`<@${botUserId}>`) || text.includes(`<@${botUserId}|`))),
    privateChannel: await context.channels.isPrivate(channel, event.channel_type),
    ...(context.inPane === true ? { inAssistantPane: true } : {}),
  };
}

/** The fields of a slash command payload we read. */
export interface SlackCommandPayload {
  command: string;
  text?: string;
  channel_id: string;
  user_id: string;
  user_name?: string;
  trigger_id?: string;
  thread_ts?: string;
  /** The workspace the command was run in. */
  team_id?: string;
}

/**
 * Slack Connect: a person from another organisation can run our commands in a shared
 * channel. Their admin flags are about their own workspace, so they are never privileged
 * here. A user whose team is unknown (lookup failed) is already unprivileged.
 */
export function isPrivilegedHere(user: { isPrivileged: boolean; teamId?: string | undefined }, workspaceTeamId: string | undefined): boolean {
  if (!user.isPrivileged) return false;
  return workspaceTeamId === undefined || user.teamId === undefined || user.teamId === workspaceTeamId;
}

export async function toCommandInvocation(payload: SlackCommandPayload, context: InboundContext): Promise<CommandInvocation> {
  const rawText = payload.text ?? '';
  const user = await context.users.get(payload.user_id, { fresh: 'privilege' });
  const receivedAt = context.now();
  return {
    platform: 'slack',
    kind: 'command',
    // Slash commands are never redelivered; the trigger id is unique per invocation.
    eventId: `slack:command:${payload.trigger_id ?? `${payload.channel_id}:${payload.user_id}:${receivedAt}`}`,
    receivedAt,
    command: payload.command.replace(/^\//, ''),
    args: rawText.trim() === '' ? [] : rawText.trim().split(/\s+/),
    rawText,
    user: {
      id: user.id,
      displayName: user.displayName === user.id && payload.user_name ? payload.user_name : user.displayName,
      isPrivileged: isPrivilegedHere(user, payload.team_id),
    },
    channel: { platform: 'slack', channelId: payload.channel_id },
    ...(payload.team_id ? { placeId: payload.team_id } : {}),
    privateChannel: await context.channels.isPrivate(payload.channel_id),
    ...(payload.thread_ts ? { threadRootId: payload.thread_ts } : {}),
  };
}

/** The text as neutral markdown, its user mentions named as Slack knows them (see format/mentions.ts). */
async function neutralText(mrkdwn: string, context: InboundContext): Promise<string> {
  const ids = new Set([...mrkdwn.matchAll(/<@([A-Z0-9]+)(?:\|[^<>]*)?>/g)].map((match) => match[1] ?? ''));
  const names = new Map<string, string>();
  for (const id of ids) {
    const user = await context.users.get(id);
    // The directory falls back to the id when it cannot look the user up: a label is better then.
    if (user.displayName !== id) names.set(id, user.displayName);
  }
  return slackToMarkdown(mrkdwn, (id) => names.get(id));
}

function messageRef(channel: string, message: SlackMessage): MessageRef {
  const ts = message.ts ?? '';
  return {
    platform: 'slack',
    channelId: channel,
    messageId: ts,
    ...(message.thread_ts && message.thread_ts !== ts ? { threadRootId: message.thread_ts } : {}),
  };
}

async function authorOf(message: SlackMessage, context: InboundContext): Promise<Author> {
  const { botId, botUserId } = context.identity;
  const isBot = message.bot_id !== undefined || message.subtype === 'bot_message';
  const isSelf = (botId !== undefined && message.bot_id === botId) || (botUserId !== undefined && message.user === botUserId);
  const id = message.user ?? message.bot_id ?? 'unknown';
  const botName = message.username ?? message.bot_profile?.name;
  if (isBot && botName) {
    const avatar = message.icons?.image_48 ?? message.bot_profile?.icons?.image_72;
    return { id, displayName: botName, isBot, isSelf, ...(avatar ? { avatarUrl: avatar } : {}) };
  }
  if (!message.user) return { id, displayName: id, isBot, isSelf };
  const user = await context.users.get(message.user);
  return { id, displayName: user.displayName, isBot: isBot || user.isBot, isSelf, ...(user.avatarUrl ? { avatarUrl: user.avatarUrl } : {}) };
}

function attachmentsOf(message: SlackMessage): Attachment[] {
  return (message.files ?? [])
    .filter((file) => typeof file.url_private === 'string')
    .map((file) => ({
      url: file.url_private as string,
      ...(file.name ? { name: file.name } : {}),
      ...(file.mimetype ? { contentType: file.mimetype } : {}),
      ...(typeof file.size === 'number' ? { sizeBytes: file.size } : {}),
    }));
}
