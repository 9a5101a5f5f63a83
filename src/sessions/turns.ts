/**
 * A turn's life: registered (record, running index, "working…" status, scheduler), polled
 * for its final message, and finished exactly once: answered, failed, timed out, or
 * superseded by a follow-up. The answer is posted through `postOnce` keyed by the Blocks
 * final message id, and the turn record says it ended, so neither a poll overlap nor a
 * restart can post it twice.
 */
import { describeError, RateLimitedError } from '../core/errors.js';
import { breakMentionSyntax } from '../format/mentions.js';
import { BlocksApiError, BlocksErrorCode } from '../services/blocks/errors.js';
import type { BlocksMessage, BlocksPullRequest, BlocksTurn } from '../services/blocks/types.js';
import { shareAgentPost } from './agent-thread.js';
import { statusMessage } from './buttons/status-buttons.js';
import { type EngineContext, editStatus, postInThread, reactQuietly, turnThread } from './context.js';
import { doneText, failedText, KEY_REFUSED_TEXT, replyText, SESSION_GONE_TEXT, timedOutText, workingText } from './messages.js';
import { absorbItems, emptyProgress, type ProgressStep, useCompletionLink } from './progress.js';
import type { QuotaTicket } from './quota.js';
import type { AgentSessionRecord, PollOutcome, TurnPlacement, TurnRecord } from './types.js';

/**
 * Records a new running turn, makes it the session's current one, shows its status, starts
 * polling it. A placement (channel sessions) says which thread the turn speaks in.
 */
export async function registerTurn(ctx: EngineContext, session: AgentSessionRecord, blocksTurn: BlocksTurn, placement?: TurnPlacement, quota?: QuotaTicket): Promise<TurnRecord> {
  const n = session.turnCount + 1;
  let turn: TurnRecord = {
    id: `${session.id}#${n}`,
    sessionRecordId: session.id,
    n,
    blocks: blocksTurn,
    startedAt: ctx.now(),
    state: 'running',
    ...(placement ? { placement } : {}),
    ...(quota ? { quota } : {}),
  };
  // Record first, index second, session last: a crash in between leaves a turn that recovery
  // either polls (indexed) or never heard of, never an index entry without its record.
  await ctx.state.putTurn(turn);
  turn = await ctx.state.markRunning(turn);
  await ctx.state.putSession({ ...session, turnCount: n, currentTurnId: turn.id });
  turn = await showStatus(ctx, { ...session, turnCount: n, currentTurnId: turn.id }, turn);
  ctx.scheduler.add(turn.id, turn.startedAt);
  return turn;
}

/** Posts the turn's "working…" message in the thread (once) and remembers it. */
export async function showStatus(ctx: EngineContext, session: AgentSessionRecord, turn: TurnRecord): Promise<TurnRecord> {
  if (turn.statusRef) return turn;
  try {
    const [ref] = await postInThread(
      ctx,
      session.channel,
      turnThread(session, turn),
      `${turn.id}:status`,
      statusMessage(session, workingText(session.agentLabel, session.sessionUrl, turn.n > 1)),
    );
    if (!ref) return turn;
    const latest = (await ctx.state.getTurn(turn.id)) ?? turn;
    const updated = { ...latest, statusRef: ref };
    await ctx.state.putTurn(updated);
    return updated;
  } catch (error) {
    // The answer still comes: it is posted in the thread without a status to update.
    ctx.logger.warn({ turnId: turn.id, err: describeError(error) }, 'could not post the session status message');
    return turn;
  }
}

/** Ends a turn in a state other than running: index entry removed, scheduler told. */
export async function endTurn(ctx: EngineContext, turn: TurnRecord, state: Exclude<TurnRecord['state'], 'running'>, extra: Partial<TurnRecord> = {}): Promise<TurnRecord> {
  const ended: TurnRecord = { ...turn, ...extra, state, finishedAt: ctx.now() };
  await ctx.state.putTurn(ended);
  await ctx.state.unmarkRunning(ended);
  ctx.scheduler.remove(turn.id);
  ctx.pollRounds.delete(turn.id);
  // Whoever asked for it may ask again (quota: running turns).
  await ctx.quota?.release(turn.quota);
  return ended;
}

/**
 * The poll callback given to the scheduler. Throws only for failures worth a backoff of this
 * turn (network, 5xx, 429); everything else is settled here.
 */
