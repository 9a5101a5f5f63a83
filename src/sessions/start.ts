/**
 * Starting a session from a persisted start request, resumable at every step:
 *
 *   root message (commands only, posted once) → session record `pending` (thread mapped)
 *   → "queued" note when the budget would make the person wait → record `waiting`
 *   → rate slot granted → record `sending` → Blocks create (interactive)
 *   → record `active` + first turn registered.
 *
 * Nothing has left while the record says `waiting`: a restart, or a budget that could not
 * admit the request (Redis blip, shutdown), resumes it with backoff. A create has no
 * idempotency key and Blocks has no session list to look in, so a record found `sending`
 * after a crash is never created again: the thread is told the session may or may not
 * have started.
 */
import { describeError, RateLimitedError } from '../core/errors.js';
import { BudgetClosedError, BudgetUnavailableError, BudgetWaitTimeoutError } from '../ratelimit/errors.js';
import { BlocksApiError, BlocksErrorCode } from '../services/blocks/errors.js';
import type { BlocksCreatedSession } from '../services/blocks/types.js';
import { shareAgentPost } from './agent-thread.js';
import { type EngineContext, postInThread, reactQuietly } from './context.js';
import { blocksErrorText, mayHaveStartedText, queuedText, rootText } from './messages.js';
import { registerTurn } from './turns.js';
import type { AgentSessionRecord, SessionRequest, StartRequest } from './types.js';

/** What the request worker does next with the request. */
export type RequestOutcome = { kind: 'done' } | { kind: 'retry'; afterMs: number; reason: string };

export async function processStart(ctx: EngineContext, request: StartRequest): Promise<RequestOutcome> {
  let session = await ctx.state.getSession(request.sessionRecordId);
  if (session && session.state !== 'pending' && session.state !== 'waiting') {
    if (session.state === 'sending' || session.state === 'creating') {
      // We were killed while the create was in flight: it may have reached Blocks.
      ctx.logger.warn({ sessionRecordId: session.id }, 'found a session create interrupted by a restart; not resending it');
      await ctx.state.putSession({ ...session, state: 'failed' });
      await ctx.quota?.release(request.quota);
      await postInThread(ctx, session.channel, session.threadRoot.messageId, `${session.id}:maybe`, mayHaveStartedText());
      await ctx.events.requestFailed({ request, reason: mayHaveStartedText(), sessionUsable: false });
    }
    return { kind: 'done' };
  }

  if (!session) {
    const threadRoot = request.threadRoot ?? (await postRoot(ctx, request));
    session = {
      id: request.sessionRecordId,
      threadRoot,
      platform: request.channel.platform,
      channel: request.channel,
      agentLabel: request.agentLabel,
      agent: request.agent,
      askedBy: request.askedBy,
      state: 'pending',
      turnCount: 0,
      createdAt: request.requestedAt,
      ...(request.placeId !== undefined ? { placeId: request.placeId } : {}),
      ...(request.isPrivate === true ? { isPrivate: true } : {}),
    };
    await ctx.state.putSession(session);
  }

  const waitMs = ctx.budget.estimateWaitMs('interactive');
  if (waitMs > ctx.queuedNoticeMs) {
    await postInThread(ctx, session.channel, session.threadRoot.messageId, `${session.id}:queued`, queuedText(waitMs)).catch(() => undefined);
  }

  const waiting: AgentSessionRecord = { ...session, state: 'waiting' };
  await ctx.state.putSession(waiting);
  let sending = false;
  let markFailed = false;
  const markSending = async (): Promise<void> => {
    if (sending) return;
    try {
      await ctx.state.putSession({ ...waiting, state: 'sending' });
    } catch (error) {
      markFailed = true;
      throw error;
    }
    sending = true;
  };
  let created: BlocksCreatedSession;
  try {
    created = await ctx.blocks.createSession(
      {
        message: request.prompt,
        ...('agentName' in request.agent ? { agentName: request.agent.agentName } : { agentId: request.agent.agentId }),
        title: request.prompt.split('\n')[0] ?? request.prompt,
        // Only ever true: a public channel's session keeps Blocks' default.
        ...(request.isPrivate === true ? { isPrivate: true } : {}),
      },
      { priority: 'interactive', onAdmitted: markSending },
    );
  } catch (error) {
    // Not admitted, or the mark could not be written (then nothing was sent either): the
    // request keeps its place and the request queue retries it with backoff.
    if (!sending && (neverSent(error) || markFailed)) throw error;
    return createFailed(ctx, waiting, request, error);
  }

  const active: AgentSessionRecord = { ...session, state: 'active', blocksSessionId: created.id, ...(created.sessionHtmlUrl ? { sessionUrl: created.sessionHtmlUrl } : {}) };
  await ctx.state.putSession(active);
  ctx.logger.info({ sessionRecordId: active.id, sessionId: created.id, agent: request.agentLabel, origin: request.origin }, 'agent session started');
  await registerTurn(ctx, active, created.turn, request.placement, request.quota);
  return { kind: 'done' };
}

/**
 * The budget refused to admit the request (its shared state unreachable, shut down, or no
 * slot in time): its bytes never left, so it is safe to try again later.
 */
export function neverSent(error: unknown): boolean {
  return error instanceof BudgetUnavailableError || error instanceof BudgetClosedError || error instanceof BudgetWaitTimeoutError;
}

/** A request that will never become a turn gives its quota back. */
export async function releaseRequestQuota(ctx: EngineContext, request: SessionRequest): Promise<void> {
  await ctx.quota?.release(request.quota);
}

/** The root of a slash command's thread: "<name> asked claude: …", posted once. */
async function postRoot(ctx: EngineContext, request: StartRequest) {
  const text = rootText(request.askedBy.displayName, request.agentLabel, request.prompt);
  const [root] = await postInThread(ctx, request.channel, undefined, `${request.sessionRecordId}:root`, text);
  if (!root) throw new Error('posting the root message returned no message');
  // The question goes first into the linked channels and Fluxra, so the thread has its root there.
  await shareAgentPost(ctx, 'question', root, text, request.agentLabel);
  return root;
}

async function createFailed(ctx: EngineContext, session: AgentSessionRecord, request: StartRequest, error: unknown): Promise<RequestOutcome> {
  if (error instanceof RateLimitedError) {
    // Refused, so certainly not started: back to pending, the person is told, we try again.
    await ctx.state.putSession({ ...session, state: 'pending' });
    await postInThread(ctx, session.channel, session.threadRoot.messageId, `${session.id}:queued`, queuedText(error.retryAfterMs)).catch(() => undefined);
    return { kind: 'retry', afterMs: Math.max(error.retryAfterMs, 1_000), reason: 'rate limited' };
  }
  if (error instanceof BlocksApiError && error.code === BlocksErrorCode.Auth) {
    ctx.logger.error({ status: error.status }, 'Blocks does not accept the bridge API key (blocks.apiKey): sessions cannot start until an admin fixes it');
  } else {
    ctx.logger.warn({ sessionRecordId: session.id, err: describeError(error) }, 'Blocks session create failed');
  }
  await ctx.state.putSession({ ...session, state: 'failed' });
  await releaseRequestQuota(ctx, request);
  const text = blocksErrorText(error, 'create') ?? mayHaveStartedText();
  const shown = text === mayHaveStartedText() ? text : `Could not start ${request.agentLabel}: ${text}`;
  await postInThread(ctx, session.channel, session.threadRoot.messageId, `${session.id}:failed`, shown);
  await reactQuietly(ctx, request.askingMessage, '❌');
  await ctx.events.requestFailed({ request, reason: shown, sessionUsable: false });
  return { kind: 'done' };
}
