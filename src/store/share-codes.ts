/**
 * One-time share codes: a privileged person in a channel linked to a conversation gets one
 * (`/bridge share`), and a channel of another tenant links the conversation with it
 * (`/bridge link <code>`). A code is good for 15 minutes and for one link: consuming it
 * takes the store's atomic seen-before marker, so two replicas cannot both use it.
 */
import { randomBytes } from 'node:crypto';
import type { Place } from '../core/tenancy.js';
import type { DedupeRepository } from './dedupe.js';
import type { KvNamespace } from './kv.js';

export const SHARE_CODE_TTL_MS = 15 * 60 * 1000;
/** `store.kv` namespace of the codes. */
export const SHARE_CODES_KV = 'share-codes';
/** `shr_` and 20 lowercase hex digits (80 random bits). */
export const SHARE_CODE_PATTERN = /^shr_[0-9a-f]{20}$/;

export interface ShareCodeRecord {
  conversationId: string;
  /** Where it was made. */
  madeIn: Place;
  madeBy: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface ShareCodes {
  create(input: { conversationId: string; madeIn: Place; madeBy: string }): Promise<{ code: string; expiresAt: number }>;
  /** The code's record, once; undefined when it is unknown, expired or already used. */
  consume(code: string): Promise<ShareCodeRecord | undefined>;
}

export function createShareCodes(deps: { records: KvNamespace<ShareCodeRecord>; dedupe: Pick<DedupeRepository, 'seen'>; now?: () => number }): ShareCodes {
  const now = deps.now ?? Date.now;
  return {
    async create(input) {
      const code = `shr_${randomBytes(10).toString('hex')}`;
      const expiresAt = now() + SHARE_CODE_TTL_MS;
      const madeIn: Place = { platform: input.madeIn.platform, ...(input.madeIn.placeId !== undefined ? { placeId: input.madeIn.placeId } : {}) };
      await deps.records.set(code, { conversationId: input.conversationId, madeIn, madeBy: input.madeBy, expiresAt }, { ttlMs: SHARE_CODE_TTL_MS });
      return { code, expiresAt };
    },
    async consume(code) {
      if (!SHARE_CODE_PATTERN.test(code)) return undefined;
      const record = await deps.records.get(code);
      // The store's TTL is the backstop; the recorded expiry (with the injectable clock) decides.
      if (record === undefined || record.expiresAt <= now()) return undefined;
      if (await deps.dedupe.seen(`share-code:${code}`, SHARE_CODE_TTL_MS)) return undefined;
      await deps.records.delete(code);
      return record;
    },
  };
}
