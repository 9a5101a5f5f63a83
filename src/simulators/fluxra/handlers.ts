/**
 * One handler per route of the fake Fluxra: authentication (with the documented plain-text
 * middleware failures), body checks, then the state rules, then the wire shape
 * (snake_case; shape A pagination for blocks, shape B for messages).
 */
import { randomBytes } from 'node:crypto';
import type { FluxraRouteName } from '../../services/fluxra/routes.js';
import { type FakeAgent, type FakeApiKey, type FakeBlock, FakeFluxraRefusal, type FakeFluxraState, type FakeMessage, type SendInput } from './state.js';

/** Settings a test (or the sandbox) may change while the fake runs. */
export interface FakeFluxraSettings {
  /** Lifetime of issued JWTs. */
  tokenLifetimeSeconds: number;
  /** `expires_in`: the token answer carries it (§10.4); `jwt-exp`: only the JWT's `exp` claim tells. */
  tokenExpiryHint: 'expires_in' | 'jwt-exp';
  /** Default page size of `GET /api/blocks` when the client sends no `limit`. */
  blocksPageSize: number;
  /** How the last page of blocks says "no cursor". */
  blocksLastPageCursor: 'null' | 'absent' | 'empty';
  /** Default page size of the message list. */
  messagesPageSize: number;
  version: string;
}

/** An auth middleware failure: answered in plain text, not JSON (spec §2.4). */
export class FakeAuthFailure extends Error {}

export interface HandlerContext {
  route: FluxraRouteName;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  authorization: string | undefined;
}

export interface HandlerResult {
  status: number;
  json?: unknown;
}

type Handler = (ctx: HandlerContext) => HandlerResult;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function encodeCursor(prefix: string, seq: number): string {
  return Buffer.from(`${prefix}:${seq}`).toString('base64url');
}

function decodeCursor(prefix: string, cursor: string): number {
  const match = /^([a-z]+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || match[1] !== prefix) throw new FakeFluxraRefusal(400, 'INVALID_REQUEST', 'invalid cursor');
  return Number(match[2]);
}

function parseLimit(query: URLSearchParams, fallback: number): number {
  const raw = query.get('limit');
  if (raw === null) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new FakeFluxraRefusal(400, 'INVALID_REQUEST', 'limit must be an integer from 1 to 100');
  return limit;
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FakeFluxraRefusal(400, 'INVALID_REQUEST', 'a JSON object body is required');
  return body as Record<string, unknown>;
}

