/**
 * Agent-session records by id, and the thread index (thread root message → session id) that
 * turns a reply in a thread into a follow-up. The record is the truth: the index is written
 * before the record and removed after it, and `findByThread` returns a record only if the
 * record itself names that thread, so a crash between the two writes never yields a wrong
 * session.
 */
import type { MessageRef } from '../core/chat.js';
import { createKeyedLock } from '../core/keyed-lock.js';
import { type MessageKey, messageKey } from '../core/keys.js';
import type { StoreBackend } from './backend.js';
import { createKvNamespace } from './kv.js';

/** The fields the store needs on a session record; the session engine adds its own. */
export interface SessionRecord {
  id: string;
  /** The root message of the platform thread the session lives in. */
  threadRoot: MessageRef;
}

/** Session records by id, findable by their thread. */
export interface SessionsRepository {
  get<T extends SessionRecord = SessionRecord>(id: string): Promise<T | undefined>;
  /** Creates or replaces the record (moving its thread index entry if the thread changed). */
  put<T extends SessionRecord>(record: T, options?: { ttlMs?: number }): Promise<void>;
  /** True when a record was there. */
  delete(id: string): Promise<boolean>;
  findByThread<T extends SessionRecord = SessionRecord>(threadRoot: MessageKey): Promise<T | undefined>;
}

export function createSessionsRepository(backend: StoreBackend, prefix: string): SessionsRepository {
  const records = createKvNamespace<SessionRecord>(backend.keyv, `${prefix}:sessions`);
  const byThread = createKvNamespace<string>(backend.keyv, `${prefix}:sessions-by-thread`);
  const lock = createKeyedLock();

  const dropIndexIfOurs = async (record: SessionRecord): Promise<void> => {
    const key = messageKey(record.threadRoot);
    if ((await byThread.get(key)) === record.id) await byThread.delete(key);
  };

  return {
    async get<T extends SessionRecord = SessionRecord>(id: string) {
      return (await records.get(id)) as T | undefined;
    },
    async put(record, options) {
      await lock.run(record.id, async () => {
        const previous = await records.get(record.id);
        const ttl = options?.ttlMs === undefined ? undefined : { ttlMs: options.ttlMs };
        await byThread.set(messageKey(record.threadRoot), record.id, ttl);
        await records.set(record.id, record, ttl);
        if (previous !== undefined && messageKey(previous.threadRoot) !== messageKey(record.threadRoot)) await dropIndexIfOurs(previous);
      });
    },
    async delete(id) {
      return lock.run(id, async () => {
        const previous = await records.get(id);
        if (previous === undefined) return false;
        await records.delete(id);
        await dropIndexIfOurs(previous);
        return true;
      });
    },
    async findByThread<T extends SessionRecord = SessionRecord>(threadRoot: MessageKey) {
      const key = messageKey(threadRoot);
      const id = await byThread.get(key);
      if (id === undefined) return undefined;
      const record = await records.get(id);
      return record !== undefined && messageKey(record.threadRoot) === key ? (record as T) : undefined;
    },
  };
}
