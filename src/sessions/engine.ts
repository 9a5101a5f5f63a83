/**
 * The agent-session engine: an InboundConsumer (name `sessions`) that takes mentions of the
 * bot and replies in session threads, plus `startFromCommand` for `/agent`. What it takes is
 * persisted as a request in the store before `accept` resolves; a worker per session works
 * through its requests in order (start, then follow-ups), and the scheduler polls every
 * running turn. `start()` picks up whatever a previous process left: queued requests and
 * running turns.
 *
 * Data flow: command or mention → request persisted → (worker) Blocks create, interactive
 * → "working…" in the thread → scheduler polls final_message, background → answer posted
 * once in the thread → status "done" + ✅ → session kept for follow-ups.
 */

import type { AgentPostSink } from '../core/agent-posts.js';
import type { ButtonPress, ChatAdapter, FormSubmission } from '../core/chat.js';
import type { AdapterDirectory, InboundConsumer, PlatformEvent } from '../core/consumer.js';
import { createKeyedLock } from '../core/keyed-lock.js';
import type { Logger } from '../core/logger.js';
import type { TenancyConfig } from '../core/tenancy.js';
import { settledWithin } from '../delivery/runner.js';
import type { RateBudget } from '../ratelimit/types.js';
import type { BlocksClient } from '../services/blocks/client.js';
import type { Store } from '../store/index.js';
import { type ChannelAgentControl, createChannelSessions } from './bound-channels/bound-channels.js';
import { createStatusClicks } from './buttons/status-clicks.js';
import type { EngineContext, SessionEngineSettings } from './context.js';
import { createSessionEvents, type SessionEvents } from './events.js';
import { processFollowUp } from './follow-up.js';
import { type CommandStart, type CommandStartOutcome, createSessionIntake } from './intake.js';
import type { AgentNames } from './parse.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';
import type { AgentQuota } from './quota.js';
import { createRequestQueue } from './request-queue.js';
import { createSessionState, type SessionState } from './session-store.js';
import { processStart } from './start.js';
import { pollTurn } from './turns.js';
import type { TurnScheduler, TurnSchedulerFactory } from './types.js';
import { createUnavailableAnswers } from './unavailable-answers.js';

export interface SessionEngineOptions {
  store: Store;
  blocks: BlocksClient;
  /** The Blocks budget: read for "queued, about N s" notes (the client schedules through it). */
  budget: RateBudget;
  adapters: AdapterDirectory;
  settings: SessionEngineSettings;
  createScheduler: TurnSchedulerFactory;
  logger: Logger;
  now?: () => number;
  /** Tell a person they are queued when Blocks would make them wait longer than this. Default 3 s. */
  queuedNoticeMs?: number;
  /** First retry delay of a request that failed unexpectedly (doubles per attempt, 5 min cap). Default 2 s. */
  retryDelayMs?: number;
  /** How long `stop()` waits for requests in flight. Default 5 s. */
  stopGraceMs?: number;
  /**
   * Clustered mode: checked before each request and each turn poll; false once this replica
   * may no longer do leader work (its term ran out), so a deposed leader stops between items.
   */
  mayWork?: () => boolean;
  /** Told after every durable enqueue of a request (clustered mode: wakes the leader elsewhere). */
  onEnqueued?: (partition: string) => void;
  /** Per-person and per-channel agent quotas (shared through the store); absent, nobody is limited. */
  quota?: AgentQuota;
  /** Where agent threads' posts go to be mirrored into the linked channels and Fluxra; absent, they are not. */
  agentPosts?: AgentPostSink;
  /** The allow-lists: a session is continued from a copy of its thread only by its own tenant. Absent: no lists. */
  tenancy?: TenancyConfig;
}

export type { CommandStart, CommandStartOutcome } from './intake.js';

export interface SessionEngine extends InboundConsumer {
  readonly name: 'sessions';
  /** The names people may use, for parsing `/agent` and mentions. */
  readonly agentNames: AgentNames;
  /** Persists a start request from `/agent` (resolves once stored), unless the person or channel is over quota. */
  startFromCommand(start: CommandStart): Promise<CommandStartOutcome>;
  /** Turn endings and failed requests, for whoever wants to count or show them (metrics). */
  readonly events: Pick<SessionEvents, 'onTurnEnded' | 'onRequestFailed'>;
  /** Channels bound to an agent (`/bridge link agent`, `/agent new`, status). */
  readonly channels: ChannelAgentControl;
  /** A press of a status message's button, or the form it opened (buttons/status-clicks.ts); never rejects. */
  handleButton(event: ButtonPress | FormSubmission, source: ChatAdapter): Promise<void>;
  /** Resolves when no request is being worked on (tests, shutdown). */
  idle(): Promise<void>;
  /** New requests in `partition`, queued by another replica. */
  notify(partition: string): void;
  /** Looks at every queued request partition again (the leader's safety-net scan). */
  rescan(): Promise<void>;
}

