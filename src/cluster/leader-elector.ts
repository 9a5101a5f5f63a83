/**
 * The Redis elector: every replica competes for the leader lock (leader-lock.ts); the one
 * that holds it leads until it stops, resigns, or cannot renew.
 *
 * Timing, with `ttlMs` the lock's lifetime (default 10 s):
 * - a follower tries to acquire every `acquireEveryMs` (1 s), and at once when told that the
 *   leader released the lock (`nudge`, from the wake bus);
 * - the leader renews every `renewEveryMs` (ttl / 6);
 * - the term is valid on our own clock until `sentAt + ttl` of the last successful acquire or
 *   renewal (measured from when the request was SENT, so a slow answer only shortens it); the
 *   leader steps down at that moment minus `stepDownMarginMs` (0.6 × ttl), by a timer that
 *   needs no Redis: a leader cut off from Redis stops its work while the lock is still its
 *   own, leaving the margin for its in-flight work to finish or be abandoned before another
 *   replica can take over. A renewal that Redis answers "not yours" ends the term at once.
 * - a dead leader's lock expires after at most `ttlMs`; a follower takes it within
 *   `acquireEveryMs` after that.
 *
 * Changes are delivered to listeners in order, each awaited before the next; the lock is
 * released only after the listeners have stopped the leader's work.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LeaderLock } from './leader-lock.js';
import type { Leadership, LeadershipChange, LeadershipListener, LeadershipStatus, Role } from './leadership.js';

export interface LeaderElectorOptions {
  lock: LeaderLock;
  logger: Logger;
  /** Default: min(1000, ttl / 5). */
  acquireEveryMs?: number;
  /** Default: ttl / 6. */
  renewEveryMs?: number;
  /** Default: 0.6 × ttl. */
  stepDownMarginMs?: number;
  /** After resigning, wait this long before competing again (others go first). Default: ttl. */
  resignCooldownMs?: number;
  /** Called once the lock was released on purpose, so that followers try at once. */
  onReleased?: () => void;
  /** Monotonic clock for deadlines. Default `performance.now`. */
  monotonic?: () => number;
  /** Wall clock for status. Default `Date.now`. */
  now?: () => number;
}

export interface LeaderElector extends Leadership {
  /** Try to acquire now (the lock was just released by its holder). */
  nudge(): void;
}

interface Term {
  fence: number;
  /** Monotonic ms: after this, this replica must not do leader work. */
  deadline: number;
}

/** How often to compete and renew, the safety margin before a term's end, the cooldown after resigning: from the lock's TTL unless set. */
export function electorTimings(ttl: number, options: Pick<LeaderElectorOptions, 'acquireEveryMs' | 'renewEveryMs' | 'stepDownMarginMs' | 'resignCooldownMs'>) {
  return {
    acquireEveryMs: options.acquireEveryMs ?? Math.min(1_000, Math.floor(ttl / 5)),
    renewEveryMs: options.renewEveryMs ?? Math.floor(ttl / 6),
    marginMs: options.stepDownMarginMs ?? Math.floor(ttl * 0.6),
    cooldownMs: options.resignCooldownMs ?? ttl,
  };
}

