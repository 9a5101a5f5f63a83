/**
 * The one kick / kick-later / drain loop of the bridge. Work is queued durably elsewhere
 * (the store's outbox) under a key (an outbox partition, a bound channel); the runner only
 * decides WHEN a key is drained: at once on `kick`, at a time on `kickLater` (a retry), one
 * drain per key at a time, a bounded number of keys at once. A kick during a drain is kept
 * ("dirty") and drains the key once more afterwards, so nothing queued is overlooked.
 *
 * The store's outbox is the queue most of the bridge's work runs over (the mirror's two
 * stages, agent requests): `createOutboxWorker` drains its partitions, each in order, one
 * item at a time, several partitions at once (bounded). Work arrives by `notify` (the intake
 * calls it after a durable enqueue) and by a scan of the outbox at start (recovery after a
 * crash); a failed head is retried at its `retryAt` by a timer, so nothing polls. An item
 * leaves the outbox only when its handler says it is done.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { timerDelayUntil } from '../core/timer-delay.js';
import type { DeadLetterRepository, OutboxEntry, OutboxRepository } from '../store/index.js';

/** What one drain of a key may ask and know. */
export interface DrainTurn {
  /** Aborted when `stop` gives up waiting for the drain. */
  signal: AbortSignal;
  /** A kick asked to ignore a retry time once (e.g. an operator's "retry now"). */
  force: boolean;
  /** True while other keys wait for a slot: a long drain should yield. */
  othersWaiting(): boolean;
  /** False once this replica may no longer work (a deposed leader) or the runner stops. */
  mayGoOn(): boolean;
}

/** How a drain ended: `retryAt` (epoch ms) to look again then; `yielded` to go to the back of the line. */
export interface DrainResult {
  retryAt?: number;
  yielded?: boolean;
}

export type DrainKey = (key: string, turn: DrainTurn) => Promise<DrainResult>;

export interface WorkRunnerConfig {
  /** Keys drained at the same time. Default: no bound. */
  concurrency?: number;
  /** How long `stop` waits for drains in flight before aborting them. Default 5000. */
  stopTimeoutMs?: number;
}

export interface WorkRunnerDeps {
  drain: DrainKey;
  logger: Logger;
  /** A drain that throws is tried again at the time this returns (epoch ms). Default: 1 s later. */
  retryAfterError?: (key: string, error: unknown) => number;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Checked before each drain: false leaves the work queued (a deposed cluster leader). Default: always true. */
  mayWork?: () => boolean;
}

export interface WorkRunner {
  /** Starts (or restarts after `stop`) draining what was kicked. */
  start(): void;
  /** Something was queued under `key`. `force` ignores a retry time once. */
  kick(key: string, options?: { force?: boolean }): void;
  /** Drain `key` at `atMs` (epoch ms) unless kicked earlier. */
  kickLater(key: string, atMs: number): void;
  /** Every key seen so far. */
  keys(): string[];
  /** Stops taking work at once: clears timers and waiting keys (drains in flight go on). */
  halt(): void;
  /** `halt`, then waits for drains in flight within `stopTimeoutMs`, then aborts them. */
  stop(): Promise<void>;
  /** Resolves when no key waits and no drain is in flight. */
  idle(): Promise<void>;
  busy(): boolean;
  inFlight(): Array<Promise<void>>;
}

