/**
 * One Blocks HTTP call with its retry policy (spec §7, §10.6). Every attempt, retries
 * included, goes through the rate budget, because the server counts every request that
 * arrives. The policy per failure:
 *
 * - 429: tell the budget to pause the whole key (Retry-After capped at one window, or our
 *   own doubling backoff), then try again through the budget: the request was refused, so
 *   resending is safe, even for a POST.
 * - 5xx: GET is resent after a jittered backoff; a create at most `maxCreateResends` times
 *   (§10.6); a follow-up never, because a resent follow-up would interrupt the first one.
 * - network: UNREACHABLE never reached the server and is resent for every method; a lost
 *   connection is resent for GET, and for a create at most `maxCreateResends` times; a
 *   timeout for GET only: a request that got no answer in time has most likely arrived and
 *   is being worked on, and a create resent then starts a second session (the fault
 *   matrix's "timeout after arrival" cell). The person is told it may have started instead.
 * - anything else: thrown at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { UpstreamError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RateBudget, RequestPriority } from '../../ratelimit/types.js';
import { type HttpResponse, headerValue, MAX_RETRY_AFTER_MS, NetworkErrorCode, parseRetryAfter, sendHttp } from '../http.js';
import { BlocksApiError, mapBlocksError } from './errors.js';

/** Longest Retry-After we honour: one full rate window (see http.ts). */
export { MAX_RETRY_AFTER_MS } from '../http.js';

/** Header carrying the request's budget priority, when `sendPriorityHeader` is on (benchmarks read it in the fake). */
export const PRIORITY_HEADER = 'x-bridge-priority';

export interface TransportConfig {
  apiKey: string;
  dispatcher: Dispatcher;
  budget: RateBudget;
  requestTimeoutMs: number;
  maxRetries: number;
  maxCreateResends: number;
  backoffMs: number;
  maxBackoffMs: number;
  sendPriorityHeader: boolean;
  logger: Logger;
  random: () => number;
}

/** How a call may be resent when it failed after possibly reaching the server. */
export type ResendPolicy = 'idempotent' | 'create' | 'never';

export interface BlocksCall {
  method: 'GET' | 'POST';
  url: URL;
  json?: unknown;
  priority: RequestPriority;
  label: string;
  resend: ResendPolicy;
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Awaited after the slot is granted, before the bytes leave (see BlocksCallOptions.onAdmitted). */
  onAdmitted?: () => Promise<void>;
}

export interface BlocksTransport {
  /** Returns the 2xx response; throws the mapped error otherwise. */
  call(call: BlocksCall): Promise<HttpResponse>;
}

export function createBlocksTransport(config: TransportConfig): BlocksTransport {
  const authorization = `ApiKey ${config.apiKey}`;

  /** Full-jitter exponential backoff: base × 2^n capped, times a factor in [0.5, 1). */
  function backoff(failures: number): number {
    const ceiling = Math.min(config.maxBackoffMs, config.backoffMs * 2 ** Math.max(0, failures - 1));
    return Math.round(ceiling * (0.5 + config.random() * 0.5));
  }

  async function attempt(call: BlocksCall): Promise<HttpResponse> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (config.sendPriorityHeader) headers[PRIORITY_HEADER] = call.priority;
    const scheduleOptions = { priority: call.priority, label: call.label, ...(call.maxWaitMs !== undefined ? { maxWaitMs: call.maxWaitMs } : {}) };
    // The callback issues exactly one request, at once: the budget counts the slot as spent when it runs.
    return config.budget.schedule(scheduleOptions, async () => {
      await call.onAdmitted?.();
      return sendHttp(config.dispatcher, {
        service: 'blocks',
        method: call.method,
        url: call.url,
        headers,
        json: call.json,
        timeoutMs: config.requestTimeoutMs,
        ...(call.signal ? { signal: call.signal } : {}),
      });
    });
  }

  async function call(call: BlocksCall): Promise<HttpResponse> {
    let rateLimited = 0;
    let failures = 0;
    let unsafeResends = 0;
    for (let attemptNo = 0; ; attemptNo += 1) {
      const retriesLeft = attemptNo < config.maxRetries;
      let response: HttpResponse;
      try {
        response = await attempt(call);
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.status !== 0 || error instanceof BlocksApiError) throw error;
        if (call.signal?.aborted) throw error;
        const reachedServer = error.code !== NetworkErrorCode.Unreachable;
        const createMayResend = call.resend === 'create' && error.code !== NetworkErrorCode.Timeout && unsafeResends < config.maxCreateResends;
        const allowed = !reachedServer || call.resend === 'idempotent' || createMayResend;
        if (!retriesLeft || !allowed) throw error;
        if (reachedServer && call.resend === 'create') unsafeResends += 1;
        failures += 1;
        const wait = backoff(failures);
        config.logger.debug({ label: call.label, code: error.code, waitMs: wait }, 'Blocks request failed on the network; retrying');
        await sleep(wait, undefined, call.signal ? { signal: call.signal } : undefined);
        continue;
      }

      if (response.status >= 200 && response.status < 300) return response;

      if (response.status === 429) {
        rateLimited += 1;
        const advertised = parseRetryAfter(headerValue(response.headers, 'retry-after'));
        const fromServer = advertised === undefined ? undefined : Math.min(advertised, MAX_RETRY_AFTER_MS);
        const waitMs = fromServer ?? backoff(rateLimited);
        const error = mapBlocksError(response, { method: call.method, url: call.url, retryAfterMs: waitMs, retryAfterFromServer: fromServer !== undefined });
        config.logger.warn({ label: call.label, waitMs, retryAfterFromServer: fromServer !== undefined }, 'Blocks answered 429; pausing the key');
        // Pausing the key (not just this call) stops every caller from spending more slots on a refused window.
        await config.budget.pause(waitMs);
        if (!retriesLeft) throw error;
        continue;
      }

      const error = mapBlocksError(response, { method: call.method, url: call.url });
      if (response.status >= 500) {
        const allowed = call.resend === 'idempotent' || (call.resend === 'create' && unsafeResends < config.maxCreateResends);
        if (retriesLeft && allowed) {
          if (call.resend === 'create') unsafeResends += 1;
          failures += 1;
          const wait = backoff(failures);
          config.logger.debug({ label: call.label, status: response.status, waitMs: wait }, 'Blocks answered 5xx; retrying');
          await sleep(wait, undefined, call.signal ? { signal: call.signal } : undefined);
          continue;
        }
      }
      throw error;
    }
  }

  return { call };
}
