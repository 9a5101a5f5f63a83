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

/** A click on a button of a message the fake holds. */
export interface ButtonClickInput {
  channel: string;
  /** The message the button is on. */
  messageTs: string;
  /** The button's `action_id` (its value is read from the message, as Slack sends it). */
  actionId: string;
  userId: string;
  userName?: string;
}

/**
 * The `block_actions` payload of a button click, shaped as Slack's docs show it
 * (docs.slack.dev/reference/interaction-payloads/block_actions-payload).
 */
export function blockActionsPayload(
  input: ButtonClickInput,
  message: FakeSlackMessage,
  ids: { teamId: string; userTeamId: string; appId: string; triggerId: string; responseUrl: string },
): Record<string, unknown> | undefined {
  const actions = (message.blocks ?? []).flatMap((block) =>
    block.type === 'actions' && Array.isArray(block.elements) ? (block.elements as Array<Record<string, unknown>>).map((element) => ({ block, element })) : [],
  );
  const found = actions.find(({ element }) => element.action_id === input.actionId);
  if (!found) return undefined;
  const { block, element } = found;
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userName ?? input.userId.toLowerCase(), name: input.userName ?? input.userId.toLowerCase(), team_id: ids.userTeamId },
    api_app_id: ids.appId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: input.channel, is_ephemeral: false, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) },
    trigger_id: ids.triggerId,
    team: { id: ids.teamId, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel, name: 'general' },
    message: {
      type: 'message',
      user: message.user,
      ts: message.ts,
      ...(message.botId ? { bot_id: message.botId } : {}),
      text: message.text,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      blocks: message.blocks,
    },
    state: { values: {} },
    response_url: ids.responseUrl,
    actions: [
      {
        action_id: element.action_id,
        block_id: block.block_id,
        text: element.text,
        ...(element.value !== undefined ? { value: element.value } : {}),
        ...(element.url !== undefined ? { url: element.url } : {}),
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    ],
  };
}

/**
 * The `view_submission` payload of a modal the app opened, its input blocks filled with
 * `text` (docs.slack.dev/reference/interaction-payloads/view-interactions-payload).
 */
export function viewSubmissionPayload(
  view: { id: string; view: Record<string, unknown> },
  text: string,
  ids: { teamId: string; userTeamId: string; appId: string; triggerId: string; userId: string; botId: string },
): Record<string, unknown> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of (view.view.blocks as Array<Record<string, unknown>> | undefined) ?? []) {
    const element = block.element as Record<string, unknown> | undefined;
    if (block.type !== 'input' || !element || typeof block.block_id !== 'string' || typeof element.action_id !== 'string') continue;
    values[block.block_id] = { [element.action_id]: { type: element.type, value: text } };
  }
  return {
    type: 'view_submission',
    team: { id: ids.teamId, domain: 'fake' },
    user: { id: ids.userId, username: ids.userId.toLowerCase(), name: ids.userId.toLowerCase(), team_id: ids.userTeamId },
    api_app_id: ids.appId,
    token: 'legacy-verification-token',
    trigger_id: ids.triggerId,
    view: {
      ...view.view,
      id: view.id,
      team_id: ids.teamId,
      state: { values },
      hash: `${Date.now()}.fakehash`,
      previous_view_id: null,
      root_view_id: view.id,
      app_id: ids.appId,
      bot_id: ids.botId,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
