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
import type { AdapterDirectory, InboundConsumer, PlatformEvent } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChatAdapter, CommandInvocation, InboundMessage, MessageRef, PlatformName } from '../core/chat.js';
import type { RateBudget } from '../ratelimit/types.js';
import type { BlocksClient } from '../services/blocks/client.js';
import type { ResolvedAgent } from '../services/blocks/types.js';
import type { Store } from '../store/index.js';
import { createKeyedLock } from '../core/keyed-lock.js';
import { messageKey } from '../core/keys.js';
import { createChannelSessions, type ChannelAgentControl } from './bound-channels/bound-channels.js';
import { postInThread, type EngineContext, type SessionEngineSettings } from './context.js';
import { processFollowUp } from './follow-up.js';
import { parseAgentRequest, stripSelfMentions, type AgentNames } from './parse.js';
import type { AgentQuota, QuotaTicket } from './quota.js';
import { createSessionState } from './session-store.js';
import { processStart, type RequestOutcome } from './start.js';
import { pollTurn } from './turns.js';
import type { AgentSessionRecord, SessionRequest, StartRequest, TurnScheduler, TurnSchedulerFactory } from './types.js';
import { agentUsage, unknownAgentText } from './usage.js';
import { backoffMs } from '../delivery/backoff.js';
import { createWorkRunner, type DrainTurn } from '../delivery/runner.js';

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
}

/** What `/agent` is told: the request is queued, or refused (over quota) with what to say. */
export type CommandStartOutcome = { started: true } | { started: false; answer: string };

/** What `/agent` hands the engine once it has parsed the command. */
export interface CommandStart {
  invocation: CommandInvocation;
  agent: ResolvedAgent;
  agentLabel: string;
  prompt: string;
}

export interface SessionEngine extends InboundConsumer {
  readonly name: 'sessions';
  /** The names people may use, for parsing `/agent` and mentions. */
  readonly agentNames: AgentNames;
  /** Persists a start request from `/agent` (resolves once stored), unless the person or channel is over quota. */
  startFromCommand(start: CommandStart): Promise<CommandStartOutcome>;
  /** Channels bound to an agent (`/bridge link agent`, `/agent new`, status). */
  readonly channels: ChannelAgentControl;
  /** Resolves when no request is being worked on (tests, shutdown). */
  idle(): Promise<void>;
  /** New requests in `partition`, queued by another replica. */
  notify(partition: string): void;
  /** Looks at every queued request partition again (the leader's safety-net scan). */
  rescan(): Promise<void>;
}