export async function pollTurn(ctx: EngineContext, turnId: string): Promise<PollOutcome> {
  const turn = await ctx.state.getTurn(turnId);
  if (!turn || turn.state !== 'running') return 'done';
  const session = await ctx.state.getSession(turn.sessionRecordId);
  if (!session) {
    await endTurn(ctx, turn, 'failed');
    return 'done';
  }
  const timeoutMs = ctx.settings.sessions.turnTimeoutMinutes * 60_000;
  if (ctx.now() - turn.startedAt >= timeoutMs) {
    try {
      await ctx.lock.run(session.id, () => finishUnanswered(ctx, turn.id, 'timed-out'));
    } catch (error) {
      ctx.logger.warn({ turnId, err: describeError(error) }, 'could not record a timed-out turn; retrying');
      return 'pending';
    }
    return 'done';
  }
  let final: BlocksMessage | undefined;
  try {
    ({ final } = await readTurn(ctx, session, turn));
  } catch (error) {
    return pollFailed(ctx, turn, error);
  }
  if (final === undefined) return 'pending';
  const answer = final;
  try {
    await ctx.lock.run(session.id, () => deliverAnswer(ctx, turn.id, answer));
  } catch (error) {
    // The chat platform failed us: the next poll finds the answer again and postOnce resumes.
    ctx.logger.warn({ turnId, err: describeError(error) }, 'could not post the agent answer; retrying on the next poll');
    return 'pending';
  }
  return 'done';
}

async function pollFailed(ctx: EngineContext, turn: TurnRecord, error: unknown): Promise<PollOutcome> {
  if (error instanceof BlocksApiError && error.code === BlocksErrorCode.NotFound) {
    await markSessionEnded(ctx, turn.sessionRecordId);
    await finishUnanswered(ctx, turn.id, 'failed', SESSION_GONE_TEXT);
    return 'done';
  }
  if (error instanceof BlocksApiError && error.code === BlocksErrorCode.Auth) {
    // Every turn fails the same way until an admin fixes the key: keep polling, say it once.
    ctx.logger.error({ turnId: turn.id, status: error.status }, 'Blocks does not accept the bridge API key (blocks.apiKey): polling cannot continue until it is fixed');
    return 'pending';
  }
  // Network, 5xx, 429: the scheduler backs this turn off (or waits out the key's pause).
  if (!(error instanceof RateLimitedError)) ctx.logger.warn({ turnId: turn.id, err: describeError(error) }, 'polling a turn failed; retrying later');
  throw error;
}

/**
 * One request for the turn (spec §10.3): the progress read (new steps and the final message
 * since the persisted cursor), or every few rounds the cursor-less completion link. New steps
 * are persisted (cursor and seen ids with them) before they are shown, so a restart resumes
 * from the cursor and never shows a step twice.
 */
async function readTurn(ctx: EngineContext, session: AgentSessionRecord, turn: TurnRecord): Promise<{ final: BlocksMessage | undefined; turn: TurnRecord }> {
  const sessions = ctx.settings.sessions;
  const round = ctx.pollRounds.get(turn.id) ?? 0;
  ctx.pollRounds.set(turn.id, round + 1);
  if (useCompletionLink(sessions.progress, turn.blocks.threadId !== null, round, sessions.progressFinalCheckEvery)) {
    const final = await ctx.blocks.pollFinalMessage(turn.blocks, { priority: 'background' });
    if (final !== undefined) ctx.pollRounds.delete(turn.id);
    else if (sessions.progress !== 'off') showProgress(ctx, session, turn, []);
    return { final, turn };
  }
  const read = await ctx.blocks.pollTurnItems(turn.blocks, turn.progress?.cursor, { priority: 'background' });
  const before = turn.progress ?? emptyProgress();
  const { progress, fresh } = absorbItems(before, read.items, read.final, read.gts);
  let current = turn;
  if (fresh.length > 0 || progress.cursor !== before.cursor || progress.seenIds.length !== before.seenIds.length) {
    const latest = (await ctx.state.getTurn(turn.id)) ?? turn;
    // A follow-up may have ended it meanwhile: its progress is of no interest any more.
    if (latest.state !== 'running') return { final: undefined, turn: latest };
    current = { ...latest, progress };
    await ctx.state.putTurn(current);
  }
  // Steps found with the final message are shown too (the stream then closes with the answer).
  if (read.final === undefined || fresh.length > 0) showProgress(ctx, session, current, fresh);
  if (read.final !== undefined) ctx.pollRounds.delete(turn.id);
  return { final: read.final, turn: current };
}

/** Shows progress without holding the poll up (the display queues it per turn and logs failures). */
function showProgress(ctx: EngineContext, session: AgentSessionRecord, turn: TurnRecord, fresh: ProgressStep[]): void {
  ctx.progress.update(session, turn, fresh);
}

