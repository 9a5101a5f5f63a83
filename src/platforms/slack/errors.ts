/**
 * Maps what the Slack Web API client throws to our error family, naming the API method and
 * never the token. Slack answers HTTP 200 with `{ok:false, error}` for most failures; only
 * rate limits (429) and outages have telling HTTP statuses.
 */
import { RateLimitedError, UpstreamError } from '../../core/errors.js';

/** Slack error codes that a later attempt may get past. */
const RETRYABLE_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

interface SlackClientError {
  code?: string;
  message?: string;
  data?: { error?: string };
  statusCode?: number;
  retryAfter?: number;
  original?: unknown;
}

/** Web API methods that make something new each time: repeated after a lost answer, they make it twice. */
export const UNREPEATABLE_METHODS: ReadonlySet<string> = new Set(['chat.postMessage']);

/**
 * May the Web API client repeat a failed attempt of an unrepeatable method by itself? Only
 * when Slack surely did nothing: a 429 (the client's plain Error once it waited out
 * Retry-After). A lost answer (connection cut or reset, client timeout) or a 5xx may come
 * after Slack posted; repeating it blindly posts twice and hands back the second copy.
 * Those failures go up to `postOnce`, whose next attempt looks for the post in history.
 */
export function clientMayRepeat(error: unknown): boolean {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /A rate limit was exceeded .*retry-after: \d+/.test(message);
}

/** Wraps a Web API failure of `method` (e.g. `chat.postMessage`) called on `apiUrl`. */
export function toSlackError(error: unknown, method: string, apiUrl: string): UpstreamError {
  const e = (error ?? {}) as SlackClientError;
  const url = `${apiUrl}${method}`;
  const base = { service: 'slack' as const, method: 'POST', url, cause: error };
  if (e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number') {
    return new RateLimitedError(`Slack rate-limited ${method}`, { ...base, status: 429, retryAfterMs: e.retryAfter * 1000, retryAfterFromServer: true });
  }
  // With rejectRateLimitedCalls off, the client waits out Retry-After, then gives up with this plain Error once its retries are spent.
  const rateLimited = /A rate limit was exceeded .*retry-after: (\d+)/.exec(e.message ?? '');
  if (rateLimited) {
    return new RateLimitedError(`Slack rate-limited ${method}`, { ...base, status: 429, retryAfterMs: Number(rateLimited[1]) * 1000, retryAfterFromServer: true });
  }
  if (e.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? 'unknown_error';
    return new UpstreamError('SLACK_API_ERROR', `Slack ${method} failed: ${code}`, { ...base, status: 200, detail: code, retryable: RETRYABLE_PLATFORM_ERRORS.has(code) });
  }
  if (e.code === 'slack_webapi_http_error') {
    const status = e.statusCode ?? 0;
    return new UpstreamError('SLACK_HTTP_ERROR', `Slack ${method} answered HTTP ${status}`, { ...base, status, retryable: status >= 500 });
  }
  return new UpstreamError('SLACK_UNREACHABLE', `Slack ${method} could not be reached: ${e.message ?? String(error)}`, { ...base, status: 0, retryable: true });
}

/** The Slack error code (`message_not_found`, `already_reacted`, …) of a wrapped platform error. */
export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof UpstreamError && error.code === 'SLACK_API_ERROR' ? error.detail : undefined;
}
