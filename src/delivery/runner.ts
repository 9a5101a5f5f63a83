/**
 * The one kick / kick-later / drain loop of the bridge. Work is queued durably elsewhere
 * (the store's outbox) under a key (an outbox partition, a bound channel); the runner only
 * decides WHEN a key is drained: at once on `kick`, at a time on `kickLater` (a retry), one
 * drain per key at a time, a bounded number of keys at once. A kick during a drain is kept
 * ("dirty") and drains the key once more afterwards, so nothing queued is overlooked.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { timerDelayUntil } from '../core/timer-delay.js';

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
