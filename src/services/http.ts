/**
 * The one place where the API clients touch the network. Both the Fluxra and the Blocks
 * clients send through `sendHttp` with an injected undici `Dispatcher` (a real `Agent` in
 * production, the same `Agent` pointed at a loopback fake in tests), so timeouts, body
 * parsing and network-failure classification behave identically for both.
 */
import { type Dispatcher, request } from 'undici';
import { UpstreamError, type UpstreamService } from '../core/errors.js';
import { redactSecrets } from '../core/redact.js';

export interface HttpRequest {
  service: UpstreamService;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** Serialised as JSON with `content-type: application/json` when present. */
  json?: unknown;
  /** Whole-request deadline: connect, headers and body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body as text (error bodies may be plain text even when JSON was promised). */
  text: string;
  /** The parsed body when it is valid JSON, otherwise undefined. */
  body: unknown;
}

/**
 * Network failure codes. `UNREACHABLE` means the request surely never reached the server
 * (connection refused, DNS failure, connect timeout), so even a non-idempotent POST may be
 * sent again. `TIMEOUT` and `CONNECTION_LOST` mean it may have arrived.
 */
export const NetworkErrorCode = {
  Unreachable: 'UNREACHABLE',
  Timeout: 'TIMEOUT',
  ConnectionLost: 'CONNECTION_LOST',
  /** The caller cancelled through its own signal: not an upstream failure. */
  Aborted: 'ABORTED',
} as const;

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR', 'UND_ERR_ABORTED']);

/** Cuts a body down for logs and error details: long bodies (HTML error pages) help nobody. */
export function truncateForLog(text: string, max = 500): string {
  const clean = redactSecrets(text);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The URL without its query string, for error messages. */
export function urlForError(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  if (error instanceof Error && error.name === 'TimeoutError') return 'ABORT_ERR';
  return undefined;
}

export async function sendHttp(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] = 'application/json';
  }
  const timeoutSignal = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeoutSignal]) : timeoutSignal;
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method,
      headers,
      body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const text = await res.body.text();
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.statusCode, headers: res.headers, text, body: parsed };
  } catch (error) {
    const code = errorCodeOf(error);
    const where = `${req.method} ${urlForError(req.url)}`;
    const details = { service: req.service, status: 0, method: req.method, url: urlForError(req.url), cause: error, retryable: true };
    if (req.signal?.aborted && !timeoutSignal.aborted) {
      throw new UpstreamError(NetworkErrorCode.Aborted, `${where} was cancelled by the caller`, { ...details, retryable: false });
    }
    if (code && NOT_SENT_CODES.has(code)) {
      throw new UpstreamError(NetworkErrorCode.Unreachable, `${req.service} is unreachable (${code}) on ${where}`, details);
    }
    if ((code && TIMEOUT_CODES.has(code)) || timeoutSignal.aborted) {
      throw new UpstreamError(NetworkErrorCode.Timeout, `${req.service} did not answer within ${req.timeoutMs} ms on ${where}`, details);
    }
    throw new UpstreamError(NetworkErrorCode.ConnectionLost, `connection to ${req.service} failed (${code ?? 'unknown'}) on ${where}`, details);
  }
}

/**
 * Longest Retry-After we honour, from Blocks and Fluxra alike: one minute (Blocks' documented
 * rate window). A longer wait is never needed to let a window pass, and a buggy or hostile
 * header (86400, a far-future date) must not silence the bridge, on every replica, for a day.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Reads a Retry-After header: delta-seconds ("5", "1.5") or an HTTP date. Returns the wait
 * in milliseconds, or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** First value of a header that may be repeated. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