function basic(ctx: HandlerContext): { user: string; secret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(ctx.authorization ?? '');
  if (!match) throw new FakeAuthFailure('Unauthorized: Basic credentials required');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new FakeAuthFailure('Unauthorized: malformed Basic credentials');
  return { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function wireMessage(state: FakeFluxraState, m: FakeMessage): Record<string, unknown> {
  const sender = state.agents.get(m.senderId);
  return {
    message_id: m.messageId,
    conversation_id: m.conversationId,
    sender_id: m.senderId,
    ...(sender ? { sender_name: sender.agentName } : {}),
    content: m.deleted ? '' : m.content,
    type: m.type,
    in_reply_to: m.inReplyTo,
    mention: m.mention,
    created_at: m.createdAt,
    edited_at: m.editedAt,
    deleted: m.deleted,
  };
}

const wireBlock = (b: FakeBlock) => ({ block_id: b.blockId, target_type: b.targetType, target_id: b.targetId, created_at: b.createdAt });

/** A signed-looking HS256 JWT for the agent, remembered in `state.tokens`. */
function issueToken(state: FakeFluxraState, lifetimeSeconds: number, now: () => number, agentId: string): { token: string; expiresIn: number } {
  const iat = Math.floor(now() / 1000);
  const expiresIn = lifetimeSeconds;
  const token = [
    base64url({ alg: 'HS256', typ: 'JWT' }),
    base64url({ sub: agentId, iat, exp: iat + expiresIn, jti: randomBytes(8).toString('hex') }),
    randomBytes(32).toString('base64url'),
  ].join('.');
  state.tokens.set(token, { agentId, expiresAt: now() + expiresIn * 1000, revoked: false });
  return { token, expiresIn };
}

/** The Bearer middleware: unknown, revoked or expired tokens get a plain-text 401. */
function bearer(state: FakeFluxraState, now: () => number, ctx: HandlerContext): string {
  const match = /^Bearer\s+(\S+)$/.exec(ctx.authorization ?? '');
  if (!match) throw new FakeAuthFailure('Unauthorized: Bearer token required');
  const token = state.tokens.get(match[1]!);
  if (!token || token.revoked) throw new FakeAuthFailure('Unauthorized: invalid token');
  if (token.expiresAt <= now()) throw new FakeAuthFailure('Unauthorized: token expired');
  return token.agentId;
}

/** Basic auth with an agent's recovery key, for that same agent only. */
function requireRecoveryCredentials(state: FakeFluxraState, ctx: HandlerContext, agentId: string): void {
  const { user, secret } = basic(ctx);
  const agent = state.agents.get(user);
  if (!agent || agent.recoveryKey !== secret) throw new FakeAuthFailure('Unauthorized: invalid recovery credentials');
  if (user !== agentId) throw new FakeFluxraRefusal(403, 'FORBIDDEN', 'agent_id does not match the credentials');
}

function wireRegistered(agent: FakeAgent): Record<string, unknown> {
  return {
    agent_id: agent.agentId,
    agent_name: agent.agentName,
    recovery_key: agent.recoveryKey,
    created_at: agent.createdAt,
    warning: 'Save recovery_key securely. It will NOT be shown again.',
  };
}

function wireNewApiKey(key: FakeApiKey): Record<string, unknown> {
  return {
    key_id: key.keyId,
    name: key.name,
    api_key: key.apiKey,
    scopes: key.scopes,
    expires_at: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
    created_at: key.createdAt,
  };
}

function sendInput(body: Record<string, unknown>): SendInput {
  return {
    conversationId: body['conversation_id'] as string | undefined,
    recipientAgentId: body['recipient_agent_id'] as string | undefined,
    content: body['content'] as string,
    type: body['type'] as string | undefined,
    inReplyTo: body['in_reply_to'] as string | undefined,
    mention: body['mention'] as string[] | undefined,
  };
}

function wireSent(m: FakeMessage): Record<string, unknown> {
  return {
    message_id: m.messageId,
    conversation_id: m.conversationId,
    sender_id: m.senderId,
    content: m.content,
    type: m.type,
    status: 'sent',
    in_reply_to: m.inReplyTo,
    mention: m.mention,
    created_at: m.createdAt,
  };
}

/** Shape A pagination: `next_cursor` only while `has_more`; the last page's cursor as configured. */
function blocksPage(blocks: FakeBlock[], query: URLSearchParams, settings: FakeFluxraSettings): Record<string, unknown> {
  const limit = parseLimit(query, settings.blocksPageSize);
  const cursor = query.get('cursor');
  const after = cursor === null || cursor === '' ? 0 : decodeCursor('b', cursor);
  const remaining = blocks.filter((b) => b.seq > after);
  const page = remaining.slice(0, limit);
  const hasMore = remaining.length > limit;
  const json: Record<string, unknown> = { blocks: page.map(wireBlock), has_more: hasMore };
  if (hasMore) json['next_cursor'] = encodeCursor('b', page.at(-1)!.seq);
  else if (settings.blocksLastPageCursor === 'null') json['next_cursor'] = null;
  else if (settings.blocksLastPageCursor === 'empty') json['next_cursor'] = '';
  return json;
}

export function createHandlers(state: FakeFluxraState, settings: FakeFluxraSettings, now: () => number): Record<FluxraRouteName, Handler> {
  const authenticate = (ctx: HandlerContext): string => bearer(state, now, ctx);

  return {
    health: () => ({ status: 200, json: { status: 'healthy', timestamp: state.timestamp(), version: settings.version } }),

    register: (ctx) => {
      const body = object(ctx.body);
      const agent = state.registerAgent({ agentName: body['agent_name'], email: body['email'], metadata: body['metadata'] });
      return { status: 201, json: wireRegistered(agent) };
    },

    createApiKey: (ctx) => {
      const agentId = ctx.params['agent_id'] ?? '';
      if (!/^agt_[A-Za-z0-9]+$/.test(agentId)) throw new FakeFluxraRefusal(400, 'INVALID_AGENT_ID', 'invalid agent id');
      requireRecoveryCredentials(state, ctx, agentId);
      const body = object(ctx.body);
      const key = state.createApiKey(agentId, { name: body['name'], scopes: body['scopes'], expiresInDays: body['expires_in_days'] });
      return { status: 201, json: wireNewApiKey(key) };
    },

    listApiKeys: (ctx) => {
      const agentId = ctx.params['agent_id'] ?? '';
      requireRecoveryCredentials(state, ctx, agentId);
      const keys = [...state.apiKeys.values()].filter((k) => k.agentId === agentId);
      return { status: 200, json: { keys: keys.map((k) => ({ key_id: k.keyId, name: k.name, scopes: k.scopes, created_at: k.createdAt })) } };
    },

    token: (ctx) => {
      const { user, secret } = basic(ctx);
      const key = state.apiKeys.get(secret);
      if (!key || key.agentId !== user) throw new FakeAuthFailure('Unauthorized: invalid API key');
      if (key.expiresAt !== null && key.expiresAt <= now()) throw new FakeAuthFailure('Unauthorized: API key expired');
      const body = object(ctx.body);
      if (body['grant_type'] !== 'client_credentials') throw new FakeFluxraRefusal(400, 'INVALID_REQUEST', 'grant_type must be client_credentials');
      const { token, expiresIn } = issueToken(state, settings.tokenLifetimeSeconds, now, user);
      const json: Record<string, unknown> = { access_token: token, token_type: 'Bearer' };
      if (settings.tokenExpiryHint === 'expires_in') json['expires_in'] = expiresIn;
      return { status: 200, json };
    },

    createConversation: (ctx) => {
      const agentId = authenticate(ctx);
      const body = object(ctx.body);
      const c = state.createConversation(agentId, { name: body['name'], type: body['type'], memberIds: body['member_ids'] });
      return { status: 201, json: { conversation_id: c.conversationId, type: c.type, name: c.name, member_ids: c.memberIds, created_at: c.createdAt } };
    },

    sendMessage: (ctx) => {
      const agentId = authenticate(ctx);
      const body = object(ctx.body);
      return { status: 201, json: wireSent(state.send(agentId, sendInput(body))) };
    },

    listMessages: (ctx) => {
      const agentId = authenticate(ctx);
      const limit = parseLimit(ctx.query, settings.messagesPageSize);
      const cursor = ctx.query.get('cursor');
      const after = cursor === null || cursor === '' ? undefined : decodeCursor('m', cursor);
      const page = state.listMessages(agentId, ctx.params['conversation_id'] ?? '', limit, after);
      return {
        status: 200,
        json: { messages: page.messages.map((m) => wireMessage(state, m)), cursor: encodeCursor('m', page.lastSeq), has_more: page.hasMore },
      };
    },

    editMessage: (ctx) => {
      const agentId = authenticate(ctx);
      const body = object(ctx.body);
      const m = state.editMessage(agentId, ctx.params['message_id'] ?? '', body['content']);
      return { status: 200, json: wireMessage(state, m) };
    },

    deleteMessage: (ctx) => {
      const agentId = authenticate(ctx);
      state.deleteMessage(agentId, ctx.params['message_id'] ?? '');
      return { status: 200, json: { status: 'deleted' } };
    },

    createBlock: (ctx) => {
      const agentId = authenticate(ctx);
      const body = object(ctx.body);
      const block = state.createBlock(agentId, { type: body['type'], targetId: body['target_id'] });
      return { status: 201, json: wireBlock(block) };
    },

    listBlocks: (ctx) => {
      const agentId = authenticate(ctx);
      return { status: 200, json: blocksPage(state.listBlocks(agentId), ctx.query, settings) };
    },

    deleteBlock: (ctx) => {
      const agentId = authenticate(ctx);
      state.deleteBlock(agentId, ctx.params['block_id'] ?? '');
      return { status: 200, json: { status: 'deleted' } };
    },
  };
}
