/**
 * The session requests, durable in the store's outbox (one partition per session record),
 * worked through in order by the work runner: a request that fails keeps its place until its
 * retry time, so a follow-up never overtakes the start it follows.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { backoffMs } from '../delivery/backoff.js';
import { createWorkRunner, type DrainTurn } from '../delivery/runner.js';
import type { SessionState } from './session-store.js';
import type { RequestOutcome } from './start.js';
import type { SessionRequest } from './types.js';

export interface RequestQueueDeps {
  state: SessionState;
  /** Works on one request (start or follow-up). */
  process: (request: SessionRequest) => Promise<RequestOutcome>;
  /** First retry delay of a request that failed unexpectedly (doubles per attempt, 5 min cap). */
  retryDelayMs: number;
  mayWork: () => boolean;
  /** Told after every durable enqueue (clustered mode: wakes the leader elsewhere). */
  onEnqueued?: ((partition: string) => void) | undefined;
  logger: Logger;
  now: () => number;
}

export interface RequestQueue {
  /** Persists the request (resolves once stored) and wakes its partition. */
  enqueue(request: SessionRequest): Promise<void>;
  /** New requests in `partition` (or a reason to look again). */
  kick(partition: string): void;
  /** Starts working, and looks at every partition with queued requests; resolves to their number. */
  start(): Promise<number>;
  /** Looks at every partition with queued requests again (the leader's safety-net scan). */
  rescan(): Promise<void>;
  /** Stops taking work (requests in flight finish; see `inFlight`). */
  halt(): void;
  inFlight(): Array<Promise<void>>;
}

export function createRequestQueue(deps: RequestQueueDeps): RequestQueue {
  const { state, logger, now } = deps;
  let started = false;
  const runner = createWorkRunner({}, { drain, logger, now, mayWork: deps.mayWork, retryAfterError: () => now() + deps.retryDelayMs });

  /** Works through a session's requests in order; a failed one keeps its place until its retry time. */
  async function drain(partition: string, turn: DrainTurn): Promise<{ retryAt?: number }> {
    while (turn.mayGoOn()) {
      const entry = await state.head(partition);
      if (!entry) return {};
      if (entry.retryAt !== undefined && entry.retryAt > now()) return { retryAt: entry.retryAt };
      let outcome: RequestOutcome;
      try {
        outcome = await deps.process(entry.item);
      } catch (error) {
        // A platform or store failure: the request keeps its place and is tried again.
        outcome = { kind: 'retry', afterMs: backoffMs(deps.retryDelayMs, entry.attempts), reason: describeError(error) };
        logger.warn({ partition, attempts: entry.attempts + 1, err: describeError(error) }, 'session request failed; retrying');
      }
      if (outcome.kind !== 'done') {
        await state.retryLater(partition, entry.id, now() + outcome.afterMs, outcome.reason);
        return { retryAt: now() + outcome.afterMs };
      }
      await state.complete(partition, entry.id);
    }
    return {};
  }

  const kick = (partition: string): void => {
    if (started) runner.kick(partition);
  };

  async function kickAll(): Promise<number> {
    const partitions = await state.requestPartitions();
    for (const partition of partitions) kick(partition);
    return partitions.length;
  }

  return {
    async enqueue(request) {
      await state.enqueue(request);
      const partition = state.partitionOf(request.sessionRecordId);
      kick(partition);
      deps.onEnqueued?.(partition);
    },
    kick,
    async start() {
      started = true;
      runner.start();
      return kickAll();
    },
    async rescan() {
      await kickAll();
    },
    halt() {
      started = false;
      runner.halt();
    },
    inFlight: () => runner.inFlight(),
  };
}
