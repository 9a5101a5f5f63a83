/**
 * `_links` handling (spec §4.3). Blocks builds link hosts from its own environment, so a
 * link may name another origin (e.g. https://api.prod.blocks.team) than the one we call.
 * We never follow a link as given: we keep its path and query, put them on the configured
 * origin, and accept only the few API paths the bridge has a reason to GET. That way the
 * API key can never travel to a host we were not configured for.
 */
import { BlocksApiError, BlocksErrorCode } from './errors.js';

const UUID_SOURCE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
export const UUID_PATTERN = new RegExp(`^${UUID_SOURCE}$`);

/** `/rest/v1/sessions/<uuid>(/threads/<uuid>)?/messages` */
const MESSAGES_PATH = new RegExp(`^/rest/v1/sessions/(${UUID_SOURCE})(?:/threads/(${UUID_SOURCE}))?/messages$`);
/** `/rest/v1/sessions/<uuid>` (a session's self link) */
const SESSION_PATH = new RegExp(`^/rest/v1/sessions/(${UUID_SOURCE})$`);

/** Which links a caller is ready to use. */
export type BlocksLinkKind = 'messages' | 'session';

export interface RebasedLink {
  url: URL;
  kind: BlocksLinkKind;
  sessionId: string;
  threadId?: string;
}

export interface RebaseOptions {
  /** Kinds accepted (default: messages only, the only links the bridge polls). */
  allow?: readonly BlocksLinkKind[];
  /** Refuse the link unless it belongs to this session. */
  sessionId?: string;
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

function refuse(href: string, why: string): BlocksApiError {
  // The href came from the wire: BlocksApiError redacts it and keeps only origin + path.
  return new BlocksApiError(BlocksErrorCode.BadLink, `Refusing Blocks link ${describeHref(href)}: ${why}`, { status: 0, method: 'GET', url: href });
}

function describeHref(href: string): string {
  try {
    const url = new URL(href);
    return `${url.origin}${url.pathname}`.slice(0, 200);
  } catch {
    return JSON.stringify(href.slice(0, 200));
  }
}

/** The configured base URL without a trailing slash; a path prefix (a proxy mount) is kept. */
function basePath(base: URL): string {
  return base.pathname.replace(/\/+$/, '');
}

/**
 * Rebases a Blocks `_links` href (or a URL we stored earlier) onto `baseUrl`: keeps path and
 * query, swaps the origin, and checks the path BEFORE anything uses it. Throws a
 * `BlocksApiError` with code `BAD_LINK` for anything that is not an accepted API path.
 */
export function rebaseBlocksLink(href: string, baseUrl: string | URL, options: RebaseOptions = {}): RebasedLink {
  const base = typeof baseUrl === 'string' ? new URL(baseUrl) : baseUrl;
  if (typeof href !== 'string' || href.trim() === '') throw refuse(String(href), 'empty link');
  let parsed: URL;
  try {
    // Relative hrefs are resolved against the configured origin; absolute ones keep their path only.
    parsed = new URL(href, base.origin);
  } catch {
    throw refuse(href, 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse(href, `unsupported scheme ${parsed.protocol}`);

  // A stored URL that already carries our prefix is accepted as is (rebasing is idempotent).
  const prefix = basePath(base);
  let path = parsed.pathname;
  if (prefix !== '' && parsed.origin === base.origin && path.startsWith(`${prefix}/`)) path = path.slice(prefix.length);

  const allow = options.allow ?? ['messages'];
  let match: RebasedLink | undefined;
  const messages = MESSAGES_PATH.exec(path);
  if (messages && allow.includes('messages')) {
    match = { url: parsed, kind: 'messages', sessionId: messages[1]!, ...(messages[2] ? { threadId: messages[2] } : {}) };
  }
  const session = SESSION_PATH.exec(path);
  if (!match && session && allow.includes('session')) match = { url: parsed, kind: 'session', sessionId: session[1]! };
  if (!match) throw refuse(href, `path is not a Blocks ${allow.join(' or ')} path`);
  if (options.sessionId !== undefined && match.sessionId.toLowerCase() !== options.sessionId.toLowerCase()) {
    throw refuse(href, 'link belongs to another session');
  }

  const rebased = new URL(`${prefix}${path}${parsed.search}`, base.origin);
  return { ...match, url: rebased };
}

/**
 * The `gts` value of a `new_messages` href, as the exact string the server wrote.
 * Only the query is read: the link itself is never followed.
 */
export function extractGts(href: unknown): string | undefined {
  if (typeof href !== 'string') return undefined;
  try {
    const value = new URL(href, 'http://placeholder.invalid').searchParams.get('gts');
    return value === null || value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/** The cursor format Blocks uses: epoch seconds, possibly fractional. */
export const GTS_PATTERN = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Session-level messages URL on the configured origin. */
export function sessionMessagesUrl(baseUrl: URL, sessionId: string, threadId?: string): URL {
  const prefix = basePath(baseUrl);
  const path = threadId
    ? `/rest/v1/sessions/${encodeURIComponent(sessionId)}/threads/${encodeURIComponent(threadId)}/messages`
    : `/rest/v1/sessions/${encodeURIComponent(sessionId)}/messages`;
  return new URL(`${prefix}${path}`, baseUrl.origin);
}

/** Any API path under the configured base. */
export function apiUrl(baseUrl: URL, path: string): URL {
  return new URL(`${basePath(baseUrl)}${path}`, baseUrl.origin);
}

/**
 * The completion URL to poll when Blocks sent no usable `final_message` link (spec §5.1,
 * "session created but no thread committed"): the session-level list filtered to the
 * turn's final message.
 */
export function fallbackFinalMessageUrl(baseUrl: URL, sessionId: string, threadId: string | null, answersAfterGts?: string): URL {
  const url = sessionMessagesUrl(baseUrl, sessionId);
  url.searchParams.append('type', 'final_message');
  url.searchParams.append('role', 'assistant');
  if (threadId) url.searchParams.append('thread_id', threadId);
  // Without a thread every turn's answer matches: only those after the cursor are this turn's.
  if (answersAfterGts !== undefined) url.searchParams.append('gts', answersAfterGts);
  return url;
}

/**
 * The `gts` cursor for a follow-up that came back without a thread: the follow-up's own
 * creation time as Blocks wrote it (`ts`, else `created_at`), else `sentAtMs` (our clock,
 * read before the POST), so that an answer written before the follow-up is never taken
 * for its answer.
 */
export function followUpCursor(message: { ts: number | null; createdAt: string | null }, sentAtMs: number): string {
  if (message.ts !== null) return String(message.ts);
  const created = message.createdAt ? Date.parse(message.createdAt) : Number.NaN;
  return String((Number.isNaN(created) ? sentAtMs : created) / 1000);
}
