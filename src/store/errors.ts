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
