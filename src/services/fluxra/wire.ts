/**
 * Wire (snake_case JSON) to our camelCase types. Each reader checks only the fields we
 * depend on and ignores the rest, because the docs announce "possible additional response
 * fields". A missing required field is a `BAD_RESPONSE` error here, not a crash later.
 */
import { badResponse, type FluxraErrorContext } from './errors.js';
import type { FluxraApiKey, FluxraBlock, FluxraConversation, FluxraHealth, FluxraMessage, FluxraRegistration, FluxraSentMessage } from './types.js';

type Json = Record<string, unknown>;

/** Context of the answer being read, for the error message. */
export interface ReadContext extends FluxraErrorContext {
  status: number;
}

class Reader {
  constructor(
    private readonly obj: Json,
    private readonly ctx: ReadContext,
    private readonly where: string,
  ) {}

  str(key: string): string {
    const value = this.obj[key];
    if (typeof value !== 'string' || value === '') throw badResponse(this.ctx, this.ctx.status, `${this.where}.${key} is missing or not a string`);
    return value;
  }

  optStr(key: string): string | undefined {
    const value = this.obj[key];
    return typeof value === 'string' ? value : undefined;
  }

  nullableStr(key: string): string | null {
    const value = this.obj[key];
    return typeof value === 'string' && value !== '' ? value : null;
  }

  strArray(key: string): string[] {
    const value = this.obj[key];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  }
}

export function readObject(body: unknown, ctx: ReadContext, where = 'body'): Reader {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badResponse(ctx, ctx.status, `${where} is not a JSON object`);
  return new Reader(body as Json, ctx, where);
}

export function readHealth(body: unknown, ctx: ReadContext): FluxraHealth {
  const r = readObject(body, ctx);
  return { status: r.str('status'), timestamp: r.optStr('timestamp') ?? '', version: r.optStr('version') ?? '' };
}

export function readRegistration(body: unknown, ctx: ReadContext): FluxraRegistration {
  const r = readObject(body, ctx);
  const warning = r.optStr('warning');
  return {
    agentId: r.str('agent_id'),
    agentName: r.str('agent_name'),
    recoveryKey: r.str('recovery_key'),
    createdAt: r.optStr('created_at') ?? '',
    ...(warning === undefined ? {} : { warning }),
  };
}

export function readApiKey(body: unknown, ctx: ReadContext): FluxraApiKey {
  const r = readObject(body, ctx);
  return {
    keyId: r.str('key_id'),
    name: r.optStr('name') ?? '',
    apiKey: r.str('api_key'),
    scopes: r.strArray('scopes'),
    expiresAt: r.nullableStr('expires_at'),
    createdAt: r.optStr('created_at') ?? '',
  };
}

/** The token answer: the JWT plus whatever expiry hints it carries. */
export interface WireToken {
  accessToken: string;
  expiresInSeconds: number | undefined;
  /** Epoch ms, from an `expires_at` field (RFC 3339 or epoch seconds) if present. */
  expiresAtMs: number | undefined;
}

export function readToken(body: unknown, ctx: ReadContext): WireToken {
  const r = readObject(body, ctx);
  const raw = body as Json;
  const expiresIn = typeof raw['expires_in'] === 'number' && raw['expires_in'] > 0 ? raw['expires_in'] : undefined;
  let expiresAtMs: number | undefined;
  const expiresAt = raw['expires_at'];
  if (typeof expiresAt === 'number' && expiresAt > 0) expiresAtMs = expiresAt * 1000;
  else if (typeof expiresAt === 'string' && !Number.isNaN(Date.parse(expiresAt))) expiresAtMs = Date.parse(expiresAt);
  return { accessToken: r.str('access_token'), expiresInSeconds: expiresIn, expiresAtMs };
}

export function readConversation(body: unknown, ctx: ReadContext): FluxraConversation {
  const r = readObject(body, ctx);
  return {
    conversationId: r.str('conversation_id'),
    type: r.optStr('type') ?? 'group',
    name: r.optStr('name') ?? '',
    memberIds: r.strArray('member_ids'),
    createdAt: r.optStr('created_at') ?? '',
  };
}

export function readSentMessage(body: unknown, ctx: ReadContext): FluxraSentMessage {
  const r = readObject(body, ctx);
  return {
    messageId: r.str('message_id'),
    conversationId: r.str('conversation_id'),
    senderId: r.optStr('sender_id') ?? '',
    content: r.optStr('content') ?? '',
    type: r.optStr('type') ?? 'text',
    status: r.optStr('status') ?? 'sent',
    createdAt: r.optStr('created_at') ?? '',
  };
}

export function readMessage(body: unknown, ctx: ReadContext, where = 'message'): FluxraMessage {
  const r = readObject(body, ctx, where);
  const raw = body as Json;
  const senderName = r.optStr('sender_name');
  const deleted = raw['deleted'] === true;
  return {
    messageId: r.str('message_id'),
    conversationId: r.str('conversation_id'),
    senderId: r.str('sender_id'),
    ...(senderName ? { senderName } : {}),
    content: deleted ? '' : (r.optStr('content') ?? ''),
    type: r.optStr('type') ?? 'text',
    inReplyTo: r.nullableStr('in_reply_to'),
    mention: r.strArray('mention'),
    createdAt: r.str('created_at'),
    editedAt: r.nullableStr('edited_at'),
    deleted,
  };
}

export function readBlock(body: unknown, ctx: ReadContext, where = 'block'): FluxraBlock {
  const r = readObject(body, ctx, where);
  return {
    blockId: r.str('block_id'),
    targetType: r.optStr('target_type') ?? 'agent',
    targetId: r.str('target_id'),
    createdAt: r.optStr('created_at') ?? '',
  };
}

/** One page of a list in either pagination shape (A `next_cursor`, B `cursor`). */
export interface WirePage {
  items: unknown[];
  /** Undefined when absent, null or empty. */
  cursor: string | undefined;
  /** The server's `has_more`, and only if it also gave a cursor to continue from. */
  hasMore: boolean;
}

export function readPage(body: unknown, ctx: ReadContext, itemsKey: string): WirePage {
  readObject(body, ctx);
  const raw = body as Json;
  const items = raw[itemsKey];
  if (!Array.isArray(items)) throw badResponse(ctx, ctx.status, `body.${itemsKey} is not an array`);
  const pick = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const cursor = pick(raw['next_cursor']) ?? pick(raw['cursor']);
  return { items, cursor, hasMore: raw['has_more'] === true && cursor !== undefined };
}
