/**
 * Leadership as the rest of the bridge sees it: who leads, since when, under which fencing
 * token, and a `holds()` check the background workers call before each piece of work.
 *
 * Two implementations: `createStandaloneLeadership` (no Redis: the single process always
 * leads, exactly as before clustering existed) and the Redis elector (leader-elector.ts).
 */

export type Role = 'leader' | 'follower';

/** A change of role. `fence` is the term's fencing token (0 for a standalone process). */
export type LeadershipChange = { role: 'leader'; fence: number } | { role: 'follower'; fence: number; reason: string };

/** Told of every change, in order; the next change waits for the returned promise. */
export type LeadershipListener = (change: LeadershipChange) => Promise<void> | void;

export interface LeadershipStatus {
  mode: 'standalone' | 'clustered';
  role: Role;
  /** This replica's owner token in the lock (clustered only). */
  owner?: string;
  /** The current term's fencing token while leading. */
  fence?: number;
  /** Epoch ms when this replica took its current role. */
  since: number;
}

export interface Leadership {
  readonly mode: 'standalone' | 'clustered';
  status(): LeadershipStatus;
  /**
   * True while this replica may do leader work, on its own clock (no Redis round trip): it
   * leads, the term is `fence` when given, and the term cannot have expired in Redis yet.
   * Workers check it before each item, so a deposed leader stops between items even before
   * the listeners have stopped it.
   */
  holds(fence?: number): boolean;
  /** Adds a listener; returns a function that removes it. */
  onChange(listener: LeadershipListener): () => void;
  /** Starts competing; resolves after the first attempt and whatever it set off (listeners included). */
  start(): Promise<void>;
  /** Gives up the lead now (e.g. a duty failed to start) and lets another replica take it first. */
  resign(reason: string): Promise<void>;
  /** Steps down (listeners told and awaited), releases the lock, stops competing. */
  stop(): Promise<void>;
}

/** Without Redis: the one process leads from start to stop. */
export function createStandaloneLeadership(now: () => number = Date.now): Leadership {
  const listeners = new Set<LeadershipListener>();
  let role: Role = 'follower';
  let since = now();

  const emit = async (change: LeadershipChange): Promise<void> => {
    role = change.role;
    since = now();
    for (const listener of [...listeners]) await listener(change);
  };

  return {
    mode: 'standalone',
    status: () => ({ mode: 'standalone', role, ...(role === 'leader' ? { fence: 0 } : {}), since }),
    holds: (fence) => role === 'leader' && (fence === undefined || fence === 0),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (role === 'leader') return;
      await emit({ role: 'leader', fence: 0 });
    },
    async resign(reason) {
      // Nobody else could take over: a standalone process that cannot do its duties has failed.
      throw new Error(`cannot resign without a cluster: ${reason}`);
    },
    async stop() {
      if (role !== 'leader') return;
      await emit({ role: 'follower', fence: 0, reason: 'shutting down' });
    },
  };
}