/** Blocks no longer has the session: its buttons answer that it has ended. */
export async function markSessionEnded(ctx: EngineContext, sessionRecordId: string): Promise<void> {
  await ctx.lock.run(sessionRecordId, async () => {
    const session = await ctx.state.getSession(sessionRecordId);
    if (session && session.endedAt === undefined) await ctx.state.putSession({ ...session, endedAt: ctx.now() });
  });
}

/** Posts the final answer (once), then marks the status done with ✅. */
async function deliverAnswer(ctx: EngineContext, turnId: string, final: BlocksMessage): Promise<void> {
  const turn = await ctx.state.getTurn(turnId);
  // A follow-up may have superseded the turn while the poll was in flight.
  if (!turn || turn.state !== 'running') return;
  const session = await ctx.state.getSession(turn.sessionRecordId);
  if (!session) return;
  const pullRequests = await pullRequestsOf(ctx, session);
  const text = replyText({
    // An agent's text is foreign: mention syntax in it never pings (format/mentions.ts).
    answer: breakMentionSyntax(final.message),
    pullRequests,
    ...(session.sessionUrl ? { sessionUrl: session.sessionUrl } : {}),
    maxChars: ctx.settings.sessions.attachAsFileOverChars,
    agentLabel: session.agentLabel,
  });
  // A stream opened for the turn (before a crash, too) takes the answer; else a plain post, as always.
  const streamed = await ctx.progress.finish(session, turn, text);
  const answerRefs = streamed ?? (await postInThread(ctx, session.channel, turnThread(session, turn), `reply:${final.id}`, text));
  // Mirrored (answer, then the final status line) before the turn ends: a crash in between hands them over again.
  await shareAgentPost(ctx, 'answer', answerRefs, text, session.agentLabel);
  await shareAgentPost(ctx, 'status', turn.statusRef, doneText(session.agentLabel, session.sessionUrl), session.agentLabel);
  // The visible "done" comes before the turn is recorded as ended: a crash in between leaves a
  // running turn that the next poll finishes again (the reply is known to postOnce, the edit and
  // the reaction are idempotent), never a "working…" status that nothing will update.
  await editStatus(ctx, session, turn.statusRef, doneText(session.agentLabel, session.sessionUrl));
  await reactQuietly(ctx, turn.statusRef ?? (turn.placement ? undefined : session.threadRoot), '✅');
  const ended = await endTurn(ctx, turn, 'done', { finalMessageId: final.id });
  await ctx.events.turnEnded({ turn: ended, session });
  ctx.logger.info({ sessionId: session.blocksSessionId, turnId, finalMessageId: final.id }, 'agent answer posted');
}

/** PRs appear on the session only after the turn (spec §5.2): one GET, at people's priority. */
async function pullRequestsOf(ctx: EngineContext, session: AgentSessionRecord): Promise<BlocksPullRequest[]> {
  if (!session.blocksSessionId) return [];
  try {
    return (await ctx.blocks.getSession(session.blocksSessionId, { priority: 'interactive' })).pullRequests;
  } catch (error) {
    ctx.logger.warn({ sessionId: session.blocksSessionId, err: describeError(error) }, 'could not read the session for pull requests; answering without them');
    return [];
  }
}

/** Ends a running turn without an answer: timed out, or failed with a reason. */
export async function finishUnanswered(ctx: EngineContext, turnId: string, how: 'timed-out' | 'failed', reason = KEY_REFUSED_TEXT): Promise<void> {
  const turn = await ctx.state.getTurn(turnId);
  if (!turn || turn.state !== 'running') return;
  const session = await ctx.state.getSession(turn.sessionRecordId);
  if (!session) {
    await endTurn(ctx, turn, how);
    return;
  }
  const text =
    how === 'timed-out'
      ? timedOutText(session.agentLabel, ctx.settings.sessions.turnTimeoutMinutes, session.sessionUrl)
      : failedText(session.agentLabel, reason, session.sessionUrl);
  await ctx.progress.finish(session, turn, text);
  // Shown (and mirrored) before the turn is recorded as ended, for the same reason as in deliverAnswer.
  if (turn.statusRef) await editStatus(ctx, session, turn.statusRef, text);
  const statusRef = turn.statusRef ?? (await postInThread(ctx, session.channel, turnThread(session, turn), `${turn.id}:${how}`, text).catch(() => undefined))?.[0];
  await shareAgentPost(ctx, 'status', statusRef, text, session.agentLabel);
  const ended = await endTurn(ctx, turn, how);
  await ctx.events.turnEnded({ turn: ended, session, reason: text });
  ctx.logger.info({ sessionId: session.blocksSessionId, turnId, how }, 'turn ended without an answer');
}