export function createSessionEngine(options: SessionEngineOptions): SessionEngine {
  const logger = options.logger.child({ component: 'sessions' });
  const now = options.now ?? Date.now;
  const state = createSessionState(options.store);
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  let scheduler: TurnScheduler | undefined;
  const ctx: EngineContext = {
    store: options.store,
    state,
    blocks: options.blocks,
    budget: options.budget,
    adapters: options.adapters,
    settings: options.settings,
    logger,
    now,
    lock: createKeyedLock(),
    scheduler: () => {
      if (!scheduler) throw new Error('session scheduler used before it was built');
      return scheduler;
    },
    queuedNoticeMs: options.queuedNoticeMs ?? 3_000,
    ...(options.quota ? { quota: options.quota } : {}),
  };
  const mayWork = options.mayWork ?? (() => true);
  // A stopped scheduler keeps its turns: each run (each leadership term) gets a fresh one,
  // filled from the store's running index by start().
  const buildScheduler = (): TurnScheduler => options.createScheduler((turnId) => (mayWork() ? pollTurn(ctx, turnId) : Promise.resolve('pending')));
  scheduler = buildScheduler();
  let schedulerStopped = false;

  const agentNames: AgentNames = {
    isKnown(token) {
      try {
        options.blocks.resolveAgent(token);
        return true;
      } catch {
        return false;
      }
    },
    validNames: () => options.blocks.validAgentNames(),
    defaultAgent: options.settings.defaultAgent,
  };

  const channels = createChannelSessions({ ctx, agentNames, retryDelayMs, mayWork: () => mayWork() });
  ctx.hooks = channels;

  let started = false;
  const sideTasks = new Set<Promise<unknown>>();
  const requests = createWorkRunner(
    {},
    {
      drain: (partition, turn) => drainRequests(partition, turn),
      logger,
      now,
      mayWork,
      retryAfterError: () => now() + retryDelayMs,
    },
  );
  const kick = (partition: string): void => {
    if (started) requests.kick(partition);
  };

  /** Works through a session's requests in order; a failed one keeps its place until its retry time. */
  async function drainRequests(partition: string, turn: DrainTurn): Promise<{ retryAt?: number }> {
    while (turn.mayGoOn()) {
      const entry = await state.head(partition);
      if (!entry) return {};
      if (entry.retryAt !== undefined && entry.retryAt > now()) return { retryAt: entry.retryAt };
      let outcome: RequestOutcome;
      try {
        outcome = await process(entry.item);
      } catch (error) {
        // A platform or store failure: the request keeps its place and is tried again.
        outcome = { kind: 'retry', afterMs: backoffMs(retryDelayMs, entry.attempts), reason: describeError(error) };
        logger.warn({ partition, attempts: entry.attempts + 1, err: describeError(error) }, 'session request failed; retrying');
      }
      if (outcome.kind !== 'done') {
        await state.retryLater(partition, entry.id, now() + outcome.afterMs, outcome.reason);
        return { retryAt: now() + outcome.afterMs };
      }
      await state.complete(partition, entry.id);
    }
    return {};
  }

  function process(request: SessionRequest): Promise<RequestOutcome> {
    return request.kind === 'start' ? processStart(ctx, request) : processFollowUp(ctx, request);
  }

  async function enqueue(request: SessionRequest): Promise<void> {
    await state.enqueue(request);
    const partition = state.partitionOf(request.sessionRecordId);
    kick(partition);
    options.onEnqueued?.(partition);
  }

  /** Admission under the quotas; always admitted (without a ticket) when quotas are off. */
  async function admit(platform: PlatformName, userId: string, channelId: string, requestId: string, replaces?: QuotaTicket): Promise<{ ok: true; ticket?: QuotaTicket } | { ok: false; text: string }> {
    if (!ctx.quota) return { ok: true };
    return ctx.quota.admit({ platform, userId, channelId, requestId }, { replaces });
  }

  /** The quota ticket of the session's running turn, which a follow-up interrupts. */
  async function runningTicket(session: AgentSessionRecord): Promise<QuotaTicket | undefined> {
    if (!ctx.quota || session.currentTurnId === undefined) return undefined;
    const turn = await state.getTurn(session.currentTurnId);
    return turn?.state === 'running' ? turn.quota : undefined;
  }

  /** An answer that needs no persistence (usage, unknown agent): posted after accept resolves. */
  function answerLater(event: InboundMessage, threadRootId: string, text: string): void {
    const task = postInThread(ctx, event.ref, threadRootId, `hint:${messageKey(event.ref)}`, text)
      .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'could not answer a mention'))
      .finally(() => sideTasks.delete(task));
    sideTasks.add(task);
  }

  async function acceptMessage(event: InboundMessage, source: ChatAdapter): Promise<void> {
    if (event.author.isSelf || event.author.isBot) return;
    const rootId = event.ref.threadRootId;
    if (rootId !== undefined && rootId !== event.ref.messageId) {
      const session = await state.findSessionByThread({ platform: event.platform, channelId: event.ref.channelId, messageId: rootId });
      if (session) {
        const text = stripSelfMentions(event.text, source.selfUserId);
        if (text === '') return;
        const admitted = await admit(event.platform, event.author.id, event.ref.channelId, `fu:${messageKey(event.ref)}`, await runningTicket(session));
        if (!admitted.ok) return answerLater(event, rootId, admitted.text);
        await enqueue({
          kind: 'follow-up',
          sessionRecordId: session.id,
          message: event.ref,
          author: { id: event.author.id, displayName: event.author.displayName },
          text,
          requestedAt: now(),
          ...(admitted.ticket ? { quota: admitted.ticket } : {}),
        });
        return;
      }
    }
    if (!event.mentionsBot) return;
    const threadRootId = rootId ?? event.ref.messageId;
    const parsed = parseAgentRequest({ text: stripSelfMentions(event.text, source.selfUserId) }, agentNames);
    if (parsed.kind === 'usage') return answerLater(event, threadRootId, agentUsage(options.settings.commandName, agentNames));
    if (parsed.kind === 'unknown-agent') return answerLater(event, threadRootId, unknownAgentText(parsed.token, agentNames));
    const threadRoot: MessageRef = { platform: event.platform, channelId: event.ref.channelId, messageId: threadRootId };
    const admitted = await admit(event.platform, event.author.id, event.ref.channelId, `m:${messageKey(event.ref)}`);
    if (!admitted.ok) return answerLater(event, threadRootId, admitted.text);
    const request: StartRequest = {
      kind: 'start',
      sessionRecordId: `m:${messageKey(event.ref)}`,
      origin: 'mention',
      channel: { platform: event.platform, channelId: event.ref.channelId },
      threadRoot,
      askingMessage: event.ref,
      askedBy: { id: event.author.id, displayName: event.author.displayName },
      agent: options.blocks.resolveAgent(parsed.agent),
      agentLabel: parsed.agent,
      prompt: parsed.prompt,
      requestedAt: now(),
      ...(event.privateChannel === true ? { isPrivate: true } : {}),
      ...(admitted.ticket ? { quota: admitted.ticket } : {}),
    };
    await enqueue(request);
  }

  return {
    name: 'sessions',
    agentNames,
    channels,
    servedChannels: () => channels.boundChannels(),
    async accept(event: PlatformEvent, source: ChatAdapter) {
      if (event.kind !== 'message') return;
      if (await channels.accept(event, source)) return;
      await acceptMessage(event, source);
    },
    async startFromCommand(start) {
      const { invocation } = start;
      const inThread = invocation.threadRootId;
      const admitted = await admit(invocation.platform, invocation.user.id, invocation.channel.channelId, `c:${invocation.eventId}`);
      if (!admitted.ok) return { started: false, answer: admitted.text };
      await enqueue({
        kind: 'start',
        sessionRecordId: `c:${invocation.platform}:${invocation.eventId}`,
        origin: 'command',
        channel: { platform: invocation.platform, channelId: invocation.channel.channelId },
        ...(inThread ? { threadRoot: { platform: invocation.platform, channelId: invocation.channel.channelId, messageId: inThread } } : {}),
        askedBy: { id: invocation.user.id, displayName: invocation.user.displayName },
        agent: start.agent,
        agentLabel: start.agentLabel,
        prompt: start.prompt,
        requestedAt: now(),
        ...(invocation.privateChannel === true ? { isPrivate: true } : {}),
        ...(admitted.ticket ? { quota: admitted.ticket } : {}),
      });
      return { started: true };
    },
    async start() {
      if (started) return;
      started = true;
      if (schedulerStopped) {
        scheduler = buildScheduler();
        schedulerStopped = false;
      }
      let resumed = 0;
      for (const entry of await state.runningEntries()) {
        const turn = await state.getTurn(entry.turnId);
        if (turn?.state === 'running' && turn.runningIndexId === entry.entryId) {
          ctx.scheduler().add(turn.id, turn.startedAt);
          resumed += 1;
        } else {
          await state.dropRunningEntry(entry.entryId);
        }
      }
      ctx.scheduler().start();
      requests.start();
      const partitions = await state.requestPartitions();
      for (const partition of partitions) kick(partition);
      await channels.start();
      logger.info({ runningTurns: resumed, queuedSessions: partitions.length }, 'session engine started');
    },
    async stop() {
      started = false;
      requests.halt();
      channels.stop();
      schedulerStopped = true;
      await scheduler?.stop();
      const grace = options.stopGraceMs ?? 5_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...requests.inFlight(), ...sideTasks, ...channels.inFlight()]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, grace);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
    async idle() {
      for (;;) {
        const busy = [...requests.inFlight(), ...sideTasks, ...channels.inFlight()];
        if (busy.length === 0) return;
        await Promise.allSettled(busy);
      }
    },
    notify(partition) {
      kick(partition);
    },
    async rescan() {
      for (const partition of await state.requestPartitions()) kick(partition);
      await channels.rescan();
    },
  };
}
