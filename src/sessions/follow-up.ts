/**
 * A person's reply in a session's thread becomes a follow-up: a new Blocks turn that
 * interrupts the running one (spec §5.3, §8.4). Follow-up POSTs have no idempotency key and
 * a resent one would interrupt the first, so after a timeout or a 5xx (or a restart in the
 * middle of the POST) the session's user messages are read first and the POST is repeated
 * only when ours is not among them.
 */
import { describeError, RateLimitedError } from '../core/errors.js';
import { messageKey } from '../core/keys.js';
import { BlocksApiError, BlocksErrorCode, mayHaveBeenProcessed } from '../services/blocks/errors.js';
import { fallbackFinalMessageUrl } from '../services/blocks/links.js';
import type { BlocksTurn } from '../services/blocks/types.js';
import { shareAgentPost } from './agent-thread.js';
import { type EngineContext, editStatus, postInThread, requestThread } from './context.js';
import { blocksErrorText, followUpMayHaveArrivedText, interruptedNoticeText, interruptedStatusText, noSessionText, queuedText } from './messages.js';
import { neverSent, type RequestOutcome, releaseRequestQuota } from './start.js';
import { endTurn, registerTurn } from './turns.js';
import type { AgentSessionRecord, FollowUpRequest, TurnPlacement, TurnRecord } from './types.js';

/** Progress of one follow-up, keyed by the chat message: a restart resumes from it. */
interface FollowUpProgress {
  state: 'sending' | 'sent';
  /** Epoch ms of the first POST attempt: user messages older than this are not ours. */
  sentAt: number;
  turnId?: string;
  /** Rounds in which two sends failed and Blocks showed neither (see `UNSURE_ROUNDS`). */
  unsureRounds?: number;
}

const PROGRESS_TTL_MS = 7 * 24 * 60 * 60_000;

/**
 * Two failed sends after which Blocks shows no trace of the follow-up mean it did not arrive
 * (a connection reset before it reached Blocks): the request is tried again later, looking
 * on Blocks first, this many rounds before the person is told it may have arrived.
 */
const UNSURE_ROUNDS = 3;
const UNSURE_RETRY_MS = 1_000;

export async function processFollowUp(ctx: EngineContext, request: FollowUpRequest): Promise<RequestOutcome> {
  const progressKey = messageKey(request.message);
  const progressStore = ctx.store.kv<FollowUpProgress>('session-follow-ups');
  const progress = await progressStore.get(progressKey);
  if (progress?.state === 'sent') return { kind: 'done' };

  const session = await ctx.state.getSession(request.sessionRecordId);
  if (!session || session.state !== 'active' || !session.blocksSessionId) {
    await releaseRequestQuota(ctx, request);
    if (session) {
      await postInThread(ctx, session.channel, requestThread(session, request), `fu:${progressKey}:nosession`, noSessionText(ctx.settings.commandName));
      await ctx.events.requestFailed({ request, reason: noSessionText(ctx.settings.commandName), sessionUsable: false });
    }
    return { kind: 'done' };
  }
  const sessionId = session.blocksSessionId;

  let blocksTurn: BlocksTurn | undefined;
  const sentAt = progress?.sentAt ?? ctx.now();
  try {
    if (progress?.state === 'sending') {
      // A previous attempt may have reached Blocks before the process died.
      blocksTurn = await findOurFollowUp(ctx, session, request, sentAt);
    }
    if (!blocksTurn) {
      // Marked only once the slot is granted, just before the bytes leave: a follow-up that
      // waited for its slot when the process died is simply sent after the restart.
      const unsure = progress?.unsureRounds ? { unsureRounds: progress.unsureRounds } : {};
      const markSending = () => progressStore.set(progressKey, { state: 'sending', sentAt, ...unsure }, { ttlMs: PROGRESS_TTL_MS });
      blocksTurn = await sendOnce(ctx, session, request, sentAt, markSending);
    }
  } catch (error) {
    // The budget could not admit a call (Redis blip, shutdown): retried with backoff. The
    // progress record says whether a POST may have left, and the retry checks Blocks first.
    if (neverSent(error)) throw error;
    return followUpFailed(ctx, session, request, progressKey, error);
  }
  if (!blocksTurn) {
    const rounds = (progress?.unsureRounds ?? 0) + 1;
    if (rounds < UNSURE_ROUNDS) {
      await progressStore.set(progressKey, { state: 'sending', sentAt, unsureRounds: rounds }, { ttlMs: PROGRESS_TTL_MS });
      return { kind: 'retry', afterMs: UNSURE_RETRY_MS * rounds, reason: 'the follow-up failed twice and is not on Blocks' };
    }
    await postInThread(ctx, session.channel, requestThread(session, request), `fu:${progressKey}:maybe`, followUpMayHaveArrivedText(session.sessionUrl));
    await progressStore.set(progressKey, { state: 'sent', sentAt }, { ttlMs: PROGRESS_TTL_MS });
    await ctx.events.requestFailed({ request, reason: followUpMayHaveArrivedText(session.sessionUrl), sessionUsable: true });
    return { kind: 'done' };
  }

  const turn = await ctx.lock.run(session.id, async () => {
    const current = (await ctx.state.getSession(session.id)) ?? session;
    const interrupted = await supersede(ctx, current, request, progressKey);
    return registerTurn(ctx, current, blocksTurn, inheritPlacement(request.placement, interrupted), request.quota);
  });
  await progressStore.set(progressKey, { state: 'sent', sentAt, turnId: turn.id }, { ttlMs: PROGRESS_TTL_MS });
  ctx.logger.info({ sessionId, turnId: turn.id }, 'follow-up sent');
  return { kind: 'done' };
}

