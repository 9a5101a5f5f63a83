/**
 * Catching one channel up: read its history since the checkpoint (or since it is served,
 * bounded by age and pages), hand each message to the engines in order, and move the
 * checkpoint only when all of it was accepted; plus the small helpers of a catch-up run.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelRef, ChatAdapter, InboundDelete, PlatformName, ReadSinceResult } from '../core/chat.js';
import type { InboundConsumer, PlatformEvent, ServedChannel } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import { channelKey } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { CatchUpCheckpoints } from './checkpoints.js';
import { type RecentMessages, vanishedMessages } from './recent-messages.js';

/** Pauses before reading a channel's history again after a failed read (then: next start or reconnect). */
export const HISTORY_RETRY_DELAYS_MS: readonly number[] = [500, 2_000, 8_000];

export interface CatchUpSettings {
  enabled: boolean;
  /** History pages per channel (and again per thread with new replies) per catch-up. */
  maxPages: number;
  overlapMs: number;
  maxAgeMs: number;
  threadLookbackMs: number;
  /** Edits made meanwhile to messages this recent are caught up too (0: none before the starting point). */
  changesLookbackMs: number;
  /** Channels read at the same time. */
  concurrency: number;
}

export interface ChannelReadDeps {
  checkpoints: CatchUpCheckpoints;
  settings: CatchUpSettings;
  logger: Logger;
  now: () => number;
  signal: AbortSignal;
  /** True once catch-up stops: nothing more is read or handed on. */
  stopped: () => boolean;
  /** Hands a message to the engines (recording it with the checkpoints). */
  accept: (event: PlatformEvent, source: ChatAdapter) => Promise<void>;
  /** The recent messages accepted, to find those deleted meanwhile (absent: deletes are not caught up). */
  recent?: RecentMessages;
}

/** Hands the event to the engines; a refused message freezes its channel's checkpoint until it is accepted, an accepted one moves it. */
export async function acceptRecorded(
  deps: { consumers: readonly InboundConsumer[]; checkpoints: CatchUpCheckpoints; recent?: RecentMessages | undefined },
  event: PlatformEvent,
  source: ChatAdapter,
): Promise<void> {
  try {
    for (const consumer of deps.consumers) await consumer.accept(event, source);
  } catch (error) {
    if (event.kind === 'message') deps.checkpoints.freeze(event.ref, event.eventId);
    throw error;
  }
  if (event.kind === 'message') {
    // A message refused before and accepted now (retried in process) no longer holds the channel.
    deps.checkpoints.thaw(event.ref, event.eventId);
    deps.checkpoints.accepted(event.ref);
    deps.recent?.accepted(event);
  }
}

/** The channels the engines serve on a platform, each once, from the earliest time any engine serves it. */
export async function servedChannelsOn(sources: ReadonlyArray<() => Promise<ServedChannel[]>>, platform: PlatformName): Promise<ServedChannel[]> {
  const byKey = new Map<string, ServedChannel>();
  for (const source of sources) {
    for (const served of await source()) {
      if (served.channel.platform !== platform) continue;
      const key = channelKey(served.channel);
      const known = byKey.get(key);
      if (!known || served.since < known.since) byKey.set(key, { channel: { platform, channelId: served.channel.channelId }, since: served.since });
    }
  }
  return [...byKey.values()];
}

