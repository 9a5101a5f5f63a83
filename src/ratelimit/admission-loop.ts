/**
 * Admission at send time: the loop that asks the window log (window-log.ts, window-redis.ts)
 * for room for the requests waiting here and sends each one the moment it is admitted.
 *
 * One admission call is in flight per replica; it asks for every waiting person (up to a
 * batch) and one poll, people first and oldest first. A refused kind is asked for again when
 * the log says room comes back (the oldest entry leaves, the pace allows), so nothing polls.
 *
 * No request arrives later than its record plus the margin: an admission whose reply took
 * longer than `sendBoundMs` (a slow Redis, an event-loop stall) is abandoned as a used slot
 * and the request asked for again, one at a time, at most twice; after that the loop only
 * looks (a dry run that records nothing) until Redis answers in time again, so a stalled
 * replica cannot burn the window.
 */
import type { Logger } from '../core/logger.js';
import type { PauseState } from './pause-state.js';
import type { RequestPriority } from './types.js';
import type { WaiterQueue } from './waiter-queue.js';
import type { AdmissionAsk, AdmissionDecision, WindowStore } from './window-log.js';

/** Abandoned admissions in a row after which the loop only looks (the first + 2 re-admissions). */
export const MAX_ABANDONED_ADMISSIONS = 3;

export interface AskInput {
  now: number;
  waiting: Record<RequestPriority, number>;
  /** Epoch ms before which the log said it has no room for that kind. */
  retryAt: Record<RequestPriority, number>;
  /** Admissions abandoned in a row. */
  abandoned: number;
  maxBatch: number;
}

/** What to ask the log for now, or nothing. Pure: the loop's whole policy. */
export function nextAsk(input: AskInput): AdmissionAsk | undefined {
  const batch = input.abandoned > 0 ? 1 : input.maxBatch;
  const due = (kind: RequestPriority): boolean => input.waiting[kind] > 0 && input.now >= input.retryAt[kind];
  const interactive = due('interactive') ? Math.min(input.waiting.interactive, batch) : 0;
  const background = due('background') && interactive < batch ? 1 : 0;
  if (interactive + background === 0) return undefined;
  return { interactive, background, dryRun: input.abandoned >= MAX_ABANDONED_ADMISSIONS };
}

export interface AdmissionLoopConfig {
  store: WindowStore;
  queue: WaiterQueue;
  pause: PauseState;
  /** Replies slower than this are abandoned (clustered); undefined: never (in memory). */
  sendBoundMs: number | undefined;
  maxBatch: number;
  canRun: () => boolean;
  /** The log could not be consulted: the caller fails the waiting requests. */
  onError: (error: unknown) => void;
  logger: Logger;
}

export interface AdmissionLoop {
  pump(): void;
  /** Epoch ms before which the log has no room for that kind, as last seen. */
  retryAt(kind: RequestPriority): number;
  /** Forgets timers and what the log said (Redis lost or closing). */
  reset(): void;
}

export function createAdmissionLoop(config: AdmissionLoopConfig): AdmissionLoop {
  const { store, queue, pause, logger } = config;
  const retryAt: Record<RequestPriority, number> = { interactive: 0, background: 0 };
  let abandoned = 0;
  let inFlight = false;
  let timer: NodeJS.Timeout | undefined;
  /** Bumped by `reset`: a reply to an older call is ignored. */
  let generation = 0;

  function wakeAt(at: number): void {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        pump();
      },
      Math.max(1, at - Date.now()),
    );
  }

  function pump(): void {
    if (inFlight || !config.canRun()) return;
    if (pause.isPaused()) {
      wakeAt(pause.until() + 1);
      return;
    }
    const now = Date.now();
    const waiting = { interactive: queue.size('interactive'), background: queue.size('background') };
    const ask = nextAsk({ now, waiting, retryAt, abandoned, maxBatch: config.maxBatch });
    if (ask === undefined) {
      const pending = (['interactive', 'background'] as const).filter((kind) => waiting[kind] > 0).map((kind) => retryAt[kind]);
      if (pending.length > 0) wakeAt(Math.min(...pending));
      return;
    }
    clearTimeout(timer);
    inFlight = true;
    const current = generation;
    const startedAt = performance.now();
    store.admit(ask).then(
      (decision) => {
        if (current !== generation) return;
        inFlight = false;
        onDecision(ask, decision, performance.now() - startedAt);
      },
      (error: unknown) => {
        if (current !== generation) return;
        inFlight = false;
        config.onError(error);
      },
    );
  }

  function onDecision(ask: AdmissionAsk, decision: AdmissionDecision, elapsedMs: number): void {
    const now = Date.now();
    if (ask.interactive > 0) retryAt.interactive = decision.interactiveRetryMs >= 0 ? now + decision.interactiveRetryMs : 0;
    if (ask.background > 0) retryAt.background = decision.backgroundRetryMs >= 0 ? now + decision.backgroundRetryMs : 0;
    if (config.sendBoundMs !== undefined && elapsedMs > config.sendBoundMs) {
      abandoned += 1;
      const admitted = decision.interactive + decision.background;
      if (admitted > 0 && !ask.dryRun)
        logger.warn({ elapsedMs: Math.round(elapsedMs), boundMs: config.sendBoundMs, admitted }, 'rate budget: admission came back too late to send; abandoned as used');
      pump();
      return;
    }
    abandoned = 0;
    if (!ask.dryRun && config.canRun() && !pause.isPaused()) {
      // Synchronous from here to each send: the request leaves now.
      for (let i = 0; i < decision.interactive; i += 1) queue.shift('interactive')?.start({ recordedAt: decision.now });
      for (let i = 0; i < decision.background; i += 1) queue.shift('background')?.start({ recordedAt: decision.now });
    }
    pump();
  }

  return {
    pump,
    retryAt: (kind) => retryAt[kind],
    reset() {
      generation += 1;
      inFlight = false;
      abandoned = 0;
      retryAt.interactive = 0;
      retryAt.background = 0;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
