/**
 * One Fluxra call = one or more HTTP attempts. This file decides which failures earn
 * another attempt, and how every attempt goes through the rate budget:
 * - 429: always retried (the server did not act), after pausing the budget (or sleeping)
 *   for Retry-After (at most `MAX_RETRY_AFTER_MS`, like Blocks') or the configured backoff;
 * - UNREACHABLE (the request never left): retried for every method;
 * - 5xx, TIMEOUT, CONNECTION_LOST: retried only when the call is safe to repeat. Never for
 *   `POST /api/messages`: there is no idempotency key, so a repeat may post twice (§2.7);
 * - 401 on a Bearer call: the token is renewed once (single-flight) and the call repeated once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { RateLimitedError, UpstreamError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RateBudget, RequestPriority } from '../../ratelimit/types.js';
import { type HttpResponse, headerValue, MAX_RETRY_AFTER_MS, NetworkErrorCode, parseRetryAfter, sendHttp, urlForError } from '../http.js';
import { type FluxraErrorContext, toFluxraApiError } from './errors.js';
import { type FluxraRouteName, type FluxraRoutes, fillPath } from './routes.js';

export type FluxraAuth = { kind: 'none' } | { kind: 'bearer' } | { kind: 'basic'; user: string; secret: string };

export interface FluxraCall {
  route: FluxraRouteName;
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  auth: FluxraAuth;
  /** May a 5xx, a timeout or a lost connection be retried (the request may have arrived)? */
  repeatable: boolean;
  priority?: RequestPriority;
  signal?: AbortSignal;
}

export interface FluxraTransportOptions {
  baseUrl: string;
  dispatcher: Dispatcher;
  routes: FluxraRoutes;
  requestTimeoutMs: number;
  budget?: RateBudget;
  maxRetries: number;
  rateLimitBackoffMs: number;
  retryBackoffMs: number;
  maxRetryWaitMs: number;
  logger: Logger;
  now: () => number;
  /** Bearer tokens: the current one, and a way to drop it after a 401. */
  tokens: { get(): Promise<string>; invalidate(token: string): void };
}

/** A successful (2xx) answer plus where it came from, for response validation errors. */
export interface FluxraAnswer {
  res: HttpResponse;
  context: FluxraErrorContext;
}

export interface FluxraTransport {
  call(call: FluxraCall): Promise<FluxraAnswer>;
}

/**
 * The wait a Fluxra 429 asks for, capped at `MAX_RETRY_AFTER_MS`: the pause it sets is shared
 * by every replica, so an uncapped `Retry-After: 86400` would silence the mirror for a day.
 * Undefined when the header is absent or unreadable.
 */
export function fluxraRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  const asked = parseRetryAfter(header, nowMs);
  return asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_MS);
}

export function createFluxraTransport(options: FluxraTransportOptions): FluxraTransport {
  const base = options.baseUrl.replace(/\/+$/, '');

  function buildUrl(call: FluxraCall): URL {
    const route = options.routes[call.route];
    const url = new URL(base + fillPath(route.path, call.params));
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  function backoff(attempt: number): number {
    const exp = options.retryBackoffMs * 2 ** (attempt - 1);
    // Jitter spreads replicas that failed together.
    return Math.min(options.maxRetryWaitMs, Math.round(exp * (0.5 + Math.random() / 2)));
  }

  async function attempt(call: FluxraCall, url: URL, headers: Record<string, string>): Promise<HttpResponse> {
    const method = options.routes[call.route].method;
    const send = () =>
      sendHttp(options.dispatcher, {
        service: 'fluxra',
        method,
        url,
        headers,
        json: call.json,
        timeoutMs: options.requestTimeoutMs,
        ...(call.signal ? { signal: call.signal } : {}),
      });
    if (!options.budget) return send();
    return options.budget.schedule({ priority: call.priority ?? 'interactive', label: `fluxra.${call.route}` }, send);
  }

  async function call(call: FluxraCall): Promise<FluxraAnswer> {
    const method = options.routes[call.route].method;
    const url = buildUrl(call);
    const context: FluxraErrorContext = { route: call.route, method, url: urlForError(url) };
    const log = options.logger;
    let retries = 0;
    let renewed = false;

    for (;;) {
      call.signal?.throwIfAborted();
      const headers: Record<string, string> = {};
      let token: string | undefined;
      if (call.auth.kind === 'bearer') {
        token = await options.tokens.get();
        headers['authorization'] = `Bearer ${token}`;
      } else if (call.auth.kind === 'basic') {
        headers['authorization'] = `Basic ${Buffer.from(`${call.auth.user}:${call.auth.secret}`, 'utf8').toString('base64')}`;
      }

      let res: HttpResponse;
      try {
        res = await attempt(call, url, headers);
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.status !== 0 || call.signal?.aborted) throw error;
        const safe = error.code === NetworkErrorCode.Unreachable || call.repeatable;
        if (!safe || retries >= options.maxRetries) throw error;
        retries += 1;
        const wait = backoff(retries);
        log.warn({ route: call.route, code: error.code, retry: retries, waitMs: wait }, 'fluxra request failed; retrying');
        await sleep(wait, undefined, call.signal ? { signal: call.signal } : undefined);
        continue;
      }

      if (res.status >= 200 && res.status < 300) return { res, context };

      if (res.status === 401 && token !== undefined && !renewed) {
        renewed = true;
        options.tokens.invalidate(token);
        log.info({ route: call.route }, 'fluxra refused the JWT; renewing it and retrying once');
        continue;
      }

      if (res.status === 429) {
        const fromServer = fluxraRetryAfterMs(headerValue(res.headers, 'retry-after'), options.now());
        const wait = fromServer ?? options.rateLimitBackoffMs;
        if (options.budget) await options.budget.pause(wait);
        if (retries >= options.maxRetries || wait > options.maxRetryWaitMs) {
          throw new RateLimitedError(`Fluxra rate limit hit on ${method} ${context.url}; retry after ${wait} ms`, {
            service: 'fluxra',
            status: 429,
            method,
            url: context.url,
            retryAfterMs: wait,
            retryAfterFromServer: fromServer !== undefined,
            detail: res.text.slice(0, 300),
          });
        }
        retries += 1;
        log.warn({ route: call.route, retry: retries, waitMs: wait }, 'fluxra rate limit; waiting before retrying');
        // With a budget, its pause holds back this retry and every other request alike.
        if (!options.budget) await sleep(wait, undefined, call.signal ? { signal: call.signal } : undefined);
        continue;
      }

      if (res.status >= 500 && call.repeatable && retries < options.maxRetries) {
        retries += 1;
        const wait = backoff(retries);
        log.warn({ route: call.route, status: res.status, retry: retries, waitMs: wait }, 'fluxra server error; retrying');
        await sleep(wait, undefined, call.signal ? { signal: call.signal } : undefined);
        continue;
      }

      throw toFluxraApiError(res, context);
    }
  }

  return { call };
}
