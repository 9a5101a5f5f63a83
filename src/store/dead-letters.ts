/**
 * Dead letters: outbox items that failed for good (a permanent refusal, or too many failed
 * attempts). They leave their partition so that the channel's later items go on, and are
 * kept here, with the reason, until an operator retries or drops them
 * (`fluxra-bridge deadletters`). Nothing is lost: an item is written here before it leaves
 * the outbox, so a crash in between keeps it in both (retried, then dead-lettered again).
 */
import type { StoreBackend } from './backend.js';
import type { OutboxEntry, OutboxRepository } from './outbox.js';

const GROUP = 'deadletter';
/** Read at most this many per partition: an operator's list, not a bulk export. */
const MAX_LISTED = 10_000;

export interface DeadLetter<T = unknown> {
  /** The outbox entry as it was when it failed for good (its id, partition, item, attempts). */
  entry: OutboxEntry<T>;
  /** Why it failed for good: the last error, short. */
  reason: string;
  /** Epoch milliseconds. */
  deadAt: number;
}

export interface DeadLetterRepository {
  /** Keeps `entry` as a dead letter of its partition (idempotent per entry id). */
  add(entry: OutboxEntry<unknown>, reason: string, now?: number): Promise<void>;
  /** Dead letters of one partition, or of all, oldest first within a partition. */
  list(partition?: string): Promise<DeadLetter[]>;
  /** How many dead letters one partition (or all) holds. */
  count(partition?: string): Promise<number>;
  /** The dead letter with this entry id, wherever it is. */
  find(id: string): Promise<DeadLetter | undefined>;
  /** Queues the item again at the end of its partition, then forgets the dead letter; the new outbox id, or undefined when absent. */
  retry(id: string): Promise<string | undefined>;
  /** Forgets the dead letter for good; false when absent. */
  drop(id: string): Promise<boolean>;
}

export function createDeadLetterRepository(backend: StoreBackend, outbox: Pick<OutboxRepository, 'enqueue'>): DeadLetterRepository {
  const parse = (value: string): DeadLetter => JSON.parse(value) as DeadLetter;

  async function list(partition?: string): Promise<DeadLetter[]> {
    const partitions = partition === undefined ? await backend.maps.list(GROUP) : [partition];
    const letters: DeadLetter[] = [];
    for (const map of partitions) {
      for (const { value } of await backend.maps.range(GROUP, map, MAX_LISTED)) letters.push(parse(value));
    }
    return letters;
  }

  async function find(id: string): Promise<DeadLetter | undefined> {
    return (await list()).find((letter) => letter.entry.id === id);
  }

  return {
    async add(entry, reason, now = Date.now()) {
      const letter: DeadLetter = { entry, reason, deadAt: now };
      await backend.maps.put(GROUP, entry.partition, entry.id, JSON.stringify(letter));
    },
    list,
    count: (partition) => backend.maps.count(GROUP, partition),
    find,
    async retry(id) {
      const letter = await find(id);
      if (letter === undefined) return undefined;
      // Queued first, forgotten second: a crash in between leaves it in both, never in neither.
      const queued = await outbox.enqueue(letter.entry.partition, letter.entry.item);
      await backend.maps.remove(GROUP, letter.entry.partition, id);
      return queued;
    },
    async drop(id) {
      const letter = await find(id);
      return letter === undefined ? false : backend.maps.remove(GROUP, letter.entry.partition, id);
    },
  };
}
