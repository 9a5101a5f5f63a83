/**
 * The fake's REST API under `/api/v10`: the routes the bridge and discord.js call, with
 * Discord's auth rule (`Authorization: Bot <token>` everywhere except webhook-token and
 * interaction routes), its JSON error bodies and codes, injectable 429s and held (stalled)
 * requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIMessage } from 'discord.js';
import { applyOutboundFault, type CallKind, type FaultPlan } from '../fault-plan.js';
import { makeUser, snowflake } from './objects.js';
import type { FakeDiscordState, FakeWebhook } from './state.js';

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  authorized: boolean;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent: Reply = { status: 204 };
const error = (status: number, code: number, message: string): Reply => ({ status, body: { message, code } });
const unknownChannel = error(404, 10003, 'Unknown Channel');
const unknownMessage = error(404, 10008, 'Unknown Message');
const unknownWebhook = error(404, 10015, 'Unknown Webhook');
const unauthorized = error(401, 0, '401: Unauthorized');

/** The fault matrix's name for a call: channel posts, webhook posts, edits and history reads. */
function callKindOf(state: FakeDiscordState, method: string, path: string): CallKind | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'channels' && parts[2] === 'messages') {
    if (parts.length === 3) return method === 'POST' ? 'discord.post' : method === 'GET' ? 'discord.history' : undefined;
    if (parts.length === 4 && method === 'PATCH') return 'discord.edit';
    return undefined;
  }
  // Interaction follow-ups share the webhook routes; only channel webhooks count here.
  if (parts[0] === 'webhooks' && parts[1] !== state.applicationId && parts.length >= 3) {
    if (parts.length === 3 && method === 'POST') return 'discord.webhook';
    if (parts[3] === 'messages' && method === 'PATCH') return 'discord.edit';
  }
  return undefined;
}

const DISCORD_5XX = { status: 503, contentType: 'application/json', body: JSON.stringify({ message: 'Service Unavailable', code: 0 }) };

/** Handles one HTTP request whose path starts with `/api/v10`. */
export async function handleRest(state: FakeDiscordState, gatewayUrl: string, req: IncomingMessage, res: ServerResponse, faultPlan?: FaultPlan): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const request: Request = {
    method: req.method ?? 'GET',
    // Decoded, as Discord routes them: `%40original` is `@original`, emoji arrive encoded.
    path: decodeURIComponent(url.pathname.replace(/^\/api\/v10/, '')),
    query: Object.fromEntries(url.searchParams),
    body: text && String(req.headers['content-type']).includes('json') ? JSON.parse(text) : undefined,
    authorized: req.headers.authorization === `Bot ${state.token}`,
  };
  // A held request is answered, and takes effect, only once its hold is released.
  for (const hold of state.holds) if ((!hold.method || hold.method === request.method) && hold.path.test(request.path)) await hold.released;
  const kind = callKindOf(state, request.method, request.path);
  const planned = kind ? faultPlan?.next(kind) : undefined;
  if (planned && faultPlan) {
    applyOutboundFault(planned, req, res, () => answerRest(state, gatewayUrl, request, res), { holdMs: faultPlan.holdMs, answer5xx: DISCORD_5XX });
    return;
  }
  answerRest(state, gatewayUrl, request, res);
}

function answerRest(state: FakeDiscordState, gatewayUrl: string, request: Request, res: ServerResponse): void {
  const reply = rateLimited(state, request) ?? route(state, gatewayUrl, request);
  state.calls.push({ method: request.method, path: request.path, query: request.query, body: request.body, status: reply.status });
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

function rateLimited(state: FakeDiscordState, request: Request): Reply | undefined {
  const rule = state.rateLimits.find((candidate) => candidate.remaining > 0 && (!candidate.method || candidate.method === request.method) && candidate.path.test(request.path));
  if (!rule) return undefined;
  if ((rule.skip ?? 0) > 0) {
    rule.skip = (rule.skip ?? 0) - 1;
    return undefined;
  }
  rule.remaining -= 1;
  if (rule.status !== undefined) return { status: rule.status, body: { message: 'fake server error', code: 0 } };
  const headers: Record<string, string> = {
    'retry-after': String(rule.retryAfterSeconds),
    'x-ratelimit-limit': '5',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset-after': String(rule.retryAfterSeconds),
    'x-ratelimit-bucket': `fake-${rule.path.source}`,
    'x-ratelimit-scope': rule.global ? 'global' : 'user',
  };
  if (rule.global) headers['x-ratelimit-global'] = 'true';
  return { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: rule.retryAfterSeconds, global: Boolean(rule.global) } };
}