/** The agent names people may use: Blocks' known agents, and the configured default. */
export function agentNamesOf(blocks: Pick<BlocksClient, 'resolveAgent' | 'validAgentNames'>, defaultAgent: string): AgentNames {
  return {
    isKnown(token) {
      try {
        blocks.resolveAgent(token);
        return true;
      } catch {
        return false;
      }
    },
    validNames: () => blocks.validAgentNames(),
    defaultAgent,
  };
}

export function createSessionEngine(options: SessionEngineOptions): SessionEngine {
  const logger = options.logger.child({ component: 'sessions' });
  const now = options.now ?? Date.now;
  const state = createSessionState(options.store);
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const mayWork = options.mayWork ?? (() => true);
  const events = createSessionEvents();
  // One scheduler for the engine's life, handed pollTurn itself. A deposed leader's polls
  // wait ('pending'); a new term adds the running turns again (adding is idempotent, and a
  // turn another replica ended meanwhile is found ended by its next poll and dropped).
  const scheduler: TurnScheduler = options.createScheduler((turnId) => (mayWork() ? pollTurn(ctx, turnId) : Promise.resolve('pending')));
  const ctx: EngineContext = {
    progress: undefined as unknown as ProgressDisplay,
    pollRounds: new Map(),
    store: options.store,
    state,
    blocks: options.blocks,
    budget: options.budget,
    adapters: options.adapters,
    settings: options.settings,
    logger,
    now,
    lock: createKeyedLock(),
    scheduler,
    events,
    queuedNoticeMs: options.queuedNoticeMs ?? 3_000,
    ...(options.quota ? { quota: options.quota } : {}),
    ...(options.agentPosts ? { agentPosts: options.agentPosts } : {}),
    ...(options.tenancy ? { tenancy: options.tenancy } : {}),
  };
  // The display reads the context it is part of: built once the rest is there.
  ctx.progress = createProgressDisplay(ctx);
  const agentNames = agentNamesOf(options.blocks, options.settings.defaultAgent);
  const channels = createChannelSessions({ ctx, agentNames, retryDelayMs, mayWork: () => mayWork() });
  const unavailable = createUnavailableAnswers({ logger, now });

  const requests = createRequestQueue({
    state,
    process: (request) => (request.kind === 'start' ? processStart(ctx, request) : processFollowUp(ctx, request)),
    retryDelayMs,
    mayWork,
    onEnqueued: options.onEnqueued,
    logger,
    now,
  });
  const intake = createSessionIntake({ ctx, agentNames, enqueue: (request) => requests.enqueue(request) });
  const buttons = createStatusClicks({ ctx, channels, enqueue: (request) => requests.enqueue(request) });
  const inFlight = (): Array<Promise<unknown>> => [...requests.inFlight(), ...intake.inFlight(), ...channels.inFlight()];
  let started = false;

  return {
    name: 'sessions',
    agentNames,
    events,
    channels,
    servedChannels: () => channels.boundChannels(),
    async accept(event: PlatformEvent, source: ChatAdapter) {
      if (event.kind !== 'message') return;
      if (await unavailable.answered(event, source)) {
        logger.info({ eventId: event.eventId }, 'mention delivered again after it was answered "temporarily unavailable"; no session started');
        return;
      }
      try {
        if (await channels.accept(event, source)) return;
        await intake.acceptMessage(event, source);
      } catch (error) {
        // Not durable: the platform delivers it again, and the person hears now rather than never.
        await unavailable.answerIfUnavailable(event, source, error);
        throw error;
      }
    },
    startFromCommand: (start) => intake.startFromCommand(start),
    handleButton: (event, source) => buttons.handle(event, source),
    async start() {
      if (started) return;
      started = true;
      const resumed = await resumeRunningTurns(state, scheduler);
      scheduler.start();
      ctx.progress.start();
      const queuedSessions = await requests.start();
      await channels.start();
      logger.info({ runningTurns: resumed, queuedSessions }, 'session engine started');
    },
    async stop() {
      started = false;
      requests.halt();
      channels.stop();
      await scheduler.stop();
      await ctx.progress.stop();
      await settledWithin(inFlight(), options.stopGraceMs ?? 5_000);
    },
    async idle() {
      for (let busy = inFlight(); busy.length > 0; busy = inFlight()) await Promise.allSettled(busy);
    },
    notify: (partition) => requests.kick(partition),
    async rescan() {
      await requests.rescan();
      await channels.rescan();
    },
  };
}

/** Puts the turns the store says are running back under polling; drops index entries of ended turns. */
export async function resumeRunningTurns(state: SessionState, scheduler: Pick<TurnScheduler, 'add'>): Promise<number> {
  let resumed = 0;
  for (const entry of await state.runningEntries()) {
    const turn = await state.getTurn(entry.turnId);
    if (turn?.state === 'running' && turn.runningIndexId === entry.entryId) {
      scheduler.add(turn.id, turn.startedAt);
      resumed += 1;
    } else {
      await state.dropRunningEntry(entry.entryId);
    }
  }
  return resumed;
}
