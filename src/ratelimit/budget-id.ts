/**
 * Names for a budget's shared state. Redis keys and pub/sub channels are visible to anyone
 * who can run `KEYS *` or `MONITOR`, so they carry a hash of the API key, never the key.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_ID_PREFIX = 'fluxra-bridge';

/** 16 hex digits (64 bits) of SHA-256: enough to keep keys apart, useless to recover a key. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16);
}

/** The base id for one service's budget on one API key, e.g. `fluxra-bridge:blocks:3f2a…`. */
export function budgetId(prefix: string, service: string, apiKey: string): string {
  return `${prefix}:${service}:${hashApiKey(apiKey)}`;
}