function route(state: FakeDiscordState, gatewayUrl: string, request: Request): Reply {
  const { method, path } = request;
  const parts = path.split('/').filter(Boolean);
  // Routes authenticated by a token in the path.
  if (parts[0] === 'interactions' && parts[3] === 'callback' && method === 'POST') return interactionCallback(state, parts[1] ?? '', parts[2] ?? '', request);
  if (parts[0] === 'webhooks' && parts.length >= 3) return webhookWithToken(state, parts, request);
  if (!request.authorized) return unauthorized;

  if (method === 'GET' && path === '/gateway/bot') {
    return ok({ url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: 1 } });
  }
  if (method === 'GET' && path === '/users/@me') return ok(state.botUser);
  if (method === 'GET' && path === '/users/@me/guilds') {
    return ok(state.guilds.map((guild) => ({ id: guild.id, name: guild.name, icon: null, owner: false, permissions: '1071698660929', features: [] })));
  }
  if (method === 'GET' && path === '/applications/@me') return ok({ id: state.applicationId, name: 'fake-app', flags: 0, bot_public: true, bot_require_code_grant: false });
  if (parts[0] === 'applications' && parts[1] === state.applicationId && method === 'PUT') {
    const key = parts[2] === 'guilds' ? (parts[3] ?? '') : 'global';
    const list = Array.isArray(request.body) ? (request.body as Array<Record<string, unknown>>) : [];
    const registered = list.map((command) => ({ ...command, id: snowflake(), application_id: state.applicationId, version: snowflake() }));
    state.commands.set(key, registered);
    return ok(registered);
  }
  if (parts[0] === 'channels') return channelRoute(state, parts, request);
  // Active threads of the guild (every thread here is active), for catch-up after downtime.
  if (parts[0] === 'guilds' && parts[2] === 'threads' && parts[3] === 'active' && method === 'GET') {
    const guildId = parts[1] ?? '';
    if (!state.guilds.some((guild) => guild.id === guildId)) return error(404, 10004, 'Unknown Guild');
    const threads = [...state.channels.values()].filter((channel) => (channel.type === 10 || channel.type === 11 || channel.type === 12) && state.guildOf(channel.id) === guildId);
    return ok({ threads, members: [] });
  }
  if (parts[0] === 'webhooks' && parts.length === 2 && method === 'GET') {
    const webhook = state.webhooks.get(parts[1] ?? '');
    return webhook ? ok(state.webhookJson(webhook)) : unknownWebhook;
  }
  return error(404, 0, '404: Not Found');
}

