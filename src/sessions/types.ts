/**
 * The records the agent-session engine keeps in the store, and the scheduler contract it
 * drives. Everything here is plain JSON: a restart (SIGKILL included) reads it back and
 * carries on where the previous process stopped.
 *
 * - A session record (store.sessions, findable by its thread) names the Blocks session that
 *   a chat thread talks to and the turn currently in flight.
 * - A turn record (kv `session-turns`) is one prompt and its answer: the Blocks polling URL,
 *   the status message in the thread, and how it ended.
 * - Requests (start, follow-up) wait in an outbox partition per session until done, so that
 *   what a person asked is persisted before Blocks is called and survives a crash.
 */
import type { ChannelRef, MessageRef, PlatformName } from '../core/chat.js';
import type { BlocksTurn, ResolvedAgent } from '../services/blocks/types.js';
import type { SessionRecord } from '../store/sessions.js';
import type { ProgressStep, TurnProgress } from './progress.js';
import type { QuotaTicket } from './quota.js';

/** Who asked, for the root message and logs. */
export interface Asker {
  id: string;
  displayName: string;
}

/**
 * `pending`: persisted, not yet sent to Blocks. `waiting`: the create waits for its rate
 * slot; nothing has left, so a restart simply resumes it. `sending`: the slot was granted and
 * the create POST may have left (written just before the bytes go). `creating` is how
 * earlier versions stored `sending`. `active`: the Blocks session exists. `failed`: it never did.
 */
export type AgentSessionState = 'pending' | 'waiting' | 'sending' | 'creating' | 'active' | 'failed';

export interface AgentSessionRecord extends SessionRecord {
  platform: PlatformName;
  channel: ChannelRef;
  /** What people see: the name they typed or the default (`claude`, an alias). */
  agentLabel: string;
  agent: ResolvedAgent;
  askedBy: Asker;
  state: AgentSessionState;
  blocksSessionId?: string;
  sessionUrl?: string;
  /** The turn in flight or the last one; follow-ups supersede it. */
  currentTurnId?: string;
  /**
   * The workspace or server it was started in: who may continue it from a copy of its thread,
   * and where its buttons may be pressed.
   */
  placeId?: string;
  turnCount: number;
  createdAt: number;
  /** Created private on Blocks (asked in a private channel): a fresh session here is too. */
  isPrivate?: boolean;
  /** Epoch ms when Blocks said the session is gone: its buttons are stale from then on. */
  endedAt?: number;
}

export type TurnState = 'running' | 'done' | 'failed' | 'timed-out' | 'superseded';

export interface TurnRecord {
  /** `<session record id>#<n>`. */
  id: string;
  sessionRecordId: string;
  n: number;
  blocks: BlocksTurn;
  /** Epoch ms when Blocks accepted the prompt; the timeout counts from here. */
  startedAt: number;
  state: TurnState;
  /** The "working…" message in the thread, edited when the turn ends. */
  statusRef?: MessageRef;
  /** Where the status and answer go, and which people's messages they answer (channel sessions). */
  placement?: TurnPlacement;
  /** Outbox id of this turn's entry in the running-turns index. */
  runningIndexId?: string;
  /** The quota ticket of the request that started it, released when it ends. */
  quota?: QuotaTicket;
  finalMessageId?: string;
  finishedAt?: number;
  /** What the progress reads found so far: cursor, seen ids, steps, an open Slack stream (progress.ts). */
  progress?: TurnProgress;
}

/** A Slack answer stream opened for a turn: stopped (with the answer) when it ends, even after a crash. */
export interface TurnStream {
  ts: string;
  channelId: string;
  threadRootId: string;
}

/** One person's message answered by a turn (channel sessions: several may share one turn). */
export interface PlacedMessage {
  ref: MessageRef;
  /** The thread it lives in: its own id for a top-level message. */
  threadRootId: string;
  authorName: string;
  text: string;
}