/** Runs `work` over the items in order, `concurrency` at a time (at least one). */
export async function inTurns<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export async function catchUpChannel(deps: ChannelReadDeps, adapter: ChatAdapter, served: ServedChannel, after: string | undefined): Promise<void> {
  const { checkpoints, settings, logger, now } = deps;
  const read = adapter.readSince;
  if (!read || deps.stopped()) return;
  const channel = served.channel;
  const started = now();
  let result;
  for (let attempt = 0; ; attempt += 1) {
    try {
      result = await read.call(adapter, channel, {
        ...(after !== undefined ? { afterMessageId: after } : {}),
        overlapMs: settings.overlapMs,
        notBeforeMs: Math.max(served.since, started - settings.maxAgeMs),
        maxPages: settings.maxPages,
        threadLookbackMs: settings.threadLookbackMs,
        ...(settings.changesLookbackMs > 0 ? { changesSinceMs: started - settings.changesLookbackMs } : {}),
        signal: deps.signal,
      });
      break;
    } catch (error) {
      if (deps.stopped()) return;
      // Live events move on; the checkpoint must not, or the next catch-up would skip the gap.
      checkpoints.freeze(channel);
      // One failed read (a 5xx, a timeout, a reset) must not leave the gap until the next
      // start: Discord never redelivers what happened while we were down.
      const delayMs = HISTORY_RETRY_DELAYS_MS[attempt];
      if (delayMs !== undefined) {
        logger.warn(
          { channel: channelKey(channel), attempt: attempt + 1, retryInMs: delayMs, err: describeError(error) },
          'catch-up could not read the channel history; trying again',
        );
        const waited = await sleep(delayMs, true, { signal: deps.signal }).catch(() => false);
        if (waited && !deps.stopped()) continue;
        return;
      }
      logger.error({ channel: channelKey(channel), err: describeError(error) }, 'catch-up could not read the channel history; it is read again at the next start or reconnect');
      return;
    }
  }
  if (result.truncated) {
    logger.warn({ channel: channelKey(channel), maxPages: settings.maxPages }, 'catch-up reached its page bound: older messages of the gap are not caught up');
  }
  for (const message of result.messages) {
    if (deps.stopped()) return;
    try {
      await deps.accept(message, adapter);
    } catch (error) {
      logger.error(
        { channel: channelKey(channel), eventId: message.eventId, err: describeError(error) },
        'catch-up: the engines refused a message; it is read again at the next start or reconnect',
      );
      return;
    }
  }
  // After every message: an edit never reaches the engines before its message. The engines
  // send on only what differs from what they last sent, so an edit read again is sent once.
  for (const edit of result.edits ?? []) {
    if (deps.stopped()) return;
    try {
      await deps.accept(edit, adapter);
    } catch (error) {
      logger.error(
        { channel: channelKey(channel), eventId: edit.eventId, err: describeError(error) },
        'catch-up: the engines refused an edit; it is read again at the next start or reconnect',
      );
      checkpoints.freeze(channel);
      return;
    }
  }
  const deleted = await catchUpDeletes(deps, adapter, channel, result);
  if (deleted === undefined) return;
  checkpoints.thaw(channel);
  logger.info(
    { channel: channelKey(channel), read: result.messages.length, edits: result.edits?.length ?? 0, deletes: deleted, from: after ?? 'served since', tookMs: now() - started },
    'channel caught up',
  );
}

/**
 * Hands over a delete for each recent message gone from the history just read; the number
 * handed over, or undefined when the engines refused one (looked for again next time).
 */
async function catchUpDeletes(deps: ChannelReadDeps, adapter: ChatAdapter, channel: ChannelRef, result: ReadSinceResult): Promise<number | undefined> {
  if (!deps.recent || !result.present) return 0;
  const gone = vanishedMessages(await deps.recent.list(channel), { fromId: result.present.fromId, presentIds: result.present.topLevelIds, truncated: result.truncated });
  for (const messageId of gone) {
    if (deps.stopped()) return undefined;
    const event: InboundDelete = {
      kind: 'delete',
      platform: channel.platform,
      eventId: `${channel.platform}:catch-up-delete:${channel.channelId}:${messageId}`,
      receivedAt: deps.now(),
      ref: { platform: channel.platform, channelId: channel.channelId, messageId },
    };
    try {
      await deps.accept(event, adapter);
    } catch (error) {
      deps.logger.error(
        { channel: channelKey(channel), eventId: event.eventId, err: describeError(error) },
        'catch-up: the engines refused a delete; it is looked for again at the next start or reconnect',
      );
      deps.checkpoints.freeze(channel);
      return undefined;
    }
    // Handed over once: the next catch-up does not find it again.
    deps.recent.forget(channel, [messageId]);
  }
  return gone.length;
}
