/**
 * What a person is told when an upstream API failed in a way that does not depend on the
 * command: rate limits, the network, our credentials, server errors. Handlers answer the
 * route-specific codes (409 on create, 404 on delete, 400 codes) themselves and let the
 * rest reach the router, which asks here.
 */
import { RateLimitedError, UpstreamError, type UpstreamService } from '../core/errors.js';

const SERVICE_NAME: Readonly<Record<UpstreamService, string>> = {
  fluxra: 'Fluxra',
  blocks: 'Blocks',
  slack: 'Slack',
  discord: 'Discord',
  redis: 'The bridge’s Redis',
  store: 'The bridge’s store',
};

/** The network codes of `src/services/http.ts`: no usable answer arrived. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['UNREACHABLE', 'TIMEOUT', 'CONNECTION_LOST']);

/** Whole seconds to wait, never 0 (a person cannot act on "try again in 0 s"). */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/**
 * A short answer for an `UpstreamError` whose meaning is the same for every command, or
 * undefined when the error is not one of those (the router then answers generically).
 */
export function answerForUpstreamError(error: unknown): string | undefined {
  if (!(error instanceof UpstreamError)) return undefined;
  const service = SERVICE_NAME[error.service];
  if (error instanceof RateLimitedError) {
    return `${service} is asking the bridge to slow down; try again in ${retryAfterSeconds(error.retryAfterMs)} s.`;
  }
  if (error.status === 429) return `${service} is asking the bridge to slow down; try again in a minute.`;
  if (error.status === 0 || NETWORK_CODES.has(error.code)) {
    return `${service} is not answering; try again in a minute.`;
  }
  if (error.status === 401 || error.status === 403) {
    return `The bridge's ${service} credentials are not accepted: tell an admin.`;
  }
  if (error.status >= 500) {
    return `${service} had a problem (HTTP ${error.status}); try again in a minute.`;
  }
  return undefined;
}