interface KeyState {
  running: boolean;
  /** Kicked since the drain began: drain again before resting. */
  dirty: boolean;
  force: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * After a drain: drain the key again only when it was kicked meanwhile AND work may be
 * done now. A key that may not be worked (a deposed leader) rests until kicked again, so
 * the runner never loops on work it is not allowed to do.
 */
export function drainsAgain(after: { dirty: boolean; stopping: boolean; mayWork: boolean }): boolean {
  return after.dirty && !after.stopping && after.mayWork;
}

export function createWorkRunner(config: WorkRunnerConfig, deps: WorkRunnerDeps): WorkRunner {
  const concurrency = config.concurrency ?? Number.POSITIVE_INFINITY;
  const stopTimeoutMs = config.stopTimeoutMs ?? 5_000;
  const now = deps.now ?? Date.now;
  const mayWork = deps.mayWork ?? (() => true);
  const retryAfterError = deps.retryAfterError ?? (() => now() + 1_000);

  const states = new Map<string, KeyState>();
  /** Keys waiting for a slot, in arrival order. */
  const runnable = new Set<string>();
  const inflight = new Set<Promise<void>>();
  let abort = new AbortController();
  let started = false;
  let stopping = false;
  const idleSignal = createIdleSignal(() => inflight.size === 0 && runnable.size === 0);

  const stateOf = (key: string): KeyState => {
    const state = states.get(key) ?? { running: false, dirty: false, force: false, timer: undefined };
    states.set(key, state);
    return state;
  };

  function kick(key: string, options: { force?: boolean } = {}): void {
    if (stopping) return;
    const state = stateOf(key);
    state.dirty = true;
    if (options.force) state.force = true;
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    if (!state.running) runnable.add(key);
    pump();
  }

  function kickLater(key: string, atMs: number): void {
    if (stopping) return;
    const state = stateOf(key);
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        kick(key);
      },
      timerDelayUntil(atMs, now()),
    );
  }

  function pump(): void {
    if (!started || stopping) return;
    while (inflight.size < concurrency && runnable.size > 0) {
      const key = runnable.values().next().value as string;
      runnable.delete(key);
      const state = stateOf(key);
      if (state.running) continue;
      if (!mayWork()) {
        // Left queued for whoever may work; a later kick (or a new term's start) looks again.
        state.dirty = false;
        continue;
      }
      state.running = true;
      const run = drainOnce(key, state).finally(() => {
        inflight.delete(run);
        state.running = false;
        if (drainsAgain({ dirty: state.dirty, stopping, mayWork: mayWork() })) runnable.add(key);
        else state.dirty = false;
        pump();
        idleSignal.check();
      });
      inflight.add(run);
    }
    idleSignal.check();
  }

  async function drainOnce(key: string, state: KeyState): Promise<void> {
    state.dirty = false;
    const force = state.force;
    state.force = false;
    let result: DrainResult;
    try {
      const turn: DrainTurn = { signal: abort.signal, force, othersWaiting: () => runnable.size > 0, mayGoOn: () => !stopping && mayWork() };
      result = await deps.drain(key, turn);
    } catch (error) {
      deps.logger.error({ key, err: describeError(error) }, 'work queue drain failed; trying again later');
      result = { retryAt: retryAfterError(key, error) };
    }
    if (result.yielded) state.dirty = true;
    if (result.retryAt !== undefined) kickLater(key, result.retryAt);
  }

  function halt(): void {
    stopping = true;
    started = false;
    runnable.clear();
    for (const state of states.values()) clearTimeout(state.timer);
    for (const state of states.values()) state.timer = undefined;
  }

  return {
    start() {
      if (started) return;
      if (stopping) abort = new AbortController();
      started = true;
      stopping = false;
      pump();
    },
    kick,
    kickLater,
    keys: () => [...states.keys()],
    halt,
    async stop() {
      halt();
      await finishOrAbandon(inflight, stopTimeoutMs, abort, deps.logger);
      idleSignal.wakeAll();
    },
    idle: () => idleSignal.wait(),
    busy: () => inflight.size > 0 || runnable.size > 0,
    inFlight: () => [...inflight],
  };
}

/** Waits for the drains in flight within `ms`; then aborts them (their work stays queued, an aborted send is reconciled on the next start). */
async function finishOrAbandon(inflight: ReadonlySet<Promise<void>>, ms: number, abort: AbortController, logger: Logger): Promise<void> {
  if (inflight.size === 0 || (await settledWithin([...inflight], ms)) === 'done') return;
  logger.warn({ inflight: inflight.size }, 'work queue stop timed out; abandoning in-flight work');
  abort.abort();
  await settledWithin([...inflight], 1_000);
}

/** Promises that resolve once `isIdle` holds, looked at on `check`. */
function createIdleSignal(isIdle: () => boolean): { wait(): Promise<void>; check(): void; wakeAll(): void } {
  const waiters: Array<() => void> = [];
  const wakeAll = (): void => {
    for (const wake of waiters.splice(0)) wake();
  };
  return {
    wait: () => (isIdle() ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    check: () => {
      if (isIdle()) wakeAll();
    },
    wakeAll,
  };
}

/** 'done' once every promise settled, or 'timeout' after `ms`. */
export async function settledWithin(promises: Array<Promise<unknown>>, ms: number): Promise<'done' | 'timeout'> {
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

// The outbox worker: what a drain of an outbox partition does.

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