/** The leadership listeners, told of each change in order, one change after the other; a failing listener is logged. */
function createListenerChain(logger: Logger) {
  const listeners = new Set<LeadershipListener>();
  let delivering: Promise<void> = Promise.resolve();
  return {
    add(listener: LeadershipListener): () => boolean {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliver(change: LeadershipChange): Promise<void> {
      delivering = delivering.then(async () => {
        for (const listener of [...listeners]) {
          try {
            await listener(change);
          } catch (error) {
            logger.error({ role: change.role, fence: change.fence, err: describeError(error) }, 'a leadership listener failed');
          }
        }
      });
      return delivering;
    },
    /** Resolves when every change so far reached every listener. */
    delivered: (): Promise<void> => delivering,
  };
}

/** One attempt at the lock: its fence when won; a failure is logged once per distinct error (a follower tries every second). */
async function acquireOnce(lock: LeaderElectorOptions['lock'], logger: Logger, lastError: string | undefined): Promise<{ fence?: number | undefined; error?: string | undefined }> {
  try {
    return { fence: await lock.acquire() };
  } catch (error) {
    const description = describeError(error);
    if (description !== lastError) logger.warn({ err: description }, 'cannot reach Redis to compete for the lead');
    return { error: description };
  }
}

/**
 * One renewal: true when the lock is still ours, false when it is not, undefined when Redis
 * could not say (logged; the deadline timer steps down if this goes on, until then the term is ours).
 */
async function renewOnce(lock: LeaderElectorOptions['lock'], logger: Logger, fence: number): Promise<boolean | undefined> {
  try {
    return await lock.renew(fence);
  } catch (error) {
    logger.warn({ fence, err: describeError(error) }, 'leader lock renewal failed; retrying');
    return undefined;
  }
}

/** Clears `previous` and starts an unref'd timer (the process never waits for the elector). */
function restartTimer(previous: NodeJS.Timeout | undefined, delayMs: number, fire: () => void): NodeJS.Timeout {
  clearTimeout(previous);
  const timer = setTimeout(fire, delayMs);
  timer.unref();
  return timer;
}

/** Releases the lock if it is still ours (the others may have it at once); a failure only waits for its expiry. */
async function releaseLock(lock: LeaderElectorOptions['lock'], logger: Logger, fence: number, onReleased: (() => void) | undefined): Promise<void> {
  try {
    if (await lock.release()) {
      logger.info({ fence }, 'leader lock released');
      onReleased?.();
    }
  } catch (error) {
    logger.warn({ err: describeError(error) }, 'could not release the leader lock; it expires by itself');
  }
}

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const { lock } = options;
  const logger = options.logger.child({ component: 'leader' });
  const ttl = lock.ttlMs;
  const { acquireEveryMs, renewEveryMs, marginMs, cooldownMs } = electorTimings(ttl, options);
  const monotonic = options.monotonic ?? (() => performance.now());
  const now = options.now ?? Date.now;

  const listeners = createListenerChain(logger);
  let term: Term | undefined;
  let since = now();
  let running = false;
  let loopTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let notBefore = 0;
  /** One acquire or renewal at a time. */
  let busy: Promise<void> | undefined;
  let lastAcquireError: string | undefined;

  const role = (): Role => (term === undefined ? 'follower' : 'leader');

  const deliver = (change: LeadershipChange): Promise<void> => listeners.deliver(change);

  const armDeadline = (current: Term): void => {
    deadlineTimer = restartTimer(deadlineTimer, Math.max(0, current.deadline - monotonic()), () => {
      if (term === current) void stepDown('could not renew the leader lock in time', { release: true });
    });
  };
  const schedule = (delayMs: number): void => {
    clearTimeout(loopTimer);
    if (running) loopTimer = restartTimer(undefined, delayMs, () => void tick());
  };

  async function tick(): Promise<void> {
    if (!running) return;
    if (busy) return busy;
    busy = (term === undefined ? tryAcquire() : renew(term)).finally(() => {
      busy = undefined;
      schedule(term === undefined ? acquireEveryMs : renewEveryMs);
    });
    return busy;
  }

  async function tryAcquire(): Promise<void> {
    if (monotonic() < notBefore) return;
    const sentAt = monotonic();
    const attempt = await acquireOnce(lock, logger, lastAcquireError);
    lastAcquireError = attempt.error;
    const fence = attempt.fence;
    if (fence === undefined) return;
    if (!running) {
      await lock.release().catch(() => false);
      return;
    }
    const current: Term = { fence, deadline: sentAt + ttl - marginMs };
    term = current;
    since = now();
    armDeadline(current);
    logger.info({ role: 'leader', fence, owner: lock.owner }, 'leadership acquired');
    // Not awaited: starting the duties (a gateway login) must not hold up the renewals.
    void deliver({ role: 'leader', fence });
  }

  async function renew(current: Term): Promise<void> {
    const sentAt = monotonic();
    const ok = await renewOnce(lock, logger, current.fence);
    if (ok === undefined || term !== current) return;
    if (!ok) {
      await stepDown('the leader lock is no longer ours', { release: false });
      return;
    }
    current.deadline = sentAt + ttl - marginMs;
    armDeadline(current);
  }

  async function stepDown(reason: string, how: { release: boolean }): Promise<void> {
    const ended = term;
    if (ended === undefined) return;
    term = undefined;
    since = now();
    clearTimeout(deadlineTimer);
    logger.warn({ role: 'follower', fence: ended.fence, reason }, 'leadership lost');
    await deliver({ role: 'follower', fence: ended.fence, reason });
    if (!how.release) return;
    // Our work has stopped: if the lock is still ours, let the others have it now.
    await releaseLock(lock, logger, ended.fence, options.onReleased);
  }

  return {
    mode: 'clustered',
    status(): LeadershipStatus {
      return { mode: 'clustered', role: role(), owner: lock.owner, ...(term ? { fence: term.fence } : {}), since };
    },
    holds(fence) {
      const current = term;
      return current !== undefined && (fence === undefined || fence === current.fence) && monotonic() < current.deadline;
    },
    onChange: (listener) => listeners.add(listener),
    async start() {
      if (running) return;
      running = true;
      logger.info({ owner: lock.owner, ttlMs: ttl }, 'competing for the lead');
      await tick();
      await listeners.delivered();
    },
    nudge: () => (running && term === undefined ? schedule(0) : undefined),
    async resign(reason) {
      notBefore = monotonic() + cooldownMs;
      await stepDown(reason, { release: true });
    },
    async stop() {
      running = false;
      clearTimeout(loopTimer);
      await busy;
      await stepDown('shutting down', { release: true });
      await listeners.delivered();
      clearTimeout(deadlineTimer);
    },
  };
}
