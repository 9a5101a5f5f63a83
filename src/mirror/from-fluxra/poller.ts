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
import type { AdapterDirectory } from '../../core/consumer.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { MirrorMetrics } from '../../core/metrics-hooks.js';
import { FluxraApiError, type FluxraCallOptions, type FluxraClient, type FluxraMessage } from '../../services/fluxra/index.js';
import type { Store } from '../../store/index.js';
import { createFromFluxra, type DeliveryTarget } from './deliver.js';
import { nextPollDelay } from './timing.js';
import type { MirrorConfig } from '../mirror-item.js';
import { clampTimerDelay } from '../../core/timer-delay.js';

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
}

interface Watch {
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

export function createFluxraPoller(deps: FluxraPollerDeps): FluxraPoller {
  const { fluxra, store, config } = deps;
  const logger = deps.logger.child({ component: 'fluxra-poller' });
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const linkRefreshMs = deps.linkRefreshMs ?? config.pollIntervalMs;
  const mayWork = deps.mayWork ?? (() => true);
  const from = createFromFluxra({ store, adapters: deps.adapters, selfAgentId: deps.selfAgentId, logger, now, metrics: deps.metrics });
  const watches = new Map<string, Watch>();
  let abort = new AbortController();
  let running = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> = Promise.resolve();

  const callOptions = (): FluxraCallOptions => ({ priority: 'background', signal: abort.signal });

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
    logger.info({ conversationId: watch.conversationId, skippedHistory: page.messages.length - fresh.length, delivered: fresh.length }, 'started following a conversation from now');
  };

  const readNew = async (watch: Watch, cursor: string, targets: readonly DeliveryTarget[]): Promise<void> => {
    let read: Awaited<ReturnType<typeof fluxra.readMessagesSince>>;
    try {
      read = await fluxra.readMessagesSince({ conversationId: watch.conversationId, cursor }, callOptions());
    } catch (error) {
      // Cursor lifetime is undocumented: a refused cursor would stop this conversation for good.
      if (error instanceof FluxraApiError && error.status === 400) {
        logger.error({ conversationId: watch.conversationId, err: describeError(error) }, 'Fluxra refused the saved cursor; starting again from the newest page (messages older than that page may be missed)');
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
    if (!running || watch.removed || !mayWork()) return;
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
      if (!running) return;
      watch.failures += 1;
      watch.lastError = error;
      deps.metrics?.pollFailed(watch.conversationId);
      logger.warn({ conversationId: watch.conversationId, failures: watch.failures, err: describeError(error) }, 'Fluxra poll failed; backing off');
    }
  };

  const schedule = (watch: Watch): void => {
    if (!running || watch.removed) return;
    clearTimeout(watch.timer);
    const delay = nextPollDelay(config, { now: now(), lastMessageAt: watch.lastMessageAt, failures: watch.failures, error: watch.lastError, random: random() });
    watch.dueAt = now() + delay;
    watch.timer = setTimeout(() => void run(watch), clampTimerDelay(delay));
    watch.timer.unref();
  };

  /** Chains one poll after whatever runs for this conversation, then schedules the next. */
  const run = (watch: Watch): Promise<void> => {
    clearTimeout(watch.timer);
    watch.timer = undefined;
    const next = watch.tail.then(() => pollOnce(watch)).finally(() => schedule(watch));
    watch.tail = next.catch(() => undefined);
    return watch.tail;
  };

  const watch = (conversationId: string): Watch => {
    let found = watches.get(conversationId);
    if (!found) {
      // The first edit scan waits one interval: right after start nothing was delivered yet.
      found = { conversationId, timer: undefined, dueAt: 0, tail: Promise.resolve(), lastMessageAt: undefined, failures: 0, lastError: undefined, nextEditScanAt: now() + config.editScanIntervalMs, removed: false };
      watches.set(conversationId, found);
    }
    return found;
  };

  const unwatch = (entry: Watch): void => {
    entry.removed = true;
    clearTimeout(entry.timer);
    watches.delete(entry.conversationId);
    deps.metrics?.forget(entry.conversationId);
    logger.info({ conversationId: entry.conversationId }, 'stopped following a conversation (no linked channel)');
  };

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
    },

    noteActivity(conversationId) {
      const entry = watches.get(conversationId);
      if (!running || entry === undefined || entry.removed) return;
      entry.lastMessageAt = now();
      // A poll under way (no timer) schedules the next one as active when it ends; a
      // failing conversation keeps its back-off.
      if (entry.timer === undefined || entry.failures > 0 || entry.dueAt <= now() + config.pollIntervalMs) return;
      clearTimeout(entry.timer);
      entry.dueAt = now() + config.pollIntervalMs;
      entry.timer = setTimeout(() => void run(entry), config.pollIntervalMs);
      entry.timer.unref();
    },

    async pollNow(conversationId) {
      if (!running) return;
      const entry = watch(conversationId);
      entry.removed = false;
      await run(entry);
    },
  };
}
