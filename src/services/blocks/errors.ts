/**
 * Maps Blocks HTTP answers to our error family (spec §7). One function decides, so the
 * client's retry loop and the engines agree on what a status means.
 */
import { RateLimitedError, UpstreamError } from '../../core/errors.js';
import { type HttpResponse, NetworkErrorCode, truncateForLog, urlForError } from '../http.js';

export const BlocksErrorCode = {
  /** 400 / 422: the request was refused as invalid (bad agent, bad query, non-UUID id, …). */
  Validation: 'VALIDATION',
  /** 401 / 403: the API key is missing, wrong, expired or for another environment. */
  Auth: 'AUTH',
  /** 404: session / thread / artifact missing or in another workspace. */
  NotFound: 'NOT_FOUND',
  /** 5xx. */
  Server: 'SERVER',
  /** Any other 4xx (405, 409, …): fatal, as the official Action treats them. */
  Rejected: 'REJECTED',
  /** A 2xx whose body is not the documented shape. */
  BadResponse: 'BAD_RESPONSE',
  /** A `_links` href (or a stored URL) that is not a Blocks messages/session path: refused, never fetched. */
  BadLink: 'BAD_LINK',
} as const;

export type BlocksErrorCodeValue = (typeof BlocksErrorCode)[keyof typeof BlocksErrorCode];

export interface BlocksApiErrorDetails {
  status: number;
  method: string;
  /** Full URL; only origin + path are kept. */
  url: URL | string;
  /** The API's own explanation (`error`, `error.message`, `message`, or the start of the body). Redacted. */
  reason?: string;
  /** The API's symbolic code when it sent one (`VALIDATION`, `BAD_REQUEST`, …). */
  apiCode?: string;
  /** The request may have been processed although we got no success (POST + 5xx): reconcile, do not resend. */
  maybeProcessed?: boolean;
  retryable?: boolean;
  detail?: string;
  cause?: unknown;
}

/** An error answer from Blocks (or a response/link we refuse to use). */
export class BlocksApiError extends UpstreamError {
  declare readonly code: BlocksErrorCodeValue;
  readonly reason: string | undefined;
  readonly apiCode: string | undefined;
  readonly maybeProcessed: boolean;

  constructor(code: BlocksErrorCodeValue, message: string, details: BlocksApiErrorDetails) {
    const url = typeof details.url === 'string' ? safeUrlForError(details.url) : urlForError(details.url);
    super(code, message, {
      service: 'blocks',
      status: details.status,
      method: details.method,
      url,
      detail: details.detail,
      retryable: details.retryable ?? false,
      cause: details.cause,
    });
    this.reason = details.reason === undefined ? undefined : truncateForLog(details.reason);
    this.apiCode = details.apiCode;
    this.maybeProcessed = details.maybeProcessed ?? false;
  }
}

function safeUrlForError(url: string): string {
  try {
    return urlForError(new URL(url));
  } catch {
    return truncateForLog(url, 200);
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The API's explanation, read defensively (spec §4.5): `error` as a string, or
 * `error.message`, or `message`, else the first 500 characters of a non-JSON body.
 */
export function extractBlocksReason(response: Pick<HttpResponse, 'body' | 'text'>): { reason?: string; apiCode?: string } {
  const body = asRecord(response.body);
  if (body) {
    const nested = asRecord(body.error);
    const apiCode = typeof body.code === 'string' ? body.code : typeof nested?.code === 'string' ? nested.code : undefined;
    let reason: string | undefined;
    if (typeof body.error === 'string') reason = body.error;
    else if (typeof nested?.message === 'string') reason = nested.message;
    else if (typeof body.message === 'string') reason = body.message;
    else if (typeof body.detail === 'string') reason = body.detail;
    return { reason, apiCode };
  }
  const text = response.text.trim();
  return text === '' ? {} : { reason: text.slice(0, 500) };
}

/** True for failures after which a POST may nevertheless have been processed by Blocks. */
export function mayHaveBeenProcessed(error: unknown): boolean {
  if (error instanceof BlocksApiError) return error.maybeProcessed;
  if (error instanceof UpstreamError && error.service === 'blocks' && error.method === 'POST') {
    return error.code === NetworkErrorCode.Timeout || error.code === NetworkErrorCode.ConnectionLost;
  }
  return false;
}

export interface MapErrorContext {
  method: string;
  url: URL;
  /** For 429: the wait to advertise (Retry-After or our backoff) and where it came from. */
  retryAfterMs?: number;
  retryAfterFromServer?: boolean;
}

/** Turns a non-2xx response into the matching error. */
export function mapBlocksError(response: HttpResponse, ctx: MapErrorContext): BlocksApiError | RateLimitedError {
  const { status } = response;
  const where = `${ctx.method} ${urlForError(ctx.url)}`;
  const { reason, apiCode } = extractBlocksReason(response);
  const detail = truncateForLog(response.text);
  const base = { status, method: ctx.method, url: ctx.url, reason, apiCode, detail };
  const because = reason ? `: ${reason}` : '';

  if (status === 429) {
    const retryAfterMs = ctx.retryAfterMs ?? 0;
    return new RateLimitedError(`Blocks rate limit hit on ${where}; retry in ${retryAfterMs} ms`, {
      service: 'blocks',
      status,
      method: ctx.method,
      url: urlForError(ctx.url),
      detail,
      retryAfterMs,
      retryAfterFromServer: ctx.retryAfterFromServer ?? false,
    });
  }
  if (status === 400 || status === 422) {
    return new BlocksApiError(BlocksErrorCode.Validation, `Blocks refused ${where} (${status}${apiCode ? ` ${apiCode}` : ''})${because}`, base);
  }
  if (status === 401 || status === 403) {
    return new BlocksApiError(BlocksErrorCode.Auth, `Blocks rejected the API key (${status}) on ${where}: check that the key is valid, unexpired and for this environment`, base);
  }
  if (status === 404) {
    return new BlocksApiError(BlocksErrorCode.NotFound, `Blocks found nothing at ${where} (404; missing, or in another workspace)${because}`, base);
  }
  if (status >= 500) {
    const isPost = ctx.method === 'POST';
    return new BlocksApiError(BlocksErrorCode.Server, `Blocks failed on ${where} (${status})${because}`, {
      ...base,
      retryable: !isPost,
      maybeProcessed: isPost,
    });
  }
  return new BlocksApiError(BlocksErrorCode.Rejected, `Blocks answered ${status} on ${where}${because}`, base);
}