/**
 * Where a turn of a channel-bound session speaks: its own thread (not the session's first
 * one), and the messages it answers, which get their ✅/❌ when it ends. Thread sessions
 * have none: they speak in the session's thread.
 */
export interface TurnPlacement {
  threadRootId: string;
  messages: PlacedMessage[];
}

/** A start request: from `/agent` (no message to thread under yet) or from a mention. */
export interface StartRequest {
  kind: 'start';
  sessionRecordId: string;
  origin: 'command' | 'mention' | 'channel' | 'button';
  channel: ChannelRef;
  /** The mention message (or its thread's root) to thread under; absent for a command. */
  threadRoot?: MessageRef;
  /** The message that asked (a mention), for reactions. */
  askingMessage?: MessageRef;
  askedBy: Asker;
  agent: ResolvedAgent;
  agentLabel: string;
  prompt: string;
  requestedAt: number;
  placement?: TurnPlacement;
  /** Asked in a private channel, a group DM or a DM: the Blocks session is created private. */
  isPrivate?: boolean;
  /** Its admission under the agent quotas (absent when quotas are off). */
  quota?: QuotaTicket;
  /** The workspace or server it was asked in (`InboundBase.placeId`). */
  placeId?: string;
}

/** A person's reply in a session's thread. */
export interface FollowUpRequest {
  kind: 'follow-up';
  sessionRecordId: string;
  message: MessageRef;
  author: Asker;
  text: string;
  requestedAt: number;
  placement?: TurnPlacement;
  quota?: QuotaTicket;
}

export type SessionRequest = StartRequest | FollowUpRequest;

/** What the poll callback tells the scheduler: stop polling this turn, or keep going. */
export type PollOutcome = 'done' | 'pending';

/**
 * The poll scheduler (src/sessions/scheduler.ts): calls `poll` for each running turn,
 * fairly and within the Blocks budget. The engine owns which turns are registered.
 */
export interface TurnScheduler {
  add(turnId: string, startedAt: number): void;
  remove(turnId: string): void;
  has(turnId: string): boolean;
  readonly size: number;
  nextPollAt(turnId: string): number | undefined;
  start(): void;
  stop(): void | Promise<void>;
}

/** Builds the scheduler around the engine's poll callback (the composition root binds budget and config). */
export type TurnSchedulerFactory = (poll: (turnId: string) => Promise<PollOutcome>) => TurnScheduler;

/**
 * What the channel-bound part of the engine (channel-*.ts) hears from the turn machinery.
 * Called only for turns and requests that carry a placement; a hook never throws (it logs).
 */
export interface PlacementHooks {
  /** A placed turn ended: answered (`done`), `failed`, `timed-out`, or `superseded`. */
  turnEnded(turn: TurnRecord, session: AgentSessionRecord, reason?: string): Promise<void>;
  /** A placed request failed before any turn started; `reason` is what people are shown. */
  requestFailed(request: SessionRequest, reason: string, sessionUsable: boolean): Promise<void>;
}

/** Shows running turns' progress natively (progress-display.ts builds it). */
export interface ProgressDisplay {
  /**
   * After a poll of a running turn: shows what is new (may be nothing). Queued behind the
   * turn's earlier updates and not awaited by the poll, so a slow platform never holds up
   * polling; `finish` waits for them.
   */
  update(session: AgentSessionRecord, turn: TurnRecord, fresh: readonly ProgressStep[]): void;
  /**
   * Before the answer is posted: clears the status and closes the turn's stream, with the
   * answer when it fits. Returns the streamed answer's message when the stream took it (post
   * nothing more), else undefined (post the answer as always).
   */
  finish(session: AgentSessionRecord, turn: TurnRecord, answer: string | undefined): Promise<MessageRef[] | undefined>;
  /** Starts the timer that keeps statuses alive and shows throttled step lists. */
  start(): void;
  /** Stops the timer and waits for the updates under way. */
  stop(): Promise<void>;
}
