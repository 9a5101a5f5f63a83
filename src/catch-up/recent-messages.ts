/**
 * Which top-level messages of a channel the engines accepted recently, so that a catch-up
 * can tell a message deleted while the bridge was down: accepted, recent, and no longer in
 * the channel's history. One small record per channel (`store.kv('catch-up-recent')`),
 * written at most once per `flushIntervalMs` (1 s) and at stop: a write lost in a crash
 * only means a delete of those messages is not caught up, never a false one.
 *
 * Only top-level messages by people count: a reply lives in a thread a catch-up may not
 * read, and our own posts are the bridge's to delete.
 */

import type { ChannelRef, InboundMessage } from '../core/chat.js';
import { channelKey } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import { compareMessageIds } from './checkpoints.js';

export const CATCH_UP_RECENT_KV = 'catch-up-recent';

export interface RecentEntry {
  /** The message id (Slack `ts`, Discord snowflake). */
  id: string;
  /** When it was accepted (epoch ms): entries older than the lookback are dropped. */
  at: number;
}

/** Entries accepted within `lookbackMs` of `now`, the newest `max` of them, oldest first, each id once. */
export function pruneRecent(entries: readonly RecentEntry[], now: number, lookbackMs: number, max: number): RecentEntry[] {
  const byId = new Map<string, RecentEntry>();
  for (const entry of entries) if (now - entry.at <= lookbackMs) byId.set(entry.id, entry);
  const sorted = [...byId.values()].sort((a, b) => compareMessageIds(a.id, b.id));
  return sorted.slice(Math.max(0, sorted.length - max));
}

/**
 * The recent messages gone from history: after `readFromId` (from there on the read saw every
 * top-level message still present) and not among `presentIds`. Nothing when the read was
 * truncated: an unread page is not a deleted message.
 */
export function vanishedMessages(recent: readonly RecentEntry[], read: { fromId: string; presentIds: readonly string[]; truncated: boolean }): string[] {
  if (read.truncated) return [];
  const present = new Set(read.presentIds);
  return recent.filter((entry) => compareMessageIds(entry.id, read.fromId) > 0 && !present.has(entry.id)).map((entry) => entry.id);
}

/** Whether an accepted message is one whose delete a catch-up may find. */
export function tracksForDeletes(message: InboundMessage): boolean {
  return !message.author.isSelf && (message.ref.threadRootId === undefined || message.ref.threadRootId === message.ref.messageId);
}

export interface RecentMessages {
  accepted(message: InboundMessage): void;
  /** The channel's recent entries: what is stored, with this process's changes. */
  list(channel: ChannelRef): Promise<RecentEntry[]>;
  /** These were handed over as deletes: not again. */
  forget(channel: ChannelRef, ids: readonly string[]): void;
  flush(): Promise<void>;
}

export function createRecentMessages(deps: { store: Store; logger: Logger; lookbackMs: number; max?: number; now?: () => number; flushIntervalMs?: number }): RecentMessages {
  const records = deps.store.kv<RecentEntry[]>(CATCH_UP_RECENT_KV);
  const now = deps.now ?? Date.now;
  const max = deps.max ?? 1_000;
  const pending = new Map<string, { added: RecentEntry[]; removed: Set<string> }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const changesOf = (key: string) => {
    let changes = pending.get(key);
    if (!changes) {
      changes = { added: [], removed: new Set() };
      pending.set(key, changes);
    }
    return changes;
  };
  const merged = (stored: readonly RecentEntry[], changes: { added: RecentEntry[]; removed: Set<string> } | undefined): RecentEntry[] =>
    pruneRecent([...stored, ...(changes?.added ?? [])], now(), deps.lookbackMs, max).filter((entry) => !changes?.removed.has(entry.id));

  async function writeAll(): Promise<void> {
    const batch = [...pending.entries()];
    pending.clear();
    for (const [key, changes] of batch) {
      try {
        await records.set(key, merged((await records.get(key)) ?? [], changes));
      } catch (error) {
        deps.logger.warn({ channel: key, err: error }, 'recent messages not saved; deletes of them may not be caught up');
      }
    }
  }

  const schedule = (): void => {
    if (timer !== undefined || deps.lookbackMs <= 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      writing = writing.then(writeAll);
    }, deps.flushIntervalMs ?? 1_000);
    timer.unref();
  };

  return {
    accepted(message) {
      if (deps.lookbackMs <= 0 || !tracksForDeletes(message)) return;
      changesOf(channelKey(message.ref)).added.push({ id: message.ref.messageId, at: now() });
      schedule();
    },
    async list(channel) {
      const key = channelKey(channel);
      return merged((await records.get(key)) ?? [], pending.get(key));
    },
    forget(channel, ids) {
      const changes = changesOf(channelKey(channel));
      for (const id of ids) changes.removed.add(id);
      schedule();
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      writing = writing.then(writeAll);
      await writing;
    },
  };
}
