/**
 * Following Fluxra edits and deletes to the platform copies.
 *
 * Fluxra reports no edit or delete events: an edited message keeps its id and gains
 * `edited_at`, a deleted one reads `deleted: true` with empty content (spec §10.2). So for
 * every message we delivered we keep a small record (content hash, `edited_at`, deleted),
 * and compare it with what a re-read of the recent window shows. Edits and deletes are
 * idempotent on the platforms (same text again; "already gone" is success), so a crash
 * between applying a change and updating the record only repeats harmless work.
 */
import { createHash } from 'node:crypto';
import type { FluxraMessage } from '../../services/fluxra/index.js';

/** What we delivered of one Fluxra message (`store.kv('from-fluxra-delivered')`, by message id). */
export interface DeliveredRecord {
  conversationId: string;
  contentHash: string;
  editedAt: string | null;
  deleted: boolean;
  /** Epoch ms of the (last) delivery or change. */
  at: number;
}

export const DELIVERED_NAMESPACE = 'from-fluxra-delivered';
/** Long after a message left the re-read window; the message map keeps its copies for 30 days. */
export const DELIVERED_TTL_MS = 30 * 24 * 60 * 60_000;

export type FluxraChange = 'edit' | 'delete';

export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('base64url').slice(0, 22);
}

export function deliveredRecord(message: FluxraMessage, at: number): DeliveredRecord {
  return { conversationId: message.conversationId, contentHash: contentHash(message.content), editedAt: message.editedAt, deleted: message.deleted, at };
}

/**
 * What changed since delivery: `delete` once it reads deleted, `edit` when its content
 * differs from what we posted (an `edited_at` with the same content needs no edit).
 * Nothing for messages we never delivered or already deleted.
 */
export function detectChange(record: DeliveredRecord | undefined, message: FluxraMessage): FluxraChange | undefined {
  if (!record || record.deleted) return undefined;
  if (message.deleted) return 'delete';
  if (contentHash(message.content) !== record.contentHash) return 'edit';
  return undefined;
}
