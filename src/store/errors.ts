/**
 * Errors raised by the store layer. Backend failures (file unreadable, Redis down) are
 * retryable; a store that fails its integrity check is not.
 */
import { BridgeError, type BridgeErrorOptions } from '../core/errors.js';

export type StoreErrorCode = 'STORE_UNAVAILABLE' | 'STORE_CORRUPT' | 'STORE_CLOSED';

export class StoreError extends BridgeError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: BridgeErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * node-redis's errors for a server it cannot reach or that did not answer in time (matched
 * by class name: the classes are not re-exported by @keyv/redis, which we depend on).
 */
const UNREACHABLE_REDIS_ERRORS: ReadonlySet<string> = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'TimeoutError',
  'ReconnectStrategyError',
]);

/** Socket codes of a backend that cannot be reached. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'SQLITE_BUSY']);

/**
 * True when `error` (or an error it wraps) says the store could not be reached or did not
 * answer in time: nothing was made durable, and trying again later may work. A person whose
 * request failed this way is told "temporarily unavailable, try again" rather than "something
 * went wrong".
 */
export function isStoreUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    if (current instanceof StoreError) return current.code === 'STORE_UNAVAILABLE';
    // Another service's error (Fluxra unreachable) says nothing about the store, whatever its cause.
    if (current instanceof BridgeError) return false;
    if (UNREACHABLE_REDIS_ERRORS.has(current.constructor.name)) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  }
  return false;
}
