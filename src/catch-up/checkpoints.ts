/**
 * Per channel, the newest platform message the engines accepted: where a catch-up starts
 * reading. One small record per channel (`store.kv('catch-up-checkpoints')`), covering
 * the channel's threads too (ids are times on both platforms, and thread replies are read
 * from the same point).
 *
 * Writes are off the acknowledgement path and coalesced per channel: at most one write in
 * flight and at most one started per `minIntervalMs` (1 s), the newest id written next. A
 * busy channel would otherwise cost a store write per message. A write lost in a crash (or
 * still waiting out the interval) only makes the next catch-up start earlier, and what it
 * reads again is dropped by the engines' dedupe. `flush` writes what waits at once.
 *
 * A channel whose event the engines refused (or whose catch-up failed) is frozen: its
 * checkpoint stops moving until a catch-up of it completes, or the refused message is
 * accepted at last (the Discord intake retries it in process), so that the next catch-up
 * (restart or reconnect) reads the refused message again instead of skipping past it.
 */

import type { ChannelRef, MessageRef } from '../core/chat.js';
import { channelKey } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';

export const CATCH_UP_CHECKPOINTS_KV = 'catch-up-checkpoints';

interface CheckpointRecord {
  messageId: string;
  /** Epoch ms of the write, for people reading the store. */
  savedAt: number;
}

export interface CatchUpCheckpoints {
  /** The newest accepted message id of the channel, if any was recorded. */
  get(channel: ChannelRef): Promise<string | undefined>;
  /** The engines accepted this message: move the channel's checkpoint forward (never back). */
  accepted(ref: MessageRef): void;
  /**
   * Stop moving the channel's checkpoint until `thaw`. `holder` names why (a refused
   * message's event id); without one, the channel as a whole (its history read failed).
   */
  freeze(channel: ChannelRef, holder?: string): void;
  /**
   * Lifts the freeze of `holder` (a refused message accepted at last); without a holder,
   * every freeze of the channel (a catch-up of it completed). The checkpoint moves again once
   * no freeze is left.
   */
  thaw(channel: ChannelRef, holder?: string): void;
  /** Resolves once every scheduled write is done. */
  flush(): Promise<void>;
}

/**
 * Orders message ids of one channel: Slack `ts` (seconds.micros) and Discord snowflakes
 * are both decimal numbers that grow with time.
 */
export function compareMessageIds(a: string, b: string): number {
  const [aInt = '0', aFrac = ''] = a.split('.');
  const [bInt = '0', bFrac = ''] = b.split('.');
  const ai = BigInt(aInt || '0');
  const bi = BigInt(bInt || '0');
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(aFrac.length, bFrac.length);
  const af = BigInt(aFrac.padEnd(width, '0') || '0');
  const bf = BigInt(bFrac.padEnd(width, '0') || '0');
  return af === bf ? 0 : af < bf ? -1 : 1;
}

export const CHECKPOINT_MIN_INTERVAL_MS = 1_000;

/** The holder of a freeze for the channel as a whole (its history could not be read). */
const WHOLE_CHANNEL = '*';

export function createCatchUpCheckpoints(deps: { store: Store; logger: Logger; now?: () => number; minIntervalMs?: number }): CatchUpCheckpoints {
  const records = deps.store.kv<CheckpointRecord>(CATCH_UP_CHECKPOINTS_KV);
  const now = deps.now ?? Date.now;
  const minIntervalMs = deps.minIntervalMs ?? CHECKPOINT_MIN_INTERVAL_MS;
  /** When each channel's last write started, and the timers of writes waiting out the interval. */
  const lastWriteAt = new Map<string, number>();
  const delayed = new Map<string, NodeJS.Timeout>();
  /** Newest id wanted per channel key, and the newest known to be stored. */
  const wanted = new Map<string, string>();
  const written = new Map<string, string>();
  const writers = new Map<string, Promise<void>>();
  /** Per frozen channel key, what holds it (see `freeze`). */
  const frozen = new Map<string, Set<string>>();

  async function write(key: string): Promise<void> {
    if (!written.has(key)) {
      // The stored value may be newer (catch-up feeds an overlap again): never move it back.
      const stored = (await records.get(key))?.messageId;
      if (stored !== undefined) {
        written.set(key, stored);
        const target = wanted.get(key);
        if (target === undefined || compareMessageIds(target, stored) < 0) wanted.set(key, stored);
      }
    }
    // One write; a newer id accepted meanwhile is written by the next `schedule` (after the interval).
    const target = wanted.get(key);
    const stored = written.get(key);
    if (target === undefined || (stored !== undefined && compareMessageIds(target, stored) <= 0)) return;
    lastWriteAt.set(key, now());
    await records.set(key, { messageId: target, savedAt: now() });
    written.set(key, target);
  }

  function schedule(key: string, immediately = false): void {
    if (writers.has(key) || (delayed.has(key) && !immediately)) return;
    const wait = immediately ? 0 : (lastWriteAt.get(key) ?? Number.NEGATIVE_INFINITY) + minIntervalMs - now();
    if (wait > 0) {
      const timer = setTimeout(() => {
        delayed.delete(key);
        schedule(key, true);
      }, wait);
      // A pending checkpoint must not keep the process alive: losing it is harmless.
      timer.unref();
      delayed.set(key, timer);
      return;
    }
    clearTimeout(delayed.get(key));
    delayed.delete(key);
    const writer = write(key)
      .catch((error: unknown) => deps.logger.warn({ channel: key, err: error }, 'catch-up checkpoint not saved; the next catch-up starts earlier'))
      .finally(() => {
        writers.delete(key);
        // Moved on between the last write and now: write again.
        const target = wanted.get(key);
        const stored = written.get(key);
        if (target !== undefined && stored !== undefined && compareMessageIds(target, stored) > 0) schedule(key);
      });
    writers.set(key, writer);
  }

  return {
    async get(channel) {
      return (await records.get(channelKey(channel)))?.messageId;
    },
    accepted(ref) {
      const key = channelKey(ref);
      if (frozen.has(key)) return;
      const current = wanted.get(key);
      if (current !== undefined && compareMessageIds(ref.messageId, current) <= 0) return;
      wanted.set(key, ref.messageId);
      schedule(key);
    },
    freeze(channel, holder = WHOLE_CHANNEL) {
      const key = channelKey(channel);
      const holders = frozen.get(key) ?? new Set<string>();
      holders.add(holder);
      frozen.set(key, holders);
    },
    thaw(channel, holder) {
      const key = channelKey(channel);
      const holders = frozen.get(key);
      if (holders === undefined) return;
      if (holder === undefined) holders.clear();
      else holders.delete(holder);
      if (holders.size === 0) frozen.delete(key);
    },
    async flush() {
      while (writers.size > 0 || delayed.size > 0) {
        for (const key of [...delayed.keys()]) schedule(key, true);
        await Promise.allSettled([...writers.values()]);
      }
    },
  };
}
