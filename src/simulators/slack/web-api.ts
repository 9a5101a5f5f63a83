/**
 * The Web API methods the bridge uses, answered the way Slack answers them: HTTP 200 with
 * `{ok:false, error}` for every failure except rate limits, which are HTTP 429 with a
 * `Retry-After` header in seconds.
 */
import type { FakeSlackMessage, FakeSlackState } from './state.js';
import { handleAgentMethod } from './streams.js';

export interface WebApiIdentity {
  botToken: string;
  appToken: string | undefined;
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  /** `ws://127.0.0.1:PORT/link/`, known once the server listens. */
  socketUrl: () => string;
}

export interface WebApiReply {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * Faults injected by tests: after `skip` calls to `method` pass, the next `times` get 429
 * with `Retry-After` (a rate limit), or `status` (a 5xx) when one is set.
 */
export type RateLimitPlan = Map<string, { retryAfterSeconds: number; times: number; skip?: number; status?: number }>;

const ok = (body: Record<string, unknown> = {}): WebApiReply => ({ status: 200, body: { ok: true, ...body } });
const fail = (error: string): WebApiReply => ({ status: 200, body: { ok: false, error } });

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function messageJson(channel: string, message: FakeSlackMessage): Record<string, unknown> {
  return {
    type: 'message',
    channel,
    ts: message.ts,
    text: message.text,
    ...(message.user ? { user: message.user } : {}),
    ...(message.botId ? { bot_id: message.botId } : {}),
    ...(message.username ? { username: message.username } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.edited ? { edited: message.edited } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.subtype ? { subtype: message.subtype } : {}),
  };
}

/** `blocks` as an array: form-encoded calls carry it as a JSON string. */
function blocksOf(value: unknown): Array<Record<string, unknown>> | undefined | 'invalid' {
  if (value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  return Array.isArray(parsed) && parsed.length <= 50 ? (parsed as Array<Record<string, unknown>>) : 'invalid';
}

/** `views.open`: only for a trigger_id the fake issued with a click (Slack's live 3 s). */
function openView(state: FakeSlackState, args: Record<string, unknown>): WebApiReply {
  const triggerId = str(args.trigger_id);
  const userId = triggerId ? state.triggers.get(triggerId) : undefined;
  if (!triggerId || userId === undefined) return fail('invalid_trigger_id');
  let view: unknown = args.view;
  if (typeof view === 'string') {
    try {
      view = JSON.parse(view);
    } catch {
      return fail('invalid_arguments');
    }
  }
  if (view === null || typeof view !== 'object' || (view as { type?: unknown }).type !== 'modal') return fail('invalid_arguments');
  // A trigger opens one view.
  state.triggers.delete(triggerId);
  const opened = { seq: state.nextSeq(), id: `V${String(state.views.length + 1).padStart(8, '0')}`, triggerId, userId, view: view as Record<string, unknown> };
  state.views.push(opened);
  state.emit('change');
  return ok({ view: { id: opened.id, ...opened.view } });
}

/** A `ts` as microseconds (a double would lose the last digits). */
function tsValue(ts: string): bigint {
  const [seconds = '0', micros = '0'] = ts.split('.');
  return BigInt(seconds || '0') * 1_000_000n + BigInt(micros.padEnd(6, '0').slice(0, 6) || '0');
}

/**
 * A page of `conversations.history` (newest first) or `conversations.replies` (oldest first),
 * filtered by `oldest`/`latest` (exclusive unless `inclusive`) and paged with an offset cursor.
 */
function historyPage(
  channel: string,
  messages: FakeSlackMessage[],
  newestFirst: boolean,
  args: Record<string, unknown>,
  extra: (message: FakeSlackMessage) => Record<string, unknown> = () => ({}),
): Record<string, unknown> {
  const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1';
  const oldest = str(args.oldest);
  const latest = str(args.latest);
  const filtered = messages.filter((message) => {
    const value = tsValue(message.ts);
    if (oldest !== undefined && (inclusive ? value < tsValue(oldest) : value <= tsValue(oldest))) return false;
    if (latest !== undefined && (inclusive ? value > tsValue(latest) : value >= tsValue(latest))) return false;
    return true;
  });
  const ordered = newestFirst ? [...filtered].reverse() : filtered;
  const limit = Math.max(1, Math.min(1000, Number(args.limit ?? 100) || 100));
  const offset = Number(/^offset:(\d+)$/.exec(str(args.cursor) ?? '')?.[1] ?? 0);
  const page = ordered.slice(offset, offset + limit);
  const hasMore = offset + limit < ordered.length;
  return {
    messages: page.map((message) => ({ ...messageJson(channel, message), ...extra(message) })),
    has_more: hasMore,
    response_metadata: { next_cursor: hasMore ? `offset:${offset + limit}` : '' },
  };
}

/** `chat.postMessage`: the bot's message, at the end of the channel or in a thread. */
function postMessage(state: FakeSlackState, identity: WebApiIdentity, channel: string | undefined, args: Record<string, unknown>): WebApiReply {
  if (!channel) return fail('channel_not_found');
  const text = str(args.text);
  if (!text) return fail('no_text');
  const threadTs = str(args.thread_ts);
  if (threadTs && !state.findMessage(channel, threadTs)) return fail('thread_not_found');
  const blocks = blocksOf(args.blocks);
  if (blocks === 'invalid') return fail('invalid_blocks');
  const message: FakeSlackMessage = {
    ts: state.nextTs(),
    text,
    user: identity.botUserId,
    botId: identity.botId,
    reactions: [],
    ...(str(args.username) ? { username: str(args.username) } : {}),
    ...(str(args.icon_url) ? { iconUrl: str(args.icon_url) } : {}),
    ...(threadTs ? { threadTs } : {}),
    ...(blocks ? { blocks } : {}),
  };
  state.history(channel).push(message);
  // Slack drops a thread's assistant status when the bot replies there.
  if (threadTs) state.setThreadStatus(channel, threadTs, '');
  // Slack clears a side-pane thread's status when the app replies in it.
  const pane = threadTs ? state.assistantThread(channel, threadTs) : undefined;
  if (pane) delete pane.status;
  return ok({ channel, ts: message.ts, message: messageJson(channel, message) });
}

/** `reactions.add` / `reactions.remove` by the bot. */
function react(state: FakeSlackState, identity: WebApiIdentity, method: string, channel: string | undefined, args: Record<string, unknown>): WebApiReply {
  const message = channel ? state.findMessage(channel, str(args.timestamp) ?? '') : undefined;
  const name = str(args.name);
  if (!message) return fail('message_not_found');
  if (!name || !/^[a-z0-9_+'-]+$/.test(name)) return fail('invalid_name');
  const existing = message.reactions.find((reaction) => reaction.name === name);
  const reacted = existing?.users.includes(identity.botUserId) ?? false;
  if (method === 'reactions.add') {
    if (reacted) return fail('already_reacted');
    if (existing) existing.users.push(identity.botUserId);
    else message.reactions.push({ name, users: [identity.botUserId] });
  } else {
    if (!existing || !reacted) return fail('no_reaction');
    existing.users = existing.users.filter((user) => user !== identity.botUserId);
    if (existing.users.length === 0) message.reactions.splice(message.reactions.indexOf(existing), 1);
  }
  return ok();
}

function userInfo(state: FakeSlackState, identity: WebApiIdentity, args: Record<string, unknown>): WebApiReply {
  const user = state.users.get(str(args.user) ?? '');
  if (!user) return fail('user_not_found');
  return ok({
    user: {
      id: user.id,
      team_id: user.teamId ?? identity.teamId,
      name: user.name,
      real_name: user.realName ?? user.name,
      is_admin: user.isAdmin ?? false,
      is_owner: user.isOwner ?? false,
      is_primary_owner: user.isPrimaryOwner ?? false,
      is_bot: user.isBot ?? false,
      profile: {
        display_name: user.displayName ?? '',
        real_name: user.realName ?? user.name,
        ...(user.imageUrl ? { image_72: user.imageUrl } : {}),
      },
    },
  });
}

/** `conversations.history` (top-level messages) or `conversations.replies` (one thread). */
function conversationPage(state: FakeSlackState, method: string, channel: string | undefined, args: Record<string, unknown>): WebApiReply {
  if (!channel) return fail('channel_not_found');
  const root = str(args.ts);
  if (method === 'conversations.replies' && (!root || !state.findMessage(channel, root))) return fail('thread_not_found');
  const live = state.history(channel).filter((message) => !message.deleted);
  const inView =
    method === 'conversations.replies'
      ? live.filter((message) => message.ts === root || message.threadTs === root)
      : live.filter((message) => !message.threadTs || message.threadTs === message.ts);
  // Thread roots carry reply_count and latest_reply, as Slack's do (catch-up finds threads by them).
  const threadInfo = (message: FakeSlackMessage): Record<string, unknown> => {
    const replies = live.filter((reply) => reply.threadTs === message.ts && reply.ts !== message.ts);
    const latest = replies.at(-1);
    return latest ? { thread_ts: message.ts, reply_count: replies.length, latest_reply: latest.ts } : {};
  };
  return ok(historyPage(channel, inView, method === 'conversations.history', args, method === 'conversations.history' ? threadInfo : undefined));
}

function channelInfo(state: FakeSlackState, channel: string | undefined): WebApiReply {
  const found = state.channels.get(channel ?? '');
  if (!found) return fail('channel_not_found');
  const isIm = found.isIm === true;
  const isMpim = found.isMpim === true;
  return ok({
    channel: {
      id: found.id,
      name: found.name,
      is_channel: !isIm && !isMpim,
      is_group: found.isPrivate === true && !isMpim,
      is_im: isIm,
      is_mpim: isMpim,
      is_private: found.isPrivate === true || isMpim,
      is_member: true,
    },
  });
}

/** Arrays arrive form-encoded as JSON strings (the WebClient's encoding) or as JSON. */
function jsonArg(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `assistant.threads.setStatus` / `setTitle` / `setSuggestedPrompts`: `channel_id` and
 * `thread_ts` name a side-pane thread; an unknown channel is `channel_not_found`, an unknown
 * thread `invalid_thread_ts`, as Slack's reference lists.
 */
function assistantThreads(state: FakeSlackState, method: string, args: Record<string, unknown>): WebApiReply {
  const channel = str(args.channel_id);
  const threadTs = str(args.thread_ts);
  if (!channel || (!state.channels.has(channel) && !state.histories.has(channel))) return fail('channel_not_found');
  const thread = threadTs ? state.assistantThread(channel, threadTs) : undefined;
  if (!thread) return fail('invalid_thread_ts');
  if (method === 'assistant.threads.setStatus') {
    if (typeof args.status !== 'string') return fail('invalid_arguments');
    if (args.status === '') delete thread.status;
    else thread.status = args.status;
    return ok();
  }
  if (method === 'assistant.threads.setTitle') {
    const title = str(args.title);
    if (!title) return fail('invalid_arguments');
    thread.title = title;
    return ok();
  }
  const prompts = jsonArg(args.prompts);
  const valid =
    Array.isArray(prompts) &&
    prompts.length > 0 &&
    prompts.length <= 4 &&
    prompts.every(
      (prompt: unknown) => typeof prompt === 'object' && prompt !== null && str((prompt as Record<string, unknown>).title) && str((prompt as Record<string, unknown>).message),
    );
  if (!valid) return fail('invalid_arguments');
  thread.prompts = (prompts as Array<{ title: string; message: string }>).map((prompt) => ({ title: prompt.title, message: prompt.message }));
  const title = str(args.title);
  if (title) thread.promptsTitle = title;
  else delete thread.promptsTitle;
  return ok();
}

/** Handles one call; `token` is the bearer token (or the `token` argument) it came with. */
export function handleWebApi(
  state: FakeSlackState,
  identity: WebApiIdentity,
  rateLimits: RateLimitPlan,
  method: string,
  token: string | undefined,
  args: Record<string, unknown>,
): WebApiReply {
  state.recordCall(method, args);
  const limit = rateLimits.get(method);
  if (limit && limit.times > 0 && (limit.skip ?? 0) > 0) limit.skip = (limit.skip ?? 0) - 1;
  else if (limit && limit.times > 0) {
    limit.times -= 1;
    if (limit.status !== undefined) return { status: limit.status, body: { ok: false, error: 'internal_error' } };
    return { status: 429, headers: { 'retry-after': String(limit.retryAfterSeconds) }, body: { ok: false, error: 'ratelimited' } };
  }
  const expected = method === 'apps.connections.open' ? identity.appToken : identity.botToken;
  if (token === undefined) return fail('not_authed');
  if (token !== expected) return fail('invalid_auth');

  const channel = str(args.channel);
  if (channel !== undefined && state.deletedChannels.has(channel)) return fail('channel_not_found');
  const agent = handleAgentMethod(state, { userId: identity.botUserId, botId: identity.botId }, method, args);
  if (agent) return agent.ok ? ok(agent.body) : fail(agent.error ?? 'invalid_arguments');
  if (state.refusedMethods.has(method)) return fail(state.refusedMethods.get(method) ?? 'missing_scope');
  switch (method) {
    case 'auth.test':
      return ok({ url: 'https://fake.slack.test/', team: 'Fake Team', user: 'bridge', team_id: identity.teamId, user_id: identity.botUserId, bot_id: identity.botId });
    case 'apps.connections.open':
      return ok({ url: identity.socketUrl() });
    case 'chat.postMessage':
      return postMessage(state, identity, channel, args);
    case 'chat.update': {
      const message = channel ? state.findMessage(channel, str(args.ts) ?? '') : undefined;
      if (!channel || !message) return fail('message_not_found');
      if (message.user !== identity.botUserId) return fail('cant_update_message');
      const blocks = blocksOf(args.blocks);
      if (blocks === 'invalid') return fail('invalid_blocks');
      message.text = str(args.text) ?? message.text;
      // Slack keeps the blocks of an update that names none.
      if (blocks) message.blocks = blocks;
      message.edited = { user: identity.botUserId, ts: state.nextTs() };
      return ok({ channel, ts: message.ts, text: message.text, message: messageJson(channel, message) });
    }
    case 'chat.delete': {
      const message = channel ? state.findMessage(channel, str(args.ts) ?? '') : undefined;
      if (!channel || !message) return fail('message_not_found');
      if (message.user !== identity.botUserId) return fail('cant_delete_message');
      message.deleted = true;
      return ok({ channel, ts: message.ts });
    }
    case 'chat.postEphemeral':
      if (!channel) return fail('channel_not_found');
      if (!str(args.user) || !state.users.has(str(args.user) ?? '')) return fail('user_not_in_channel');
      return ok({ message_ts: state.nextTs() });
    case 'views.open':
      return openView(state, args);
    case 'reactions.add':
    case 'reactions.remove':
      return react(state, identity, method, channel, args);
    case 'users.info':
      return userInfo(state, identity, args);
    case 'conversations.history':
    case 'conversations.replies':
      return conversationPage(state, method, channel, args);
    case 'conversations.info':
      return channelInfo(state, channel);
    case 'assistant.threads.setStatus':
    case 'assistant.threads.setTitle':
    case 'assistant.threads.setSuggestedPrompts':
      return assistantThreads(state, method, args);
    default:
      return fail('unknown_method');
  }
}
