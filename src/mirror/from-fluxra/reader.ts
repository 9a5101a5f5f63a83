/**
 * One poll of one Fluxra conversation: read what is new since the saved cursor (or start from
 * now when there is none), deliver it to the linked channels, save the cursor only after, and
 * now and then re-read the recent window to follow Fluxra edits and deletes.
 */
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { MirrorMetrics } from '../../core/metrics-hooks.js';
import { FluxraApiError, type FluxraCallOptions, type FluxraClient, type FluxraMessage } from '../../services/fluxra/index.js';
import type { Store } from '../../store/index.js';
import type { MirrorConfig } from '../mirror-item.js';
import type { DeliveryTarget, FromFluxra } from './deliver.js';

/** What the poller knows of one followed conversation. */
export interface Watch {
  conversationId: string;
  timer: NodeJS.Timeout | undefined;
  /** When `timer` fires. */
  dueAt: number;
  /** The chain of polls: each starts after the previous settles. */
  tail: Promise<void>;
  lastMessageAt: number | undefined;
  failures: number;
  lastError: unknown;
  nextEditScanAt: number;
  removed: boolean;
}

export interface ConversationReaderDeps {
  fluxra: Pick<FluxraClient, 'listMessages' | 'readMessagesSince'>;
  store: Store;
  from: FromFluxra;
  config: Pick<MirrorConfig, 'editScanSize' | 'editScanIntervalMs'>;
  logger: Logger;
  now: () => number;
  metrics?: MirrorMetrics | undefined;
  /** Aborted when the poller stops. */
  signal: () => AbortSignal;
  /** Checked before each poll (the poller runs, the conversation is followed, we may work). */
  mayPoll: (watch: Watch) => boolean;
  /** False once the poller stops: a failure then is the stop's, not the conversation's. */
  stillRunning: () => boolean;
}

export function createConversationReader(deps: ConversationReaderDeps) {
  const { fluxra, store, from, config, logger, now } = deps;
  const callOptions = (): FluxraCallOptions => ({ priority: 'background', signal: deps.signal() });

  const noteActivity = (watch: Watch, messages: readonly FluxraMessage[]): void => {
    if (messages.length > 0) watch.lastMessageAt = now();
  };

  /** No cursor yet: take the newest page's cursor; deliver only what came after the link. */
  const startFromNow = async (watch: Watch, targets: readonly DeliveryTarget[]): Promise<void> => {
    const page = await fluxra.listMessages({ conversationId: watch.conversationId }, callOptions());
    let linkedAt = Number.POSITIVE_INFINITY;
    for (const target of targets) linkedAt = Math.min(linkedAt, (await store.links.get(target.channel))?.linkedAt ?? Number.POSITIVE_INFINITY);
    const fresh = page.messages.filter((message) => Date.parse(message.createdAt) >= linkedAt);
    noteActivity(watch, fresh);
    await from.deliverBatch(watch.conversationId, fresh, targets);
    if (page.cursor !== undefined) await store.cursors.saveDelivered(watch.conversationId, page.cursor);
    logger.info(
      { conversationId: watch.conversationId, skippedHistory: page.messages.length - fresh.length, delivered: fresh.length },
      'started following a conversation from now',
    );
  };

  const readNew = async (watch: Watch, cursor: string, targets: readonly DeliveryTarget[]): Promise<void> => {
    let read: Awaited<ReturnType<typeof fluxra.readMessagesSince>>;
    try {
      read = await fluxra.readMessagesSince({ conversationId: watch.conversationId, cursor }, callOptions());
    } catch (error) {
      // Cursor lifetime is undocumented: a refused cursor would stop this conversation for good.
      if (error instanceof FluxraApiError && error.status === 400) {
        logger.error(
          { conversationId: watch.conversationId, err: describeError(error) },
          'Fluxra refused the saved cursor; starting again from the newest page (messages older than that page may be missed)',
        );
        await store.cursors.delete(watch.conversationId);
      }
      throw error;
    }
    noteActivity(watch, read.messages);
    const result = await from.deliverBatch(watch.conversationId, read.messages, targets);
    // Only now: every message up to the new cursor is on the platforms.
    if (read.cursor !== undefined && read.cursor !== cursor) await store.cursors.saveDelivered(watch.conversationId, read.cursor);
    if (result.delivered > 0) logger.debug({ conversationId: watch.conversationId, ...result }, 'delivered Fluxra messages');
  };

  const scanEdits = async (watch: Watch): Promise<void> => {
    const page = await fluxra.listMessages({ conversationId: watch.conversationId, limit: config.editScanSize }, callOptions());
    const changes = await from.followChanges(page.messages);
    if (changes.edited + changes.deleted > 0) logger.debug({ conversationId: watch.conversationId, ...changes }, 'followed Fluxra edits and deletes');
  };

  const pollOnce = async (watch: Watch): Promise<void> => {
    if (!deps.mayPoll(watch)) return;
    try {
      const targets = await from.targets(watch.conversationId);
      // Every channel paused or its platform absent: leave the cursor where it is.
      if (targets.length === 0) return;
      const cursor = await store.cursors.get(watch.conversationId);
      if (cursor === undefined) await startFromNow(watch, targets);
      else await readNew(watch, cursor, targets);
      if (now() >= watch.nextEditScanAt) {
        await scanEdits(watch);
        watch.nextEditScanAt = now() + config.editScanIntervalMs;
      }
      watch.failures = 0;
      watch.lastError = undefined;
      deps.metrics?.polled(watch.conversationId);
    } catch (error) {
      if (!deps.stillRunning()) return;
      watch.failures += 1;
      watch.lastError = error;
      deps.metrics?.pollFailed(watch.conversationId);
      logger.warn({ conversationId: watch.conversationId, failures: watch.failures, err: describeError(error) }, 'Fluxra poll failed; backing off');
    }
  };

  return { pollOnce };
}
