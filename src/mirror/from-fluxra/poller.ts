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
import { clampTimerDelay } from '../../core/timer-delay.js';
import type { FluxraClient } from '../../services/fluxra/index.js';
import type { Store } from '../../store/index.js';
import type { MirrorConfig } from '../mirror-item.js';
import { createFromFluxra } from './deliver.js';
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
  const pollOnce = (watch: Watch): Promise<void> => reader.pollOnce(watch);

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
      found = newWatch(conversationId, now(), config.editScanIntervalMs);
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
