/**
 * Turns a Fluxra HTTP answer into our error family. Status first, then the JSON envelope
 * `{error:{code,message}}`, else the raw body as text: the auth middleware answers some
 * failures in plain text (spec §2.4), and a proxy may answer with HTML.
 */
import { UpstreamError } from '../../core/errors.js';
import { redactSecrets } from '../../core/redact.js';
import { type HttpResponse, truncateForLog } from '../http.js';
import type { FluxraRouteName } from './routes.js';

/** Where a failed call went; carried by every `FluxraApiError`. */
export interface FluxraErrorContext {
  route: FluxraRouteName;
  method: string;
  /** Without query string. */
  url: string;
}

export interface FluxraApiErrorInit extends FluxraErrorContext {
  code: string;
  status: number;
  apiMessage: string;
  retryable: boolean;
  detail?: string;
  cause?: unknown;
}

/**
 * Fluxra answered with an error status (or a 2xx body we cannot use: code `BAD_RESPONSE`).
 * `code` is the envelope's `error.code` when the body had one, otherwise `HTTP_<status>`
 * (so a plain-text 401 from the auth middleware is `HTTP_401`). Branch on `status` first.
 */
export class FluxraApiError extends UpstreamError {
  /** The server's own words (envelope message or body text), redacted and truncated. */
  readonly apiMessage: string;
  /** Which route of the route table failed. */
  readonly route: FluxraRouteName;

  constructor(init: FluxraApiErrorInit) {
    const apiMessage = redactSecrets(init.apiMessage);
    super(init.code, `Fluxra ${init.method} ${init.url} failed: HTTP ${init.status} ${init.code}: ${apiMessage}`, {
      service: 'fluxra',
      status: init.status,
      method: init.method,
      url: init.url,
      retryable: init.retryable,
      detail: init.detail,
      cause: init.cause,
    });
    this.apiMessage = apiMessage;
    this.route = init.route;
  }
}

/** True when the token exchange itself was refused: the API key is wrong, expired or revoked. */
export function isCredentialsRejected(error: unknown): boolean {
  return error instanceof FluxraApiError && error.route === 'token' && (error.status === 401 || error.status === 403);
}

/** `{error:{code,message}}` when the body has that shape. */
export function readErrorEnvelope(body: unknown): { code: string; message: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || code === '') return undefined;
  return { code, message: typeof message === 'string' ? message : undefined };
}

/** Maps a non-2xx, non-429 answer to a `FluxraApiError`. */
export function toFluxraApiError(res: HttpResponse, context: FluxraErrorContext): FluxraApiError {
  const envelope = readErrorEnvelope(res.body);
  const text = truncateForLog(res.text.trim(), 300);
  return new FluxraApiError({
    ...context,
    code: envelope?.code ?? `HTTP_${res.status}`,
    status: res.status,
    apiMessage: envelope?.message !== undefined ? truncateForLog(envelope.message, 300) : text || '(empty body)',
    retryable: res.status >= 500,
    detail: text,
  });
}

/** A 2xx answer lacking something we depend on: a clear error now instead of a crash later. */
export function badResponse(context: FluxraErrorContext, status: number, what: string): FluxraApiError {
  return new FluxraApiError({ ...context, code: 'BAD_RESPONSE', status, apiMessage: `unexpected response: ${what}`, retryable: false });
}