function channelRoute(state: FakeDiscordState, parts: string[], request: Request): Reply {
  const [, channelId = '', sub, messageId, action, emoji, who] = parts;
  const channel = state.channels.get(channelId);
  if (!channel) return unknownChannel;
  const { method } = request;
  if (sub === undefined && method === 'GET') return ok(channel);
  if (sub === 'webhooks') {
    if (!state.manageWebhooks) return error(403, 50013, 'Missing Permissions');
    if (method === 'GET') return ok([...state.webhooks.values()].filter((hook) => hook.channelId === channelId).map((hook) => state.webhookJson(hook)));
    if (method === 'POST') return ok(state.webhookJson(state.createWebhook(channelId, String(request.body?.name ?? 'webhook'))));
  }
  // The typing indicator (lasts 10 s); the fake only records it (state.calls).
  if (sub === 'typing' && method === 'POST') {
    state.typingAt.set(channelId, Date.now());
    return noContent;
  }
  if (sub !== 'messages') return error(404, 0, '404: Not Found');
  if (messageId === undefined && method === 'POST') {
    if (typeof request.body?.content !== 'string' || request.body.content.length === 0) return error(400, 50006, 'Cannot send an empty message');
    if (request.body.content.length > 2000) return error(400, 50035, 'Invalid Form Body: content: Must be 2000 or fewer in length.');
    const components = componentsOf(request.body?.components);
    if (components === 'invalid') return error(400, 50035, 'Invalid Form Body: components');
    return ok(state.createMessage({ channelId, author: state.botUser, content: request.body.content, ...(components ? { components } : {}) }));
  }
  if (messageId === undefined && method === 'GET') return ok(messagePage(state.history(channelId), request.query));
  if (messageId === undefined) return error(405, 0, '405: Method Not Allowed');
  const message = state.findMessage(channelId, messageId);
  if (action === undefined && method === 'PATCH') {
    if (!message) return unknownMessage;
    if (message.author.id !== state.botUser.id) return error(403, 50005, 'Cannot edit a message authored by another user');
    const components = componentsOf(request.body?.components);
    if (components === 'invalid') return error(400, 50035, 'Invalid Form Body: components');
    return ok(state.editMessage(channelId, messageId, String(request.body?.content ?? message.content), components));
  }
  if (action === undefined && method === 'DELETE') return state.deleteMessage(channelId, messageId) ? noContent : unknownMessage;
  if (action === 'threads' && method === 'POST') {
    if (!message) return unknownMessage;
    if (state.channels.has(messageId)) return error(400, 160004, 'A thread has already been created for this message');
    return ok(state.createThread(channelId, String(request.body?.name ?? 'thread'), messageId));
  }
  if (action === 'reactions' && emoji !== undefined && who === '@me') {
    if (!message) return unknownMessage;
    const key = `${channelId}/${messageId}`;
    const set = state.reactions.get(key) ?? new Set<string>();
    state.reactions.set(key, set);
    const name = emoji;
    if (method === 'PUT') set.add(name);
    else if (method === 'DELETE') set.delete(name);
    return noContent;
  }
  return error(404, 0, '404: Not Found');
}

/** `/webhooks/:id/:token[/messages/:mid]`: channel webhooks and interaction follow-ups. */
function webhookWithToken(state: FakeDiscordState, parts: string[], request: Request): Reply {
  const [, id = '', token = '', messages, messageId] = parts;
  const { method } = request;
  if (id === state.applicationId) {
    const interaction = [...state.interactions.values()].find((candidate) => candidate.token === token);
    if (!interaction) return unknownWebhook;
    if (messages === undefined && method === 'POST') {
      const message = interactionMessage(state, interaction.channelId, request.body);
      interaction.followUps.push(message);
      return ok(message);
    }
    if (messages === 'messages' && messageId === '@original') {
      if (method === 'PATCH') {
        const base = interaction.original ?? interactionMessage(state, interaction.channelId, {});
        interaction.original = { ...base, content: String(request.body?.content ?? base.content), edited_timestamp: new Date().toISOString() };
        return ok(interaction.original);
      }
      if (method === 'DELETE') {
        delete interaction.original;
        return noContent;
      }
      if (method === 'GET') return interaction.original ? ok(interaction.original) : unknownMessage;
    }
    return error(404, 0, '404: Not Found');
  }
  const webhook = state.webhooks.get(id);
  if (!webhook || webhook.token !== token) return unknownWebhook;
  const channelId = request.query.thread_id ?? webhook.channelId;
  if (request.query.thread_id !== undefined && state.channels.get(request.query.thread_id)?.type !== 11) return unknownChannel;
  if (messages === undefined && method === 'POST') {
    if (typeof request.body?.content !== 'string' || request.body.content.length === 0) return error(400, 50006, 'Cannot send an empty message');
    if (request.body.content.length > 2000) return error(400, 50035, 'Invalid Form Body: content: Must be 2000 or fewer in length.');
    const message = state.createMessage({
      channelId,
      author: webhookAuthor(webhook, request.body),
      content: request.body.content,
      webhookId: webhook.id,
      applicationId: webhook.applicationId ?? undefined,
    });
    return request.query.wait === 'true' ? ok(message) : noContent;
  }
  if (messages === 'messages' && messageId !== undefined) {
    const message = state.findMessage(channelId, messageId);
    if (!message || message.webhook_id !== webhook.id) return unknownMessage;
    if (method === 'PATCH') return ok(state.editMessage(channelId, messageId, String(request.body?.content ?? message.content)));
    if (method === 'DELETE') return state.deleteMessage(channelId, messageId) ? noContent : unknownMessage;
    if (method === 'GET') return ok(message);
  }
  return error(404, 0, '404: Not Found');
}

