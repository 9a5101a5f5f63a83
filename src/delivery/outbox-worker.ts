/**
 * Drains outbox partitions: each in order, one item at a time, several partitions at once
 * (bounded). Work arrives by `notify` (the intake calls it after a durable enqueue) and by
 * a scan of the outbox at start (recovery after a crash); a failed head is retried at its
 * `retryAt` by a timer, so nothing polls. An item leaves the outbox only when its handler
 * says it is done. When to drain is the work runner's (runner.ts); this is what a drain does.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DeadLetterRepository, OutboxEntry, OutboxRepository } from '../store/index.js';
import { createWorkRunner, type DrainTurn } from './runner.js';

/** What became of one attempt at an item. */
export type DeliveryOutcome =
  /** Delivered (or nothing to deliver): remove it. */
  | { kind: 'done' }
  /** Not now: keep it at the head of its partition and try again at `retryAt` (epoch ms). */
  | { kind: 'retry'; retryAt: number; error: string }
  /** Failed for good: keep it as a dead letter (with the reason) and go on with the partition. */
  | { kind: 'dead'; reason: string }
  /**
   * Not yet, and not a failure (it waits for another queue's item, e.g. its thread root):
   * the item keeps its place and its attempt count; the partition looks again at `retryAt`.
   */
  | { kind: 'wait'; retryAt: number };

export type DeliveryHandler<T> = (entry: OutboxEntry<T>, signal: AbortSignal) => Promise<DeliveryOutcome>;

export interface OutboxWorkerOptions<T> {
  outbox: OutboxRepository;
  /** Which partitions are ours (the outbox is shared by engines and by the mirror's stages). */
  ownsPartition: (partition: string) => boolean;
  handle: DeliveryHandler<T>;
  /** Where items that failed for good are kept. Without it, a dead item is retried a minute later instead. */
  deadLetters?: Pick<DeadLetterRepository, 'add'>;
  /** An item was dead-lettered (for the metric). */
  onDeadLetter?: (partition: string) => void;
  /** Partitions drained at the same time. Default 32. */
  concurrency?: number;
  /** Items delivered from one partition before it yields its slot to others. Default 25. */
  batchSize?: number;
  /** How long `stop` waits for items in flight before abandoning them (they stay queued). Default 5000. */
  stopTimeoutMs?: number;
  logger: Logger;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Checked before each item: false stops draining (a deposed cluster leader). Default: always true. */
  mayWork?: () => boolean;
}

export interface OutboxWorker {
  /** Scans the outbox for our partitions and starts draining them. */
  start(): Promise<void>;
  /** New work in `partition` (or a reason to look again). `force` ignores a head's `retryAt` once. */
  notify(partition: string, options?: { force?: boolean }): void;
  /** Notifies every partition we know of, and any found in the outbox. */
  notifyAll(options?: { force?: boolean }): Promise<void>;
  /** Stops taking work; waits for in-flight items within `stopTimeoutMs`, then aborts them. */
  stop(): Promise<void>;
  /** Resolves when no partition has ready work and nothing is in flight (for tests and drains). */
  idle(): Promise<void>;
  /** True while a partition has ready work or an item is in flight. */
  busy(): boolean;
}

/**
 * Delay before retry number `attempt` (1 for the first retry): doubling from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so that channels that
 * failed together do not retry together.
 */
export function retryDelayMs(attempt: number, bounds: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(bounds.maxMs, bounds.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function createOutboxWorker<T>(options: OutboxWorkerOptions<T>): OutboxWorker {
  const { outbox, ownsPartition, handle, logger } = options;
  const batchSize = options.batchSize ?? 25;
  const now = options.now ?? Date.now;
  const runner = createWorkRunner(
    { concurrency: options.concurrency ?? 32, stopTimeoutMs: options.stopTimeoutMs ?? 5_000 },
    { drain: (partition, turn) => drainPartition(partition, turn), logger, now, ...(options.mayWork ? { mayWork: options.mayWork } : {}) },
  );
  let started = false;

  /** Delivers the partition's items in order until it is empty, waits for a retry, or yields. */
  async function drainPartition(partition: string, turn: DrainTurn): Promise<{ retryAt?: number; yielded?: boolean }> {
    let force = turn.force;
    let delivered = 0;
    // No longer the leader (or stopping): leave the item where it is for the next one.
    while (turn.mayGoOn()) {
      let entry: OutboxEntry<T> | undefined;
      try {
        entry = await outbox.head<T>(partition);
      } catch (error) {
        logger.error({ partition, err: describeError(error) }, 'mirror outbox unreadable; trying again later');
        return { retryAt: now() + 1_000 };
      }
      if (entry === undefined) return {};
      if (entry.retryAt !== undefined && entry.retryAt > now() && !force) return { retryAt: entry.retryAt };
      force = false;
      let outcome: DeliveryOutcome;
      try {
        outcome = await handle(entry, turn.signal);
      } catch (error) {
        // Handlers classify their own failures; anything else is retried like a failure.
        outcome = { kind: 'retry', retryAt: now() + 1_000, error: describeError(error) };
      }
      if (!turn.mayGoOn() && outcome.kind === 'retry') return {};
      if (outcome.kind === 'wait') return { retryAt: outcome.retryAt };
      try {
        await settle(entry, outcome);
      } catch (error) {
        // The item stays at the head: delivered again (idempotently) or retried later.
        logger.error({ partition, id: entry.id, err: describeError(error) }, 'mirror outbox update failed');
        return { retryAt: now() + 1_000 };
      }
      delivered += 1;
      // Give the slot to a waiting partition; ours goes to the back of the line.
      if (delivered >= batchSize && turn.othersWaiting()) return { yielded: true };
    }
    return {};
  }

  /** Acts on an outcome in the store. A dead item is kept as a dead letter before it leaves the outbox. */
  async function settle(entry: OutboxEntry<T>, outcome: DeliveryOutcome): Promise<void> {
    const { partition, id } = entry;
    if (outcome.kind === 'done') await outbox.complete(partition, id);
    else if (outcome.kind === 'retry') await outbox.fail(partition, id, outcome.retryAt, outcome.error);
    else if (outcome.kind === 'wait') return;
    else if (options.deadLetters === undefined) await outbox.fail(partition, id, now() + 60_000, outcome.reason);
    else {
      await options.deadLetters.add(entry, outcome.reason, now());
      await outbox.complete(partition, id);
      options.onDeadLetter?.(partition);
    }
  }

  function notify(partition: string, notifyOptions: { force?: boolean } = {}): void {
    if (ownsPartition(partition)) runner.kick(partition, notifyOptions);
  }

  async function notifyAll(notifyOptions: { force?: boolean } = {}): Promise<void> {
    const found = (await outbox.partitions()).filter(ownsPartition);
    for (const partition of new Set([...runner.keys(), ...found])) notify(partition, notifyOptions);
  }

  return {
    async start() {
      if (started) return;
      started = true;
      await notifyAll();
      runner.start();
    },
    notify,
    notifyAll,
    stop: () => runner.stop(),
    idle: () => runner.idle(),
    busy: () => runner.busy(),
  };
}
