/**
 * The mirror engine: the composition root hands it every platform message, edit and
 * delete (`accept`, durable before it resolves), and it mirrors linked channels both ways:
 * platform → Fluxra through one outbox worker, then into the other linked channels through
 * a second (the copy stage, so that a slow platform never holds back sends to Fluxra);
 * Fluxra → platforms through the poller.
 *
 * Per item the worker decides, from the link and the failure, between done, retry with
 * backoff (a failed head blocks only its channel), waiting while the link is paused (a
 * Fluxra block), and dropping (unlinked channel, or a message Fluxra refuses as invalid).
 */
import type { AdapterDirectory, InboundConsumer, PlatformEvent } from '../core/consumer.js';
import { RateLimitedError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MirrorMetrics } from '../core/metrics-hooks.js';
import type { ChannelRef, ChatAdapter } from '../core/chat.js';
import { FluxraApiError, type FluxraClient } from '../services/fluxra/index.js';
import type { OutboxEntry, Store } from '../store/index.js';
import { toChannelRef } from '../core/keys.js';
import { createCrossPoster } from './cross-post.js';
import { createMirrorIntake } from './intake.js';
import { createLinkNotices } from './link-notices.js';
import { copyPartition, isCopyPartition, isSendPartition, mirrorPartition, type CopyItem, type MirrorConfig, type MirrorItem } from './mirror-item.js';
import { createOutboxWorker, retryDelayMs, type DeliveryOutcome } from '../delivery/outbox-worker.js';
import { createFluxraPoller } from './poller.js';
import { createToFluxra } from './to-fluxra.js';

/** The Fluxra → platforms half (see `poller.ts`), as the engine drives it. */
export interface MirrorPoller {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  pollNow(conversationId: string): Promise<void>;
  /** A person's message was just sent into the conversation (answers are likely: poll soon). */
  noteActivity?(conversationId: string): void;
}

export interface MirrorEngineOptions {
  store: Store;
  fluxra: FluxraClient;
  adapters: AdapterDirectory;
  config: MirrorConfig;
  /** The bridge's Fluxra agent id: our own messages, found again when reconciling a send. */
  selfAgentId: string;
  logger: Logger;
  /**
   * The Fluxra → platforms poller, started and stopped with the engine. Built from the same
   * dependencies by default; `false` runs the platform → Fluxra half alone.
   */
  poller?: MirrorPoller | false;
  /** Channels delivered at the same time. Default 32. */
  concurrency?: number;
  /** Bound of `stop` for in-flight deliveries. Default 5000. */
  stopTimeoutMs?: number;
  /** Counts mirrored messages and poll lag (see src/metrics). */
  metrics?: MirrorMetrics;
  now?: () => number;
  /**
   * Clustered mode: checked before each delivery and each poll; false once this replica may
   * no longer do leader work (its term ran out), so a deposed leader stops between items.
   */
  mayWork?: () => boolean;
  /** Told after every durable enqueue (clustered mode: wakes the leader on another replica). */
  onEnqueued?: (partition: string) => void;
}

export interface MirrorEngine extends InboundConsumer {
  /**
   * Look at queued work again now, ignoring retry waits once: after a link was resumed by
   * someone else (`/block remove`, `/bridge`), so that its waiting items go at once.
   */
  wake(channel?: { platform: ChatAdapter['platform']; channelId: string }): void;
  /** Resolves when nothing is ready to deliver and nothing is in flight (tests, drains). */
  idle(): Promise<void>;
  /** New work in `partition`, queued by another replica. */
  notify(partition: string): void;
  /** Looks at every queued partition again (the leader's safety-net scan). */
  rescan(): Promise<void>;
}

/** Fluxra's answer to a send into a conversation that is blocked (by us or by a member). */
export function isBlockedRefusal(error: unknown): error is FluxraApiError {
  return error instanceof FluxraApiError && error.status === 403 && /block/i.test(error.apiMessage);
}

