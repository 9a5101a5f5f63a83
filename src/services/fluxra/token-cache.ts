/**
 * The JWT the bridge sends as Bearer: cached, renewed ahead of expiry, and renewed by ONE
 * exchange however many callers need it at once (single-flight), so that a burst of 401s
 * after an expiry costs one token exchange, not one per request.
 */
import type { FluxraToken } from './types.js';
import type { WireToken } from './wire.js';

export interface TokenCacheOptions {
  /** Performs one token exchange (`POST /api/auth/token`). */
  exchange: () => Promise<WireToken>;
  now: () => number;
  fallbackLifetimeMs: number;
  renewBeforeMs: number;
}

export interface TokenCache {
  /** A token that is not due for renewal, exchanging one if needed. */
  get(): Promise<string>;
  /** The cached token while it is not due for renewal, with its expiry; else a fresh exchange. */
  valid(): Promise<FluxraToken>;
  /** Forces a fresh exchange, or joins the one under way. */
  refresh(): Promise<FluxraToken>;
  /** Forgets `token` after the server refused it (a no-op if it was already replaced). */
  invalidate(token: string): void;
}

/**
 * The `exp` claim (epoch seconds) of a JWT, read WITHOUT verifying the signature: we only
 * use it to schedule renewal, and the server stays the judge of validity.
 */
export function decodeJwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp : undefined;
  } catch {
    return undefined;
  }
}

interface Cached {
  token: string;
  expiresAt: number;
  renewAt: number;
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  let current: Cached | undefined;
  let pending: Promise<FluxraToken> | undefined;

  function expiryOf(wire: WireToken, obtainedAt: number): number {
    if (wire.expiresInSeconds !== undefined) return obtainedAt + wire.expiresInSeconds * 1000;
    if (wire.expiresAtMs !== undefined) return wire.expiresAtMs;
    const exp = decodeJwtExpiry(wire.accessToken);
    if (exp !== undefined) return exp * 1000;
    return obtainedAt + options.fallbackLifetimeMs;
  }

  function refresh(): Promise<FluxraToken> {
    if (pending) return pending;
    pending = (async () => {
      try {
        const obtainedAt = options.now();
        const wire = await options.exchange();
        const expiresAt = expiryOf(wire, obtainedAt);
        let renewAt = expiresAt - options.renewBeforeMs;
        // A lifetime shorter than the renewal margin would make every call re-exchange:
        // renew half-way through instead.
        if (renewAt <= obtainedAt) renewAt = obtainedAt + Math.max(0, (expiresAt - obtainedAt) / 2);
        current = { token: wire.accessToken, expiresAt, renewAt };
        return { accessToken: wire.accessToken, expiresAt };
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  }

  return {
    async get() {
      if (current && options.now() < current.renewAt) return current.token;
      return (await refresh()).accessToken;
    },
    async valid() {
      if (current && options.now() < current.renewAt) return { accessToken: current.token, expiresAt: current.expiresAt };
      return refresh();
    },
    refresh,
    invalidate(token) {
      if (current?.token === token) current = undefined;
    },
  };
}
