/**
 * Wire JSON → public types. Parsing is lenient where the spec lists conflicts or
 * unspecified fields (pull request shape, ts as number or null, extra keys) and strict only
 * where the bridge cannot work without a value (ids).
 */

import type { Logger } from '../../core/logger.js';
import { BlocksApiError, BlocksErrorCode } from './errors.js';
import { type BlocksLinkKind, extractGts, rebaseBlocksLink } from './links.js';
import type { BlocksArtifact, BlocksMessage, BlocksMessagePage, BlocksPageMeta, BlocksPullRequest, BlocksSession, BlocksSessionLinks } from './types.js';

export type WireObject = Record<string, unknown>;

export function asObject(value: unknown): WireObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as WireObject) : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function strArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export interface NormalizeContext {
  baseUrl: URL;
  method: string;
  url: URL;
  logger: Logger;
}

export function badResponse(ctx: NormalizeContext, why: string): BlocksApiError {
  return new BlocksApiError(BlocksErrorCode.BadResponse, `Blocks sent an unexpected response to ${ctx.method} ${ctx.url.origin}${ctx.url.pathname}: ${why}`, {
    status: 200,
    method: ctx.method,
    url: ctx.url,
  });
}

export function requireObject(body: unknown, ctx: NormalizeContext): WireObject {
  const object = asObject(body);
  if (!object) throw badResponse(ctx, 'body is not a JSON object');
  return object;
}

function requireId(object: WireObject, key: string, ctx: NormalizeContext): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '') throw badResponse(ctx, `missing "${key}"`);
  return value;
}

const URL_LIKE = /^https?:\/\//i;

/** One pull request entry: a string (URL or id) or `{ url, status }` (spec §6.1 CONFLICT). */
export function normalizePullRequest(entry: unknown): BlocksPullRequest | undefined {
  if (typeof entry === 'string') {
    const label = entry.trim();
    if (label === '') return undefined;
    return URL_LIKE.test(label) ? { url: label, label } : { label };
  }
  const object = asObject(entry);
  if (!object) return undefined;
  const url = str(object.url) ?? str(object.html_url);
  const status = str(object.status) ?? str(object.state);
  const title = str(object.title);
  const id = object.id === undefined || object.id === null ? null : String(object.id);
  const label = url ?? title ?? id;
  if (!label) return undefined;
  return {
    ...(url && URL_LIKE.test(url) ? { url } : {}),
    label,
    ...(status ? { status } : {}),
  };
}

/**
 * Reads one `_links` entry. A link that fails the origin/path check is dropped with a
 * warning rather than failing the whole call: the resource it came with is still valid.
 */
function readLink(links: WireObject | undefined, name: string, allow: readonly BlocksLinkKind[], sessionId: string, ctx: NormalizeContext): string | undefined {
  const entry = asObject(links?.[name]);
  const href = entry?.href;
  if (typeof href !== 'string') return undefined;
  try {
    return rebaseBlocksLink(href, ctx.baseUrl, { allow, sessionId }).url.toString();
  } catch (error) {
    ctx.logger.warn({ link: name, sessionId, err: error }, 'ignoring a Blocks link that failed the origin/path check');
    return undefined;
  }
}

export function normalizeSession(body: unknown, ctx: NormalizeContext): BlocksSession {
  const object = requireObject(body, ctx);
  const id = requireId(object, 'id', ctx);
  const rawLinks = asObject(object._links);
  const links: BlocksSessionLinks = {};
  const self = readLink(rawLinks, 'self', ['session'], id, ctx);
  const messages = readLink(rawLinks, 'messages', ['messages'], id, ctx);
  const thread = readLink(rawLinks, 'thread', ['messages'], id, ctx);
  const finalMessage = readLink(rawLinks, 'final_message', ['messages'], id, ctx);
  if (self) links.self = self;
  if (messages) links.messages = messages;
  if (thread) links.thread = thread;
  if (finalMessage) links.finalMessage = finalMessage;
  const pullRequests = Array.isArray(object.pull_requests) ? object.pull_requests.map(normalizePullRequest).filter((pr): pr is BlocksPullRequest => pr !== undefined) : [];
  return {
    id,
    title: str(object.title),
    pullRequests,
    sourceUrl: str(object.source_url),
    isArchived: object.is_archived === true,
    isPrivate: object.is_private === true,
    createdAt: str(object.created_at),
    updatedAt: str(object.updated_at),
    threadId: str(object.thread_id),
    sessionHtmlUrl: str(object.session_html_url),
    planArtifactIds: strArray(object.plan_artifact_ids),
    sessionGroupId: str(object.session_group_id),
    links,
  };
}

export function normalizeMessage(entry: unknown, ctx: NormalizeContext): BlocksMessage {
  const object = asObject(entry);
  if (!object) throw badResponse(ctx, 'a message item is not an object');
  return {
    id: requireId(object, 'id', ctx),
    chatId: str(object.chat_id),
    chatThreadId: str(object.chat_thread_id),
    taskId: str(object.task_id),
    role: str(object.role) ?? 'assistant',
    type: str(object.type) ?? 'message',
    message: typeof object.message === 'string' ? object.message : object.message == null ? '' : JSON.stringify(object.message),
    ts: num(object.ts),
    createdAt: str(object.created_at),
    updatedAt: str(object.updated_at),
  };
}

export function normalizeMessagePage(body: unknown, ctx: NormalizeContext): BlocksMessagePage {
  const object = requireObject(body, ctx);
  if (!Array.isArray(object.items)) throw badResponse(ctx, 'missing "items" array');
  const items = object.items.map((item) => normalizeMessage(item, ctx));
  const meta = asObject(object.meta);
  const normalizedMeta: BlocksPageMeta = {
    total: num(meta?.total) ?? items.length,
    page: num(meta?.page) ?? 1,
    limit: num(meta?.limit) ?? items.length,
    totalPages: num(meta?.total_pages) ?? (items.length > 0 ? 1 : 0),
  };
  const gts = extractGts(asObject(asObject(object._links)?.new_messages)?.href);
  return { items, meta: normalizedMeta, ...(gts !== undefined ? { newMessagesGts: gts } : {}) };
}

export function normalizeArtifact(body: unknown, ctx: NormalizeContext): BlocksArtifact {
  const object = requireObject(body, ctx);
  return {
    id: requireId(object, 'id', ctx),
    url: str(object.url),
    fileName: str(object.file_name),
    filePath: str(object.file_path),
    fileSizeInKb: num(object.file_size_in_kb),
    mimeType: str(object.mime_type),
    kind: str(object.kind),
    planId: str(object.plan_id),
    createdAt: str(object.created_at),
  };
}

/** Sort key for "newest": `ts`, else `created_at`, else nothing. */
export function messageTime(message: BlocksMessage): number {
  if (message.ts !== null) return message.ts;
  if (message.createdAt) {
    const ms = Date.parse(message.createdAt);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  return Number.NEGATIVE_INFINITY;
}
