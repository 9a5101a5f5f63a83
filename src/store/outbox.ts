/**
 * The outbox: accepted-but-not-yet-delivered work, persisted before the platform is
 * acknowledged, delivered at least once, in order per partition (a channel).
 *
 * Each partition is an ordered map (see backend.ts) whose members are time-ordered ids
 * (outbox-id.ts), so order is the backend's own key order: a SQLite primary-key range scan,
 * or a Redis sorted set read by rank, never a scan of the whole keyspace (which is what
 * keyv's iterator does on both backends, unordered on SQLite). A put is one SQLite statement
 * or one Redis script, so an item is either fully queued or absent, and `enqueue` returns
 * only after that write is durable (SQLite: WAL fsynced). Nothing is leased: an item stays
 * until `complete`, so a crash between delivery and `complete` delivers it again.
 */

import { createKeyedLock } from '../core/keyed-lock.js';
import type { StoreBackend } from './backend.js';
import { createOutboxIdGenerator, type OutboxIdGenerator } from './outbox-id.js';

/** One queued item and its delivery history. */
export interface OutboxEntry<T> {
  id: string;
  partition: string;
  item: T;
  /** Epoch milliseconds. */
  enqueuedAt: number;
  /** Failed attempts so far. */
  attempts: number;
  /** After a failure: not before this time (epoch ms). */
  retryAt?: number;
  lastError?: string;
}

/** A persistent, ordered, at-least-once queue partitioned by a key. */
export interface OutboxRepository {
  /** Queues `item` at the end of `partition`; resolves with its id once it is durably stored. */
  enqueue<T>(partition: string, item: T): Promise<string>;
  /**
   * Up to `limit` items from the head of the partition, in order, that may be attempted now:
   * the list stops before the first item waiting for its `retryAt`, so a failed head blocks
   * its partition (later items wait behind it).
   */
  peek<T = unknown>(partition: string, limit: number): Promise<Array<OutboxEntry<T>>>;
  /** The first item of the partition even if it is waiting (to learn until when). */
  head<T = unknown>(partition: string): Promise<OutboxEntry<T> | undefined>;
  /** Removes a delivered item. False when it was not there (already completed). */
  complete(partition: string, id: string): Promise<boolean>;
  /** Records a failed attempt: the item keeps its place and waits until `retryAt`. */
  fail(partition: string, id: string, retryAt: number, error?: string): Promise<boolean>;
  /** Partitions holding at least one item (for recovery after a restart). */
  partitions(): Promise<string[]>;
  /** Items queued in one partition, or in all. */
  depth(partition?: string): Promise<number>;
}

const GROUP = 'outbox';

export interface OutboxRepositoryOptions {
  ids?: OutboxIdGenerator;
}

export async function createOutboxRepository(backend: StoreBackend, options: OutboxRepositoryOptions = {}): Promise<OutboxRepository> {
  const ids = options.ids ?? createOutboxIdGenerator();
  const greatest = await backend.maps.last(GROUP);
  if (greatest !== undefined) ids.advancePast(greatest);

  const enqueueLock = createKeyedLock();
  const parse = <T>(value: string): OutboxEntry<T> => JSON.parse(value) as OutboxEntry<T>;

  return {
    async enqueue(partition, item) {
      if (item === undefined) throw new TypeError('outbox.enqueue: item must not be undefined');
      // One at a time per partition, id taken inside: ids then commit in id order, so a
      // concurrent peek can never see a later item without the earlier one.
      return enqueueLock.run(partition, async () => {
        const id = ids.next();
        const entry: OutboxEntry<typeof item> = { id, partition, item, enqueuedAt: Date.now(), attempts: 0 };
        await backend.maps.put(GROUP, partition, id, JSON.stringify(entry));
        return id;
      });
    },
    async peek<T = unknown>(partition: string, limit: number) {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`outbox.peek: limit must be a positive integer, got ${String(limit)}`);
      const now = Date.now();
      const ready: Array<OutboxEntry<T>> = [];
      for (const { value } of await backend.maps.range(GROUP, partition, limit)) {
        const entry = parse<T>(value);
        if (entry.retryAt !== undefined && entry.retryAt > now) break;
        ready.push(entry);
      }
      return ready;
    },
    async head<T = unknown>(partition: string) {
      const [first] = await backend.maps.range(GROUP, partition, 1);
      return first === undefined ? undefined : parse<T>(first.value);
    },
    complete: (partition, id) => backend.maps.remove(GROUP, partition, id),
    async fail(partition, id, retryAt, error) {
      const value = await backend.maps.get(GROUP, partition, id);
      if (value === undefined) return false;
      const entry = parse(value);
      const next: OutboxEntry<unknown> = { ...entry, attempts: entry.attempts + 1, retryAt };
      if (error === undefined) delete next.lastError;
      else next.lastError = error;
      // Replace, not put: if the item was completed meanwhile it must not come back.
      return backend.maps.replace(GROUP, partition, id, JSON.stringify(next));
    },
    partitions: () => backend.maps.list(GROUP),
    depth: (partition) => backend.maps.count(GROUP, partition),
  };
}
