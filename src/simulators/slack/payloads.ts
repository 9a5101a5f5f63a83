/**
 * Builders for what Slack sends to an app: Events API callbacks, slash command forms and
 * request signatures (`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`).
 */
import { createHmac } from 'node:crypto';
import type { FakeSlackMessage } from './state.js';

export interface SlashCommandInput {
  /** With or without the leading slash. */
  command: string;
  text?: string;
  channelId: string;
  userId: string;
  userName?: string;
  threadTs?: string;
}

export function eventCallback(event: Record<string, unknown>, ids: { teamId: string; appId: string; botUserId: string; eventId: string }): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: ids.teamId,
    api_app_id: ids.appId,
    event,
    type: 'event_callback',
    event_id: ids.eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: ids.teamId, user_id: ids.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

export function slashCommandBody(input: SlashCommandInput, ids: { teamId: string; appId: string; responseUrl: string; triggerId: string }): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: ids.teamId,
    team_domain: 'fake',
    channel_id: input.channelId,
    channel_name: 'general',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command.startsWith('/') ? input.command : `/${input.command}`,
    text: input.text ?? '',
    api_app_id: ids.appId,
    is_enterprise_install: 'false',
    response_url: ids.responseUrl,
    trigger_id: ids.triggerId,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
  };
}

/** The two headers Slack signs a request with. */
export function signatureHeaders(signingSecret: string, rawBody: string, timestampSeconds: number): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': `v0=${signature}` };
}

/** A message a person (or another bot) wrote; `channelType`: `channel` (default), `group` (private channel), `im`, `mpim`. */
export interface UserMessageInput {
  channel: string;
  user?: string;
  text: string;
  threadTs?: string;
  botId?: string;
  subtype?: string;
  files?: unknown[];
  username?: string;
  channelType?: string;
}

/** How the fake's history stores a user's message. */
export function userMessageRecord(input: UserMessageInput, ts: string): FakeSlackMessage {
  return {
    ts,
    text: input.text,
    reactions: [],
    ...(input.user ? { user: input.user } : {}),
    ...(input.botId ? { botId: input.botId } : {}),
    ...(input.threadTs ? { threadTs: input.threadTs } : {}),
    ...(input.files ? { files: input.files } : {}),
  };
}

/** `assistant_thread_started` / `assistant_thread_context_changed`, as Slack's reference shows them. */
export function assistantThreadEvent(
  type: 'assistant_thread_started' | 'assistant_thread_context_changed',
  thread: { userId: string; channel: string; threadTs: string; contextChannel?: string | undefined },
  teamId: string,
  eventTs: string,
): Record<string, unknown> {
  return {
    type,
    assistant_thread: {
      user_id: thread.userId,
      context: { ...(thread.contextChannel ? { channel_id: thread.contextChannel } : {}), team_id: teamId, enterprise_id: null },
      channel_id: thread.channel,
      thread_ts: thread.threadTs,
    },
    event_ts: eventTs,
  };
}

/** The `message` event Slack sends for a user's message. */
export function userMessageEvent(input: UserMessageInput, ts: string): Record<string, unknown> {
  return {
    type: 'message',
    channel: input.channel,
    channel_type: input.channelType ?? 'channel',
    text: input.text,
    ts,
    event_ts: ts,
    ...(input.user ? { user: input.user } : {}),
    ...(input.botId ? { bot_id: input.botId } : {}),
    ...(input.subtype ? { subtype: input.subtype } : {}),
    ...(input.username ? { username: input.username } : {}),
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    ...(input.files ? { files: input.files } : {}),
  };
}
