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

import type { AgentPostSink } from '../core/agent-posts.js';
import type { ChannelRef, ChatAdapter } from '../core/chat.js';
import type { AdapterDirectory, InboundConsumer, PlatformEvent } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import { toChannelRef } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { MirrorMetrics } from '../core/metrics-hooks.js';
import { createOutboxWorker, type DeliveryHandler, type OutboxWorker, type OutboxWorkerOptions } from '../delivery/runner.js';
import type { FluxraClient } from '../services/fluxra/index.js';
import type { Store } from '../store/index.js';
import { agentPostItem } from './agent-post.js';
import { copyStageHandler, createCrossPoster } from './cross-post/copy-stage.js';
import { createFluxraPoller } from './from-fluxra/poller.js';
import { createLinkNotices } from './link-notices.js';
import { type CopyItem, copyPartition, isCopyPartition, isSendPartition, type MirrorConfig, type MirrorItem, mirrorPartition } from './mirror-item.js';
import { createPendingCopies } from './pending-copies.js';
import { createMirrorIntake } from './to-fluxra/intake.js';
import { createSendStage, createToFluxra } from './to-fluxra/send-stage.js';

/** The Fluxra → platforms half (see `from-fluxra/poller.ts`), as the engine drives it. */
export interface MirrorPoller {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  pollNow(conversationId: string): Promise<void>;
  /** A person's message was just sent into the conversation (answers are likely: poll soon). */
  noteActivity?(conversationId: string): void;
  /** Its queue of agents' posts (one partition per channel): new work, a rescan, idle. */
  notify?(partition: string, options?: { force?: boolean }): void;
  rescan?(options?: { force?: boolean }): Promise<void>;
  idle?(): Promise<void>;
  busy?(): boolean;
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

/** Also an `AgentPostSink`: the agent threads' posts, handed over by the session engine, are mirrored like people's messages. */
export interface MirrorEngine extends InboundConsumer, AgentPostSink {
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

export { isBlockedRefusal } from './delivery-decision.js';

/** Where the stages keep items that failed for good, and the metric that counts them (by stage: bounded labels). */
function deadLetterOptions(store: Store, metrics: MirrorMetrics | undefined): Pick<OutboxWorkerOptions<unknown>, 'deadLetters' | 'onDeadLetter'> {
  return { deadLetters: store.deadLetters, onDeadLetter: (partition) => metrics?.deadLettered(isCopyPartition(partition) ? 'copy' : 'send') };
}

/** The two stages' outbox workers. A stopped worker cannot start again: each run (each leadership term) gets fresh ones. */
function buildStageWorkers(
  options: Pick<OutboxWorkerOptions<unknown>, 'outbox' | 'mayWork' | 'logger' | 'now' | 'deadLetters' | 'onDeadLetter'> & {
    concurrency?: number | undefined;
    stopTimeoutMs?: number | undefined;
  },
  handlers: { send: DeliveryHandler<MirrorItem>; copy: DeliveryHandler<CopyItem> },
): { send: OutboxWorker; copy: OutboxWorker } {
  const { concurrency, stopTimeoutMs, ...common } = options;
  const bounds = { ...(concurrency !== undefined ? { concurrency } : {}), ...(stopTimeoutMs !== undefined ? { stopTimeoutMs } : {}) };
  return {
    send: createOutboxWorker<MirrorItem>({ ...common, ...bounds, ownsPartition: isSendPartition, handle: handlers.send }),
    copy: createOutboxWorker<CopyItem>({ ...common, ...bounds, ownsPartition: isCopyPartition, handle: handlers.copy }),
  };
}

/** The engine's Fluxra → platforms half: the one given, none (`false`), or one built from the engine's own dependencies. */
function enginePoller(options: MirrorEngineOptions, logger: Logger, mayWork: () => boolean): MirrorPoller | undefined {
  if (options.poller === false) return undefined;
  return (
    options.poller ??
    createFluxraPoller({
      fluxra: options.fluxra,
      store: options.store,
      adapters: options.adapters,
      config: options.config,
      selfAgentId: options.selfAgentId,
      logger,
      metrics: options.metrics,
      mayWork,
      onDeadLetter: () => options.metrics?.deadLettered('copy'),
      ...(options.now ? { now: options.now } : {}),
    })
  );
}

export function createMirrorEngine(options: MirrorEngineOptions): MirrorEngine {
  const { store, fluxra, adapters, config, selfAgentId } = options;
  const logger = options.logger.child({ component: 'mirror' });
  const mayWork = options.mayWork ?? (() => true);
  const poller = enginePoller(options, logger, mayWork);
  const now = options.now ?? Date.now;
  const notices = createLinkNotices({ store, adapters, logger, now });
  const pending = createPendingCopies(store);
  const crossPoster = createCrossPoster({ store, adapters, logger, pending });
  const toFluxra = createToFluxra({
    store,
    fluxra,
    async queueCopies(source: ChannelRef, item: CopyItem) {
      const partition = copyPartition(toChannelRef(source));
      // Replies to this message in the other channels wait for these copies (pending-copies.ts).
      if (item.kind === 'post') await pending.mark(item.fluxraMessageId, await crossPoster.targetsOf(item));
      await store.outbox.enqueue(partition, item);
      copyWorker.notify(partition);
    },
    config,
    selfAgentId,
    logger,
    now,
  });
  const sendStage = createSendStage({
    store,
    toFluxra,
    notices,
    config,
    logger,
    now,
    metrics: options.metrics,
    noteActivity: poller?.noteActivity ? (conversationId) => poller.noteActivity?.(conversationId) : undefined,
  });

  // A stopped worker cannot start again: each run (each leadership term) gets fresh ones.
  const workerOptions = { outbox: store.outbox, mayWork, logger, now, concurrency: options.concurrency, stopTimeoutMs: options.stopTimeoutMs };
  const handlers = { send: sendStage.send, copy: copyStageHandler(crossPoster, { config, logger, now }) };
  const buildWorkers = () => buildStageWorkers({ ...workerOptions, ...deadLetterOptions(store, options.metrics) }, handlers);
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
    async acceptAgentPost(post) {
      await intake.accept(agentPostItem(post));
    },
    async start() {
      if (started) return;
      started = true;
      if (workerStopped) {
        ({ send: worker, copy: copyWorker } = buildWorkers());
        workerStopped = false;
        // Another replica may have changed links and notices while we were not leading.
        sendStage.reset();
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
        sendStage.forgetProbe();
        void Promise.all([worker.notifyAll({ force: true }), copyWorker.notifyAll({ force: true }), poller?.rescan?.({ force: true })]).catch((error: unknown) =>
          logger.warn({ err: describeError(error) }, 'mirror wake failed'),
        );
        return;
      }
      const ref = toChannelRef(channel);
      sendStage.forgetProbe(mirrorPartition(ref));
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
        await poller?.idle?.();
      } while (worker.busy() || copyWorker.busy() || poller?.busy?.() === true);
    },
    notify(partition) {
      // Each worker ignores the other's partitions.
      worker.notify(partition);
      copyWorker.notify(partition);
      poller?.notify?.(partition);
    },
    async rescan() {
      await Promise.all([worker.notifyAll(), copyWorker.notifyAll(), poller?.rescan?.()]);
    },
  };
}