/**
 * One POST; after a failure that Blocks may nevertheless have processed, one look at the
 * session's user messages, and one more POST only if ours is not there. Undefined when the
 * second POST fails the same way (we cannot know, and will not guess again).
 */
async function sendOnce(
  ctx: EngineContext,
  session: AgentSessionRecord,
  request: FollowUpRequest,
  sentAt: number,
  onAdmitted: () => Promise<void>,
): Promise<BlocksTurn | undefined> {
  const sessionId = session.blocksSessionId ?? '';
  try {
    return await ctx.blocks.sendFollowUp(sessionId, { message: request.text }, { priority: 'interactive', onAdmitted });
  } catch (error) {
    if (!mayHaveBeenProcessed(error)) throw error;
    ctx.logger.warn({ sessionId, err: describeError(error) }, 'follow-up POST failed after it may have reached Blocks; checking the session before resending');
  }
  const found = await findOurFollowUp(ctx, session, request, sentAt);
  if (found) return found;
  try {
    return await ctx.blocks.sendFollowUp(sessionId, { message: request.text }, { priority: 'interactive', onAdmitted });
  } catch (error) {
    if (mayHaveBeenProcessed(error)) return findOurFollowUp(ctx, session, request, sentAt);
    throw error;
  }
}

/** Our follow-up among the session's user messages (same text, not older than our first try, not a known turn). */
async function findOurFollowUp(ctx: EngineContext, session: AgentSessionRecord, request: FollowUpRequest, sentAt: number): Promise<BlocksTurn | undefined> {
  const sessionId = session.blocksSessionId ?? '';
  const known = new Set<string>();
  for (let n = 1; n <= session.turnCount; n += 1) {
    const turn = await ctx.state.getTurn(`${session.id}#${n}`);
    if (turn?.blocks.threadId) known.add(turn.blocks.threadId.toLowerCase());
  }
  const text = request.text.trim();
  // Newest first: ours, if it arrived, is among the latest prompts.
  const page = await ctx.blocks.listMessages({ sessionId, roles: ['user'], types: ['message'], direction: 'desc', limit: 100 }, { priority: 'interactive' });
  const match = page.items.find((item) => {
    if (item.role !== 'user' || item.message.trim() !== text || !item.chatThreadId) return false;
    if (known.has(item.chatThreadId.toLowerCase())) return false;
    const created = item.createdAt ? Date.parse(item.createdAt) : Number.NaN;
    // Clocks differ: allow a minute of skew, but never a prompt from long before our try.
    return Number.isNaN(created) || created >= sentAt - 60_000;
  });
  if (!match?.chatThreadId) return undefined;
  ctx.logger.info({ sessionId, threadId: match.chatThreadId }, 'found the follow-up on Blocks; not resending it');
  return {
    sessionId,
    threadId: match.chatThreadId,
    finalMessageUrl: fallbackFinalMessageUrl(new URL(ctx.settings.blocksBaseUrl), sessionId, match.chatThreadId).toString(),
    finalMessageUrlIsFallback: true,
    userMessageId: match.id,
    taskId: match.taskId,
    createdAt: match.createdAt,
  };
}

