/**
 * The Fluxra poller: Fluxra → platforms for every linked conversation.
 *
 * Fluxra pushes nothing (spec §9.6), so each linked conversation is read on its own
 * schedule: every `pollIntervalMs` while active (a message within `activeForMs`), every
 * `idlePollIntervalMs` when quiet, further apart while Fluxra fails or answers 429. Polls of
 * one conversation never overlap (one chain per conversation), and all of them go through
 * the Fluxra rate budget at background priority, behind people's requests.
 *
 * One poll: read everything after the saved cursor, deliver it (`from-fluxra.ts`), and save
 * the new cursor only once every message of the batch is delivered; a failure leaves the
 * cursor, so the batch is read and delivered again, and `postOnce` plus the delivery records
 * keep that from doubling anything. A conversation without a cursor starts from "now": the
 * newest page is read once, only what was written since the link was made is delivered, and
 * its cursor saved. Every `editScanIntervalMs` the newest `editScanSize` messages are re-read
 * to follow edits and deletes.
 *
 * The set of conversations is re-read from the links every `linkRefreshMs`, so links made or
 * removed at run time are picked up; `pollNow` polls one at once (e.g. right after a link).
 */
import type { ChannelRef } from '../../core/chat.js';
import type { AdapterDirectory } from '../../core/consumer.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { MirrorMetrics } from '../../core/metrics-hooks.js';
import { clampTimerDelay } from '../../core/timer-delay.js';
import { createOutboxWorker, type DeliveryOutcome, type OutboxWorker } from '../../delivery/runner.js';
import type { FluxraClient } from '../../services/fluxra/index.js';
import type { OutboxEntry, Store } from '../../store/index.js';
import { decideRetryOrDead } from '../delivery-decision.js';
import { fromFluxraPartition, isFromFluxraPartition, type MirrorConfig } from '../mirror-item.js';
import { createPendingCopies, RootCopyPendingError, rootWaitMs } from '../pending-copies.js';
import { createFromFluxra, type FromFluxra, type FromFluxraItem } from './deliver.js';
import { createConversationReader, type Watch } from './reader.js';
import { nextPollDelay } from './timing.js';

export interface FluxraPollerDeps {
  fluxra: Pick<FluxraClient, 'listMessages' | 'readMessagesSince'>;
  store: Store;
  adapters: AdapterDirectory;
  config: MirrorConfig;
  /** The bridge's own Fluxra agent id: its messages are not posted back (no echo). */
  selfAgentId: string;
  logger: Logger;
  /** How often the linked conversations are re-read. Default: `config.pollIntervalMs`. */
  linkRefreshMs?: number;
  now?: () => number;
  /** Jitter source for retry spacing. Default `Math.random`. */
  random?: () => number;
  /** Counts delivered messages and each conversation's poll lag. */
  metrics?: MirrorMetrics;
  /** Checked before each poll: false skips it (a deposed cluster leader). Default: always true. */
  mayWork?: () => boolean;
  /** Counts copies that failed for good (moved to the dead letters). */
  onDeadLetter?: (partition: string) => void;
}

export interface FluxraPoller {
  /** Reads the links and starts polling each linked conversation; resolves once scheduled. */
  start(): Promise<void>;
  /** Stops scheduling, cancels waits for Fluxra, and waits for deliveries under way. */
  stop(): Promise<void>;
  /** Polls the conversation now (after any poll of it under way) and resolves when done. */
  pollNow(conversationId: string): Promise<void>;
  /**
   * The bridge just sent a person's message into the conversation: agents tend to answer,
   * so a quiet conversation counts as active from now and its next poll comes no later
   * than `pollIntervalMs` away (instead of the idle interval).
   */
  noteActivity(conversationId: string): void;
  /** New work in one of the agents' posts partitions (others are ignored). */
  notify(partition: string, options?: { force?: boolean }): void;
  /** Looks at every agents' posts partition again. */
  rescan(options?: { force?: boolean }): Promise<void>;
  /** Resolves when no queued copy is ready and none is in flight. */
  idle(): Promise<void>;
  busy(): boolean;
}

/**
 * What the agents' posts queue does with one item: post it, or wait for its thread root, or
 * retry with backoff, or (after `maxAttempts`) keep it as a dead letter; the channel goes on.
 */
