/**
 * Drains outbox partitions: each in order, one item at a time, several partitions at once
 * (bounded). Work arrives by `notify` (the intake calls it after a durable enqueue) and by
 * a scan of the outbox at start (recovery after a crash); a failed head is retried at its
 * `retryAt` by a timer, so nothing polls. An item leaves the outbox only when its handler
 * says it is done.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OutboxEntry, OutboxRepository } from '../store/index.js';
import { timerDelayUntil } from '../core/timer-delay.js';

/** What became of one attempt at an item. */
export type DeliveryOutcome =
  /** Delivered (or nothing to deliver): remove it. */
  | { kind: 'done' }
  /** Not now: keep it at the head of its partition and try again at `retryAt` (epoch ms). */
  | { kind: 'retry'; retryAt: number; error: string };

export type DeliveryHandler<T> = (entry: OutboxEntry<T>, signal: AbortSignal) => Promise<DeliveryOutcome>;

export interface OutboxWorkerOptions<T> {
  outbox: OutboxRepository;
  /** Which partitions are ours (the outbox is shared by engines and by the mirror's stages). */
  ownsPartition: (partition: string) => boolean;
  handle: DeliveryHandler<T>;
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

interface PartitionState {
  running: boolean;
  /** Something happened since the last look: look again before going idle. */
  dirty: boolean;
  force: boolean;
  timer: NodeJS.Timeout | undefined;
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
  const concurrency = options.concurrency ?? 32;
  const batchSize = options.batchSize ?? 25;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const mayWork = options.mayWork ?? (() => true);

  const states = new Map<string, PartitionState>();
  /** Partitions waiting for a slot, in arrival order. */
  const runnable = new Set<string>();
  const inflight = new Set<Promise<void>>();
  const abort = new AbortController();
  let started = false;
  let stopping = false;
  const idleWaiters: Array<() => void> = [];

  const stateOf = (partition: string): PartitionState => {
    let state = states.get(partition);
    if (!state) {
      state = { running: false, dirty: false, force: false, timer: undefined };
      states.set(partition, state);
    }
    return state;
  };

  function notify(partition: string, notifyOptions: { force?: boolean } = {}): void {
    if (stopping || !ownsPartition(partition)) return;
    const state = stateOf(partition);
    state.dirty = true;
    if (notifyOptions.force) state.force = true;
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    if (!state.running) runnable.add(partition);
    pump();
  }

  function pump(): void {
    if (!started || stopping) return;
    while (inflight.size < concurrency && runnable.size > 0) {
      const partition = runnable.values().next().value as string;
      runnable.delete(partition);
      const state = stateOf(partition);
      if (state.running) continue;
      state.running = true;
      const run = drain(partition, state).finally(() => {
        inflight.delete(run);
        state.running = false;
        if (state.dirty && !stopping) runnable.add(partition);
        pump();
        checkIdle();
      });
      inflight.add(run);
    }
  }

  async function drain(partition: string, state: PartitionState): Promise<void> {
    let delivered = 0;
    while (!stopping) {
      // No longer the leader: leave the item where it is for the next one (it is told to stop).
      if (!mayWork()) return;
      state.dirty = false;
      let entry: OutboxEntry<T> | undefined;
      try {
        entry = await outbox.head<T>(partition);
      } catch (error) {
        logger.error({ partition, err: describeError(error) }, 'mirror outbox unreadable; trying again later');
        schedule(partition, state, now() + 1_000);
        return;
      }
      if (entry === undefined) return;
      if (entry.retryAt !== undefined && entry.retryAt > now() && !state.force) {
        schedule(partition, state, entry.retryAt);
        return;
      }
      state.force = false;
      let outcome: DeliveryOutcome;
      try {
        outcome = await handle(entry, abort.signal);
      } catch (error) {
        // Handlers classify their own failures; anything else is retried like a failure.
        outcome = { kind: 'retry', retryAt: now() + 1_000, error: describeError(error) };
      }
      if (stopping && outcome.kind === 'retry') return;
      try {
        if (outcome.kind === 'done') await outbox.complete(partition, entry.id);
        else await outbox.fail(partition, entry.id, outcome.retryAt, outcome.error);
      } catch (error) {
        // The item stays at the head: delivered again (idempotently) or retried later.
        logger.error({ partition, id: entry.id, err: describeError(error) }, 'mirror outbox update failed');
        schedule(partition, state, now() + 1_000);
        return;
      }
      delivered += 1;
      if (delivered >= batchSize && runnable.size > 0) {
        // Give the slot to a waiting partition; ours goes to the back of the line.
        state.dirty = true;
        return;
      }
    }
  }

  function schedule(partition: string, state: PartitionState, at: number): void {
    if (stopping) return;
    if (state.timer) clearTimeout(state.timer);
    const delay = timerDelayUntil(at, now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      notify(partition);
    }, delay);
  }

  function checkIdle(): void {
    if (inflight.size > 0 || runnable.size > 0) return;
    for (const wake of idleWaiters.splice(0)) wake();
  }

  async function notifyAll(notifyOptions: { force?: boolean } = {}): Promise<void> {
    const found = (await outbox.partitions()).filter(ownsPartition);
    for (const partition of new Set([...states.keys(), ...found])) notify(partition, notifyOptions);
  }

  return {
    async start() {
      if (started) return;
      started = true;
      await notifyAll();
      pump();
    },
    notify,
    notifyAll,
    async stop() {
      if (stopping) return;
      stopping = true;
      runnable.clear();
      for (const state of states.values()) {
        if (state.timer) clearTimeout(state.timer);
        state.timer = undefined;
      }
      if (inflight.size > 0 && (await settledWithin([...inflight], stopTimeoutMs)) === 'timeout') {
        // Aborted work stays in the outbox; an aborted send is reconciled on the next start.
        logger.warn({ inflight: inflight.size }, 'mirror worker stop timed out; abandoning in-flight items');
        abort.abort();
        await settledWithin([...inflight], 1_000);
      }
      for (const wake of idleWaiters.splice(0)) wake();
    },
    idle() {
      if (inflight.size === 0 && runnable.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    busy: () => inflight.size > 0 || runnable.size > 0,
  };
}

async function settledWithin(promises: Array<Promise<unknown>>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => 'done' as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