/**
 * `GET /channels/:id/messages`: at most `limit` (1–100, default 50) messages, newest first,
 * either the ones right after `after`, right before `before`, or the newest.
 */
function messagePage(history: APIMessage[], query: Record<string, string>): APIMessage[] {
  const limit = Math.max(1, Math.min(100, Number(query.limit ?? 50) || 50));
  const id = (message: APIMessage): bigint => BigInt(message.id);
  const sorted = [...history].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  let page: APIMessage[];
  if (query.after !== undefined) page = sorted.filter((message) => id(message) > BigInt(query.after ?? '0')).slice(0, limit);
  else if (query.before !== undefined) page = sorted.filter((message) => id(message) < BigInt(query.before ?? '0')).slice(-limit);
  else page = sorted.slice(-limit);
  return page.reverse();
}

function webhookAuthor(webhook: FakeWebhook, body: any): APIMessage['author'] {
  const user = makeUser(webhook.id, typeof body?.username === 'string' ? body.username : webhook.name, { bot: true });
  return { ...user, avatar: null };
}

/**
 * Message components as Discord validates them: at most five action rows of at most five
 * buttons; an interactive button has a custom_id of at most 100 characters, a link button a URL.
 */
function componentsOf(value: unknown): APIMessage['components'] | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 5) return 'invalid';
  for (const row of value as Array<{ type?: unknown; components?: unknown }>) {
    if (row.type !== 1 || !Array.isArray(row.components) || row.components.length === 0 || row.components.length > 5) return 'invalid';
    for (const button of row.components as Array<Record<string, unknown>>) {
      if (button.type !== 2) return 'invalid';
      if (button.style === 5 ? typeof button.url !== 'string' : typeof button.custom_id !== 'string' || button.custom_id.length > 100) return 'invalid';
    }
  }
  return value as APIMessage['components'];
}

function interactionCallback(state: FakeDiscordState, id: string, token: string, request: Request): Reply {
  const interaction = state.interactions.get(id);
  if (!interaction || interaction.token !== token) return error(404, 10062, 'Unknown interaction');
  if (interaction.callbacks.length > 0) return error(400, 40060, 'Interaction has already been acknowledged.');
  const body = request.body as { type: number; data?: Record<string, unknown> };
  interaction.callbacks.push(body);
  if (body.type === 4) interaction.original = interactionMessage(state, interaction.channelId, body.data ?? {});
  if (request.query.with_response === 'true') {
    return ok({
      interaction: {
        id,
        type: 2,
        activity_instance_id: null,
        response_message_id: interaction.original?.id ?? null,
        response_message_loading: body.type === 5,
        response_message_ephemeral: false,
      },
      resource: { type: body.type, message: interaction.original },
    });
  }
  return noContent;
}

function interactionMessage(state: FakeDiscordState, channelId: string, data: any): APIMessage {
  return {
    id: snowflake(),
    type: 20,
    channel_id: channelId,
    author: state.botUser,
    content: typeof data?.content === 'string' ? data.content : '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: typeof data?.flags === 'number' ? data.flags : 0,
    webhook_id: state.applicationId,
    application_id: state.applicationId,
  } as APIMessage;
}