async function handleQueuedCopy(
  entry: OutboxEntry<FromFluxraItem>,
  deps: { from: FromFluxra; pending: ReturnType<typeof createPendingCopies>; config: MirrorConfig; logger: Logger; now: () => number },
): Promise<DeliveryOutcome> {
  const { from, pending, config, logger, now } = deps;
  const { message, channel } = entry.item;
  try {
    await from.deliverQueued(entry.item);
    return { kind: 'done' };
  } catch (error) {
    if (error instanceof RootCopyPendingError) return { kind: 'wait', retryAt: now() + rootWaitMs(config) };
    const description = describeError(error);
    const decision = decideRetryOrDead(error, entry.attempts, now(), config);
    if (decision.kind === 'dead') {
      logger.error(
        { partition: entry.partition, messageId: message.messageId, reason: decision.reason, err: description },
        'delivery of a Fluxra message failed for good; moved to the dead letters',
      );
      // Replies waiting for it go top-level now (quoted where they are cross-posts).
      await pending.settle(message.messageId, [channel]);
      return { kind: 'dead', reason: `${decision.reason}: ${description}` };
    }
    logger.warn(
      { partition: entry.partition, messageId: message.messageId, attempt: decision.attempt, retryInMs: decision.waitMs, err: description },
      'delivery of a Fluxra message failed; will retry',
    );
    return { kind: 'retry', retryAt: decision.retryAt, error: description };
  }
}

/** A newly followed conversation; its first edit scan waits one interval (right after start nothing was delivered yet). */
function newWatch(conversationId: string, now: number, editScanIntervalMs: number): Watch {
  return {
    conversationId,
    timer: undefined,
    dueAt: 0,
    tail: Promise.resolve(),
    lastMessageAt: undefined,
    failures: 0,
    lastError: undefined,
    nextEditScanAt: now + editScanIntervalMs,
    removed: false,
  };
}

/**
 * A message was just sent into the conversation: it counts as active from now, and its next
 * poll comes no later than `pollIntervalMs` away. A poll under way (no timer) schedules the
 * next one as active when it ends; a failing conversation keeps its back-off.
 */
function pollSoon(entry: Watch, now: number, pollIntervalMs: number, poll: () => void): void {
  entry.lastMessageAt = now;
  if (entry.timer === undefined || entry.failures > 0 || entry.dueAt <= now + pollIntervalMs) return;
  clearTimeout(entry.timer);
  entry.dueAt = now + pollIntervalMs;
  entry.timer = setTimeout(poll, pollIntervalMs);
  entry.timer.unref();
}

/**
 * The agents' posts queue: one partition per target channel, drained by its own worker. A
 * stopped worker cannot start again, so each run after a stop builds a new one.
 */
function createCopyQueue(build: () => OutboxWorker) {
  let worker = build();
  let stopped = false;
  return {
    async start(): Promise<void> {
      if (stopped) {
        worker = build();
        stopped = false;
      }
      await worker.start();
    },
    async stop(): Promise<void> {
      stopped = true;
      await worker.stop();
    },
    notify: (partition: string, options?: { force?: boolean }) => worker.notify(partition, options),
    notifyAll: (options?: { force?: boolean }) => worker.notifyAll(options),
    idle: () => worker.idle(),
    busy: () => worker.busy(),
  };
}

/**
 * Polls of one conversation never overlap: `run` chains a poll after whatever runs for it,
 * then schedules the next one after the delay `nextPollDelay` decides.
 */
function createPollChain(deps: {
  config: MirrorConfig;
  now: () => number;
  random: () => number;
  running: () => boolean;
  pollOnce: (watch: Watch) => Promise<void>;
}): (watch: Watch) => Promise<void> {
  const { config, now, random } = deps;
  const schedule = (watch: Watch): void => {
    if (!deps.running() || watch.removed) return;
    clearTimeout(watch.timer);
    const delay = nextPollDelay(config, { now: now(), lastMessageAt: watch.lastMessageAt, failures: watch.failures, error: watch.lastError, random: random() });
    watch.dueAt = now() + delay;
    watch.timer = setTimeout(() => void run(watch), clampTimerDelay(delay));
    watch.timer.unref();
  };
  const run = (watch: Watch): Promise<void> => {
    clearTimeout(watch.timer);
    watch.timer = undefined;
    const next = watch.tail.then(() => deps.pollOnce(watch)).finally(() => schedule(watch));
    watch.tail = next.catch(() => undefined);
    return watch.tail;
  };
  return run;
}

