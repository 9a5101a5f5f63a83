/**
 * Keeps live events behind catch-up, per channel. A catch-up reads history and feeds what
 * was missed; a live event of the same channel that overtook it would reach the engines
 * before older messages and break the channel's order. So:
 * - while a platform holds (its connection is being re-established, or a catch-up is still
 *   deciding which channels to read), its live events wait in arrival order;
 * - a catch-up reserves each channel it will read before the hold lifts; a live event of a
 *   reserved channel runs after the reservation is released, other channels' go on at once.
 */
import type { ChannelRef, PlatformName } from '../core/chat.js';
import { createKeyedLock } from '../core/keyed-lock.js';
import { channelKey } from '../core/keys.js';

export interface CatchUpGate {
  /** Runs live work for `channel` in its turn (after holds and reservations before it). */
  pass<T>(channel: ChannelRef, work: () => Promise<T>): Promise<T>;
  /** Holds the platform's live events until the returned release is called (idempotent). */
  hold(platform: PlatformName): () => void;
  /**
   * Reserves the channel (synchronously: live work passed later waits) until `released`
   * settles; `run` is what the reservation does meanwhile.
   */
  reserve(channel: ChannelRef, run: () => Promise<void>): Promise<void>;
  /** Drops every hold (shutdown): waiting work goes on. */
  releaseAll(): void;
}

export function createCatchUpGate(): CatchUpGate {
  const lock = createKeyedLock();
  const holds = new Map<PlatformName, Set<symbol>>();
  const waiting = new Map<PlatformName, Array<() => void>>();

  const flush = (platform: PlatformName): void => {
    if ((holds.get(platform)?.size ?? 0) > 0) return;
    const queue = waiting.get(platform) ?? [];
    waiting.delete(platform);
    // In arrival order, synchronously: each takes its place in its channel's lock queue.
    for (const go of queue) go();
  };

  return {
    pass(channel, work) {
      if ((holds.get(channel.platform)?.size ?? 0) === 0) return lock.run(channelKey(channel), work);
      return new Promise((resolve, reject) => {
        const queue = waiting.get(channel.platform) ?? [];
        waiting.set(channel.platform, queue);
        queue.push(() => void lock.run(channelKey(channel), work).then(resolve, reject));
      });
    },
    hold(platform) {
      const token = Symbol('hold');
      const set = holds.get(platform) ?? new Set<symbol>();
      holds.set(platform, set);
      set.add(token);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        set.delete(token);
        flush(platform);
      };
    },
    reserve(channel, run) {
      return lock.run(channelKey(channel), run);
    },
    releaseAll() {
      for (const [platform, set] of holds) {
        set.clear();
        flush(platform);
      }
    },
  };
}