/**
 * Stops waiting on the current turn; says so in the thread if it was still running. Returns
 * the turn it interrupted, if any.
 */
async function supersede(ctx: EngineContext, session: AgentSessionRecord, request: FollowUpRequest, progressKey: string): Promise<TurnRecord | undefined> {
  if (!session.currentTurnId) return undefined;
  const previous = await ctx.state.getTurn(session.currentTurnId);
  if (!previous || previous.state !== 'running') return undefined;
  // Its final status line, mirrored before the turn ends (a retry of this follow-up finds it running and hands it over again).
  await shareAgentPost(ctx, 'status', previous.statusRef, interruptedStatusText(session.agentLabel, session.sessionUrl), session.agentLabel);
  const ended = await endTurn(ctx, previous, 'superseded');
  await ctx.progress.finish(session, ended, undefined);
  await editStatus(ctx, session, ended.statusRef, interruptedStatusText(session.agentLabel, session.sessionUrl));
  await postInThread(ctx, session.channel, requestThread(session, request), `fu:${progressKey}:interrupted`, interruptedNoticeText(session.agentLabel)).catch((error: unknown) => {
    ctx.logger.warn({ err: describeError(error) }, 'could not say that a turn was interrupted');
  });
  await ctx.events.turnEnded({ turn: ended, session });
  return ended;
}

/**
 * The interrupted turn's messages are answered by the turn that interrupted it (the agent
 * saw them, then moved on with the newer ones), so they join its placement.
 */
function inheritPlacement(placement: TurnPlacement | undefined, interrupted: TurnRecord | undefined): TurnPlacement | undefined {
  if (!placement || !interrupted?.placement) return placement;
  const mine = new Set(placement.messages.map((m) => `${m.ref.platform}:${m.ref.channelId}:${m.ref.messageId}`));
  const earlier = interrupted.placement.messages.filter((m) => !mine.has(`${m.ref.platform}:${m.ref.channelId}:${m.ref.messageId}`));
  return { ...placement, messages: [...earlier, ...placement.messages] };
}

async function followUpFailed(ctx: EngineContext, session: AgentSessionRecord, request: FollowUpRequest, progressKey: string, error: unknown): Promise<RequestOutcome> {
  const progressStore = ctx.store.kv<FollowUpProgress>('session-follow-ups');
  if (error instanceof RateLimitedError) {
    // Refused, not processed: forget the attempt so the retry POSTs without a check.
    await progressStore.delete(progressKey);
    await postInThread(ctx, session.channel, requestThread(session, request), `fu:${progressKey}:queued`, queuedText(error.retryAfterMs)).catch(() => undefined);
    return { kind: 'retry', afterMs: Math.max(error.retryAfterMs, 1_000), reason: 'rate limited' };
  }
  if (error instanceof BlocksApiError && error.code === BlocksErrorCode.Auth) {
    ctx.logger.error({ status: error.status }, 'Blocks does not accept the bridge API key (blocks.apiKey): follow-ups fail until an admin fixes it');
  } else {
    ctx.logger.warn({ sessionId: session.blocksSessionId, err: describeError(error) }, 'follow-up failed');
  }
  await progressStore.set(progressKey, { state: 'sent', sentAt: ctx.now() }, { ttlMs: PROGRESS_TTL_MS });
  await releaseRequestQuota(ctx, request);
  const text = blocksErrorText(error, 'follow-up') ?? followUpMayHaveArrivedText(session.sessionUrl);
  await postInThread(ctx, session.channel, requestThread(session, request), `fu:${progressKey}:failed`, `Could not send the follow-up: ${text}`);
  const gone = error instanceof BlocksApiError && (error.code === BlocksErrorCode.NotFound || error.status === 400);
  await ctx.events.requestFailed({ request, reason: text, sessionUsable: !gone });
  return { kind: 'done' };
}
