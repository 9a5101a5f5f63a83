/**
 * Where the poller stands in each Fluxra conversation: an opaque cursor per conversation.
 * The engine saves a cursor only after every message up to it was delivered, so a crash
 * replays (and dedupe drops) rather than skips.
 */
import type { StoreBackend } from './backend.js';
import { createKvNamespace } from './kv.js';

/** Fluxra conversation → opaque cursor string. */
export interface CursorsRepository {
  get(conversationId: string): Promise<string | undefined>;
  /** Saves the cursor. Call only once every message up to it has been delivered. */
  saveDelivered(conversationId: string, cursor: string): Promise<void>;
  delete(conversationId: string): Promise<boolean>;
}

export function createCursorsRepository(backend: StoreBackend, prefix: string): CursorsRepository {
  const cursors = createKvNamespace<string>(backend.keyv, `${prefix}:cursors`);
  return {
    get: (conversationId) => cursors.get(conversationId),
    saveDelivered: (conversationId, cursor) => cursors.set(conversationId, cursor),
    delete: (conversationId) => cursors.delete(conversationId),
  };
}