/** The conversations followed, by id: `follow` adds one (or returns it), `unfollow` drops it for good. */
function createWatches(deps: { now: () => number; editScanIntervalMs: number; metrics: MirrorMetrics | undefined; logger: Logger }) {
  const watches = new Map<string, Watch>();
  const follow = (conversationId: string): Watch => {
    let found = watches.get(conversationId);
    if (!found) {
      found = newWatch(conversationId, deps.now(), deps.editScanIntervalMs);
      watches.set(conversationId, found);
    }
    return found;
  };
  const unfollow = (entry: Watch): void => {
    entry.removed = true;
    clearTimeout(entry.timer);
    watches.delete(entry.conversationId);
    deps.metrics?.forget(entry.conversationId);
    deps.logger.info({ conversationId: entry.conversationId }, 'stopped following a conversation (no linked channel)');
  };
  return { watches, follow, unfollow };
}

export function createFluxraPoller(deps: FluxraPollerDeps): FluxraPoller {
  const { fluxra, store, config } = deps;
  const logger = deps.logger.child({ component: 'fluxra-poller' });
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const linkRefreshMs = deps.linkRefreshMs ?? config.pollIntervalMs;
  const mayWork = deps.mayWork ?? (() => true);
  const pending = createPendingCopies(store);
  const copies = createCopyQueue(() =>
    createOutboxWorker<FromFluxraItem>({
      outbox: store.outbox,
      ownsPartition: isFromFluxraPartition,
      handle: (entry) => handleQueuedCopy(entry, { from, pending, config, logger, now }),
      deadLetters: store.deadLetters,
      ...(deps.onDeadLetter ? { onDeadLetter: deps.onDeadLetter } : {}),
      logger,
      now,
      mayWork,
    }),
  );
  const queue = async (channel: ChannelRef, item: FromFluxraItem): Promise<void> => {
    const partition = fromFluxraPartition(channel);
    await store.outbox.enqueue(partition, item);
    copies.notify(partition);
  };
  const from = createFromFluxra({ store, adapters: deps.adapters, selfAgentId: deps.selfAgentId, logger, now, metrics: deps.metrics, queue, pending });
  const { watches, follow: watch, unfollow: unwatch } = createWatches({ now, editScanIntervalMs: config.editScanIntervalMs, metrics: deps.metrics, logger });
  let abort = new AbortController();
  let running = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> = Promise.resolve();

  const reader = createConversationReader({
    fluxra,
    store,
    from,
    config,
    logger,
    now,
    metrics: deps.metrics,
    signal: () => abort.signal,
    stillRunning: () => running,
    mayPoll: (watch) => running && !watch.removed && mayWork(),
  });
  /** Chains one poll after whatever runs for this conversation, then schedules the next. */
  const run = createPollChain({ config, now, random, running: () => running, pollOnce: (watch) => reader.pollOnce(watch) });

  const refreshLinks = async (): Promise<void> => {
    try {
      const linked = new Set(await store.links.conversations());
      for (const conversationId of linked) {
        if (watches.has(conversationId)) continue;
        logger.info({ conversationId }, 'following a linked conversation');
        void run(watch(conversationId));
      }
      for (const entry of [...watches.values()]) if (!linked.has(entry.conversationId)) unwatch(entry);
    } catch (error) {
      logger.warn({ err: describeError(error) }, 'could not read the links; keeping the conversations known so far');
    }
  };

  const scheduleRefresh = (): void => {
    if (!running) return;
    refreshTimer = setTimeout(() => {
      refreshing = refreshLinks().finally(scheduleRefresh);
    }, linkRefreshMs);
    refreshTimer.unref();
  };

  return {
    async start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      await copies.start();
      refreshing = refreshLinks();
      await refreshing;
      scheduleRefresh();
    },

    async stop() {
      if (!running) return;
      running = false;
      clearTimeout(refreshTimer);
      abort.abort();
      for (const entry of watches.values()) clearTimeout(entry.timer);
      await refreshing.catch(() => undefined);
      await Promise.all([...watches.values()].map((entry) => entry.tail));
      for (const entry of watches.values()) clearTimeout(entry.timer);
      watches.clear();
      await copies.stop();
    },

    notify: copies.notify,
    rescan: copies.notifyAll,
    idle: copies.idle,
    busy: copies.busy,

    noteActivity(conversationId) {
      const entry = watches.get(conversationId);
      if (!running || entry === undefined || entry.removed) return;
      pollSoon(entry, now(), config.pollIntervalMs, () => void run(entry));
    },

    async pollNow(conversationId) {
      if (!running) return;
      const entry = watch(conversationId);
      entry.removed = false;
      await run(entry);
    },
  };
}
