/**
 * What each of the mirror's two outbox stages does with one item: the send stage (platform →
 * Fluxra, honouring the link: unlinked drops, paused probes) and the copy stage (into the
 * other linked channels). The decisions are in delivery-decision.ts; this acts on them.
 */

import type { ChannelRef } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import { toChannelRef } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { MirrorMetrics } from '../core/metrics-hooks.js';
import type { DeliveryOutcome } from '../delivery/outbox-worker.js';
import type { OutboxEntry, Store } from '../store/index.js';
import type { createCrossPoster } from './cross-post/copy-stage.js';
import { decideRetryOrDead, decideSendFailure, pausedProbeWait, type RetryTimingConfig } from './delivery-decision.js';
import type { createLinkNotices } from './link-notices.js';
import type { CopyItem, MirrorItem } from './mirror-item.js';
import { RootCopyPendingError, rootWaitMs } from './pending-copies.js';
import type { createToFluxra } from './to-fluxra/send-stage.js';

export interface StageHandlerDeps {
  store: Store;
  toFluxra: Pick<ReturnType<typeof createToFluxra>, 'deliver'>;
  crossPoster: Pick<ReturnType<typeof createCrossPoster>, 'deliver' | 'givenUp'>;
  notices: Pick<ReturnType<typeof createLinkNotices>, 'settle' | 'pause' | 'resume'>;
  config: RetryTimingConfig;
  logger: Logger;
  now: () => number;
  metrics?: MirrorMetrics | undefined;
  /** A person's message reached the conversation (the poller then looks sooner). */
  noteActivity?: ((conversationId: string) => void) | undefined;
}

export interface StageHandlers {
  send(entry: OutboxEntry<MirrorItem>, signal: AbortSignal): Promise<DeliveryOutcome>;
  copy(entry: OutboxEntry<CopyItem>, signal: AbortSignal): Promise<DeliveryOutcome>;
  /** Forget the probe time of one partition (or all): its next item tries at once. */
  forgetProbe(partition?: string): void;
  /** A new leadership term: what we knew of links and notices may be stale. */
  reset(): void;
}

export function createStageHandlers(deps: StageHandlerDeps): StageHandlers {
  const { store, config, logger, now } = deps;
  /** When each paused channel last tried a send (in memory: after a restart it probes at once). */
  const lastProbe = new Map<string, number>();
  /** Channels whose pending notice was looked at since start. */
  const settled = new Set<string>();

  async function send(entry: OutboxEntry<MirrorItem>, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { item, partition } = entry;
    const channel = toChannelRef(item.ref);
    const link = await store.links.get(channel);
    if (link === undefined) {
      logger.debug({ partition, eventId: item.eventId }, 'channel no longer linked; dropping its queued item');
      return { kind: 'done' };
    }
    if (!settled.has(partition) || link.paused) {
      settled.add(partition);
      await deps.notices.settle(channel);
    }
    const waitUntil = pausedProbeWait(link, lastProbe.get(partition), now(), config);
    if (waitUntil !== undefined) return { kind: 'retry', retryAt: waitUntil, error: 'link paused' };
    if (link.paused) lastProbe.set(partition, now());
    try {
      await deps.toFluxra.deliver(item, link, signal);
      if (item.kind === 'message') {
        deps.metrics?.mirrored('to_fluxra', item.ref.platform);
        deps.noteActivity?.(link.conversationId);
      }
    } catch (error) {
      return sendFailed(entry, channel, link.paused, error);
    }
    if (link.paused) {
      lastProbe.delete(partition);
      await deps.notices.resume(channel);
    }
    return { kind: 'done' };
  }

  async function sendFailed(entry: OutboxEntry<MirrorItem>, channel: ChannelRef, paused: boolean, error: unknown): Promise<DeliveryOutcome> {
    const { item, partition } = entry;
    const description = describeError(error);
    const decision = decideSendFailure(error, entry.attempts, now(), config);
    if (decision.kind === 'pause') {
      lastProbe.set(partition, now());
      if (!paused) await deps.notices.pause(channel, decision.reason);
      return { kind: 'retry', retryAt: decision.retryAt, error: description };
    }
    if (decision.kind === 'dead') return deadLetter(partition, { eventId: item.eventId, kind: item.kind }, decision.reason, description);
    return logRetry(partition, { eventId: item.eventId, kind: item.kind }, decision, description);
  }

  function deadLetter(partition: string, what: Record<string, unknown>, reason: string, description: string): DeliveryOutcome {
    logger.error({ partition, ...what, reason, err: description }, 'mirror delivery failed for good; moved to the dead letters');
    return { kind: 'dead', reason: `${reason}: ${description}` };
  }

  function logRetry(partition: string, what: Record<string, unknown>, decision: { retryAt: number; attempt: number; waitMs: number }, description: string): DeliveryOutcome {
    logger.warn({ partition, ...what, attempt: decision.attempt, retryInMs: decision.waitMs, err: description }, 'mirror delivery failed; will retry');
    return { kind: 'retry', retryAt: decision.retryAt, error: description };
  }

  /**
   * The copy stage: Fluxra already has the message, so there is no link state to honour
   * (an unlinked or paused link still gets the copies of what it sent); a failure is retried
   * with backoff and holds back only the later copies from the same channel.
   */
  async function copy(entry: OutboxEntry<CopyItem>, signal: AbortSignal): Promise<DeliveryOutcome> {
    try {
      await deps.crossPoster.deliver(entry.item, () => signal.aborted);
      return { kind: 'done' };
    } catch (error) {
      // Its thread root's copy is still queued elsewhere: not a failure, look again soon.
      if (error instanceof RootCopyPendingError) return { kind: 'wait', retryAt: now() + rootWaitMs(config) };
      const description = describeError(error);
      const decision = decideRetryOrDead(error, entry.attempts, now(), config);
      if (decision.kind === 'dead') {
        // Replies waiting for these copies go top-level, quoted, from now on.
        await deps.crossPoster.givenUp(entry.item);
        return deadLetter(entry.partition, { copy: entry.item.kind }, decision.reason, description);
      }
      return logRetry(entry.partition, { copy: entry.item.kind }, decision, description);
    }
  }

  return {
    send,
    copy,
    forgetProbe(partition) {
      if (partition === undefined) lastProbe.clear();
      else lastProbe.delete(partition);
    },
    reset() {
      lastProbe.clear();
      settled.clear();
    },
  };
}