/** Refusals about this item itself, not the link: retrying cannot help, so it is dropped. */
function isPoisonItem(error: unknown): boolean {
  return error instanceof FluxraApiError && (error.status === 400 || error.status === 413 || error.status === 422);
}

export function createMirrorEngine(options: MirrorEngineOptions): MirrorEngine {
  const { store, fluxra, adapters, config, selfAgentId } = options;
  const logger = options.logger.child({ component: 'mirror' });
  const mayWork = options.mayWork ?? (() => true);
  const poller =
    options.poller === false
      ? undefined
      : (options.poller ?? createFluxraPoller({ fluxra, store, adapters, config, selfAgentId, logger, metrics: options.metrics, mayWork, ...(options.now ? { now: options.now } : {}) }));
  const now = options.now ?? Date.now;
  const notices = createLinkNotices({ store, adapters, logger, now });
  const crossPoster = createCrossPoster({ store, adapters, logger });
  const toFluxra = createToFluxra({
    store,
    fluxra,
    async queueCopies(source: ChannelRef, item: CopyItem) {
      const partition = copyPartition(toChannelRef(source));
      await store.outbox.enqueue(partition, item);
      copyWorker.notify(partition);
    },
    config,
    selfAgentId,
    logger,
    now,
  });
  /** When each paused channel last tried a send (in memory: after a restart it probes at once). */
  const lastProbe = new Map<string, number>();
  /** Channels whose pending notice was looked at since start. */
  const settled = new Set<string>();

  async function handle(entry: OutboxEntry<MirrorItem>, signal: AbortSignal): Promise<DeliveryOutcome> {
    const item = entry.item;
    const channel = toChannelRef(item.ref);
    const partition = entry.partition;
    const link = await store.links.get(channel);
    if (link === undefined) {
      logger.debug({ partition, eventId: item.eventId }, 'channel no longer linked; dropping its queued item');
      return { kind: 'done' };
    }
    if (!settled.has(partition) || link.paused) {
      settled.add(partition);
      await notices.settle(channel);
    }
    if (link.paused) {
      const last = lastProbe.get(partition);
      if (last !== undefined && now() - last < config.blockedProbeMs) {
        return { kind: 'retry', retryAt: last + config.blockedProbeMs, error: 'link paused' };
      }
      lastProbe.set(partition, now());
    }
    try {
      await toFluxra.deliver(item, link, signal);
      if (item.kind === 'message') {
        options.metrics?.mirrored('to_fluxra', item.ref.platform);
        poller?.noteActivity?.(link.conversationId);
      }
    } catch (error) {
      return failure(entry, channel, link.paused, error);
    }
    if (link.paused) {
      lastProbe.delete(partition);
      await notices.resume(channel);
    }
    return { kind: 'done' };
  }

  async function failure(entry: OutboxEntry<MirrorItem>, channel: ReturnType<typeof toChannelRef>, paused: boolean, error: unknown): Promise<DeliveryOutcome> {
    const item = entry.item;
    const description = describeError(error);
    if (isBlockedRefusal(error)) {
      lastProbe.set(entry.partition, now());
      if (!paused) await notices.pause(channel, error.apiMessage);
      return { kind: 'retry', retryAt: now() + config.blockedProbeMs, error: description };
    }
    if (isPoisonItem(error)) {
      logger.error({ partition: entry.partition, eventId: item.eventId, kind: item.kind, err: description }, 'Fluxra refused this item as invalid; dropping it');
      return { kind: 'done' };
    }
    return retryLater(entry, { eventId: item.eventId, kind: item.kind }, error);
  }

  /** Backoff (or the server's Retry-After) before the item is tried again. */
  function retryLater(entry: OutboxEntry<unknown>, what: Record<string, unknown>, error: unknown): DeliveryOutcome {
    const description = describeError(error);
    const attempt = entry.attempts + 1;
    const delay =
      error instanceof RateLimitedError ? Math.max(error.retryAfterMs, config.retryBaseMs) : retryDelayMs(attempt, { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs });
    logger.warn({ partition: entry.partition, ...what, attempt, retryInMs: delay, err: description }, 'mirror delivery failed; will retry');
    return { kind: 'retry', retryAt: now() + delay, error: description };
  }

  /**
   * The copy stage: Fluxra already has the message, so there is no link state to honour
   * (an unlinked or paused link still gets the copies of what it sent); a failure is retried
   * with backoff and holds back only the later copies from the same channel.
   */
  async function handleCopy(entry: OutboxEntry<CopyItem>, signal: AbortSignal): Promise<DeliveryOutcome> {
    try {
      await crossPoster.deliver(entry.item, () => signal.aborted);
      return { kind: 'done' };
    } catch (error) {
      return retryLater(entry, { copy: entry.item.kind }, error);
    }
  }

  // A stopped worker cannot start again: each run (each leadership term) gets fresh ones.
  const buildWorker = <T>(ownsPartition: (partition: string) => boolean, handler: (entry: OutboxEntry<T>, signal: AbortSignal) => Promise<DeliveryOutcome>) =>
    createOutboxWorker<T>({
      outbox: store.outbox,
      ownsPartition,
      handle: handler,
      mayWork,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.stopTimeoutMs !== undefined ? { stopTimeoutMs: options.stopTimeoutMs } : {}),
      logger,
      now,
    });
  const buildWorkers = () => ({ send: buildWorker<MirrorItem>(isSendPartition, handle), copy: buildWorker<CopyItem>(isCopyPartition, handleCopy) });
  let { send: worker, copy: copyWorker } = buildWorkers();
  let workerStopped = false;
  const intake = createMirrorIntake({
    links: store.links,
    outbox: store.outbox,
    config,
    onEnqueued: (partition) => {
      worker.notify(partition);
      options.onEnqueued?.(partition);
    },
    logger,
  });

  let started = false;
  return {
    name: 'mirror',
    async accept(event: PlatformEvent, _source: ChatAdapter) {
      await intake.accept(event);
    },
    async start() {
      if (started) return;
      started = true;
      if (workerStopped) {
        ({ send: worker, copy: copyWorker } = buildWorkers());
        workerStopped = false;
        // Another replica may have changed what these describe while we were not leading.
        lastProbe.clear();
        settled.clear();
      }
      await worker.start();
      await copyWorker.start();
      await poller?.start();
      logger.info('mirror started');
    },
    async stop() {
      started = false;
      workerStopped = true;
      await Promise.allSettled([worker.stop(), copyWorker.stop(), poller?.stop()]);
    },
    wake(channel) {
      if (channel === undefined) {
        lastProbe.clear();
        void Promise.all([worker.notifyAll({ force: true }), copyWorker.notifyAll({ force: true })]).catch((error: unknown) =>
          logger.warn({ err: describeError(error) }, 'mirror wake failed'),
        );
        return;
      }
      const ref = toChannelRef(channel);
      lastProbe.delete(mirrorPartition(ref));
      worker.notify(mirrorPartition(ref), { force: true });
      // A link just made: read its conversation now instead of at the next link refresh.
      if (poller !== undefined) {
        void store.links
          .get(ref)
          .then((link) => (link === undefined ? undefined : poller.pollNow(link.conversationId)))
          .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'mirror wake could not poll the conversation'));
      }
    },
    async idle() {
      // The first stage queues work for the second: idle only when both are, at once.
      do {
        await worker.idle();
        await copyWorker.idle();
      } while (worker.busy() || copyWorker.busy());
    },
    notify(partition) {
      // Each worker ignores the other's partitions.
      worker.notify(partition);
      copyWorker.notify(partition);
    },
    async rescan() {
      await Promise.all([worker.notifyAll(), copyWorker.notifyAll()]);
    },
  };
}
