/**
 * What every part of the session engine shares: its dependencies, its state, and the few
 * chat operations it does (post once in a thread, edit or react without failing the turn).
 */

import type { AgentPostSink } from '../core/agent-posts.js';
import type { ChannelRef, ChatAdapter, MessageRef, OutboundMessage, PlatformName } from '../core/chat.js';
import type { AdapterDirectory } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import type { KeyedLock } from '../core/keyed-lock.js';
import type { Logger } from '../core/logger.js';
import type { TenancyConfig } from '../core/tenancy.js';
import { postOnce } from '../delivery/post-once.js';
import type { RateBudget } from '../ratelimit/types.js';
import type { BlocksClient } from '../services/blocks/client.js';
import type { Store } from '../store/index.js';
import { statusMessage } from './buttons/status-buttons.js';
import type { SessionsConfig } from './config.js';
import type { SessionEvents } from './events.js';
import type { AgentQuota } from './quota.js';
import type { SessionState } from './session-store.js';
import type { AgentSessionRecord, ProgressDisplay, SessionRequest, TurnRecord, TurnScheduler } from './types.js';

export interface SessionEngineSettings {
  sessions: SessionsConfig;
  /** `blocks.defaultAgent`; '' for none. */
  defaultAgent: string;
  /** `commands.agent`, for hints ("start one with /agent"). */
  commandName: string;
  /** `blocks.baseUrl`: polling URLs for turns found by listing messages are built on it. */
  blocksBaseUrl: string;
}

export interface EngineContext {
  store: Store;
  state: SessionState;
  blocks: BlocksClient;
  budget: RateBudget;
  adapters: AdapterDirectory;
  settings: SessionEngineSettings;
  logger: Logger;
  now: () => number;
  /** Serialises the work on one session record (a follow-up and a poll finishing the same turn). */
  lock: KeyedLock;
  /** Polls the running turns; the engine builds it once, with `pollTurn` over this context. */
  scheduler: Pick<TurnScheduler, 'add' | 'remove'>;
  /** A person is told they are queued when a Blocks call would wait longer than this. */
  queuedNoticeMs: number;
  /** Where turns announce that they ended and requests that they failed. */
  events: SessionEvents;
  /** Per-person and per-channel agent quotas; absent, nobody is limited. */
  quota?: AgentQuota;
  /** Shows running turns' progress natively (progress-display.ts). */
  progress: ProgressDisplay;
  /** Poll rounds of each running turn in this process: which request a round makes (progress.ts). */
  pollRounds: Map<string, number>;
  /** Where the agent threads' posts go to be mirrored (the mirror, when Fluxra is configured). */
  agentPosts?: AgentPostSink;
  /** The allow-lists: who may continue a session from a copy of its thread (thread-copies.ts). */
  tenancy?: TenancyConfig;
}

/** The thread a turn speaks in: its placement's, else the session's. */
export function turnThread(session: AgentSessionRecord, turn: Pick<TurnRecord, 'placement'>): string {
  return turn.placement?.threadRootId ?? session.threadRoot.messageId;
}

/** The thread a request is answered in: its placement's, else the session's. */
export function requestThread(session: AgentSessionRecord, request: SessionRequest): string {
  return request.placement?.threadRootId ?? session.threadRoot.messageId;
}

/** The adapter of a platform; throws when that platform is not connected (the request waits). */
export function adapterFor(ctx: EngineContext, platform: PlatformName): ChatAdapter {
  const adapter = ctx.adapters.get(platform);
  if (!adapter) throw new Error(`${platform} is not connected`);
  return adapter;
}

/** Posts `text` (or a message with buttons) in the thread of `threadRootId` at most once per `key` (across crashes). */
export async function postInThread(ctx: EngineContext, channel: ChannelRef, threadRootId: string | undefined, key: string, text: string | OutboundMessage): Promise<MessageRef[]> {
  const adapter = adapterFor(ctx, channel.platform);
  return postOnce({
    store: ctx.store,
    adapter,
    channel: { platform: channel.platform, channelId: channel.channelId },
    message: typeof text === 'string' ? { text } : text,
    ...(threadRootId !== undefined ? { options: { threadRootId } } : {}),
    key: `sessions:${key}`,
  });
}

/**
 * Edits a session's status message to `text`, its buttons kept (status-buttons.ts); a
 * failure is logged, never fatal (the answer matters more).
 */
export async function editStatus(ctx: EngineContext, session: Pick<AgentSessionRecord, 'id' | 'sessionUrl'>, ref: MessageRef | undefined, text: string): Promise<void> {
  await editQuietly(ctx, ref, statusMessage(session, text));
}

/** Edits a message; a failure is logged, never fatal (the answer matters more). */
export async function editQuietly(ctx: EngineContext, ref: MessageRef | undefined, message: OutboundMessage): Promise<void> {
  if (!ref) return;
  try {
    await adapterFor(ctx, ref.platform).edit(ref, message);
  } catch (error) {
    ctx.logger.warn({ err: describeError(error), messageId: ref.messageId }, 'could not update a session status message');
  }
}

export async function reactQuietly(ctx: EngineContext, ref: MessageRef | undefined, emoji: string): Promise<void> {
  if (!ref) return;
  try {
    await adapterFor(ctx, ref.platform).react(ref, emoji);
  } catch (error) {
    ctx.logger.warn({ err: describeError(error), messageId: ref.messageId }, 'could not react to a session message');
  }
}
