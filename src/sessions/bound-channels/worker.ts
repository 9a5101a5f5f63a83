/**
 * The worker of one bound channel: takes the waiting messages of its queue and sends them
 * to the channel's session, one batch at a time.
 *
 *   batch persisted? → resume it (same prompt, same session: the start and follow-up steps
 *                      are resumable and never resend blindly) → mark taken, dequeue
 *   waiting messages → 👀 on each (picked up)
 *   not bound any more → ❌ with the reason in each thread, dequeued (never silently)
 *   `queue` mode and the session's turn still running → ⏳ on each, wait: the turn's end
 *                      kicks the worker again
 *   otherwise → all of them (up to MAX_BATCH) become ONE batch: a session start when the
 *                      channel has no usable session, else one follow-up (which interrupts a
 *                      running turn in `interrupt` mode); its answer goes in the thread of the
 *                      last message, and the other messages' threads get a line pointing there.
 */
import { messageKey } from '../../core/keys.js';
import { type EngineContext, postInThread, reactQuietly } from '../context.js';
import { processFollowUp } from '../follow-up.js';
import { processStart, type RequestOutcome } from '../start.js';
import type { AgentSessionRecord, FollowUpRequest, StartRequest, TurnPlacement } from '../types.js';
import { type ChannelBinding, type ChannelBindings, channelSessionId } from './bindings.js';
import type { ChannelBatch, ChannelQueue, QueuedMessage } from './queue.js';
import { batchPrompt, UNBOUND_BEFORE_SENT_TEXT } from './text.js';

/** Most messages sent in one prompt; more wait for the next turn. */
export const MAX_BATCH = 20;
/** While messages wait behind a running turn, the queue is looked at again this often anyway. */
export const WAITING_RECHECK_MS = 30_000;

export interface ChannelWorkerDeps {
  ctx: EngineContext;
  bindings: ChannelBindings;
  queue: ChannelQueue;
  mode: () => 'queue' | 'interrupt';
}

/** What one pass over a channel decided: done for now, or come back at `retryAt`. */
export type DrainResult = { retryAt?: number; reason?: string };

/** Keys of messages already given a reaction in this process (a restart reacts again, harmlessly). */
interface Marks {
  pickedUp: Set<string>;
  waiting: Set<string>;
}

export function createMarks(): Marks {
  return { pickedUp: new Set(), waiting: new Set() };
}

export function placementOf(batch: Pick<ChannelBatch, 'threadRootId' | 'messages'>): TurnPlacement {
  return {
    threadRootId: batch.threadRootId,
    messages: batch.messages.map((m) => ({ ref: m.ref, threadRootId: m.threadRootId, authorName: m.authorName, text: m.text })),
  };
}

/** The running turn of the session, if one is running. */
export async function runningTurnOf(ctx: EngineContext, session: AgentSessionRecord | undefined) {
  if (!session?.currentTurnId) return undefined;
  const turn = await ctx.state.getTurn(session.currentTurnId);
  return turn?.state === 'running' ? turn : undefined;
}

export async function drainChannel(deps: ChannelWorkerDeps, marks: Marks, channel: QueuedMessage['channel']): Promise<DrainResult> {
  const { ctx, bindings, queue } = deps;
  for (;;) {
    const pending = await queue.getBatch(channel);
    if (pending) {
      const outcome = await sendBatch(ctx, pending);
      if (outcome.kind === 'retry') return { retryAt: ctx.now() + outcome.afterMs, reason: outcome.reason };
      for (const m of pending.messages) await queue.markTaken(m.ref);
      await queue.complete(channel, pending.entryIds);
      await queue.clearBatch(channel);
      continue;
    }

    const entries = await queue.waiting(channel, MAX_BATCH);
    if (entries.length === 0) return {};
    const fresh: typeof entries = [];
    const duplicates: string[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = messageKey(entry.item.ref);
      if (seen.has(key) || (await queue.isTaken(entry.item.ref))) duplicates.push(entry.id);
      else {
        seen.add(key);
        fresh.push(entry);
      }
    }
    if (duplicates.length > 0) await queue.complete(channel, duplicates);
    if (fresh.length === 0) continue;
    for (const { item } of fresh) {
      const key = messageKey(item.ref);
      if (marks.pickedUp.has(key)) continue;
      marks.pickedUp.add(key);
      await reactQuietly(ctx, item.ref, '👀');
    }

    const binding = await bindings.get(channel);
    if (!binding) {
      await refuseUnbound(
        ctx,
        queue,
        fresh.map((e) => e.item),
      );
      await queue.complete(
        channel,
        fresh.map((e) => e.id),
      );
      continue;
    }
    const session = binding.sessionRecordId ? await ctx.state.getSession(binding.sessionRecordId) : undefined;
    const usable = session?.state === 'active' && session.blocksSessionId !== undefined;
    if (usable && deps.mode() === 'queue' && (await runningTurnOf(ctx, session))) {
      for (const { item } of fresh) {
        const key = messageKey(item.ref);
        if (marks.waiting.has(key)) continue;
        marks.waiting.add(key);
        await reactQuietly(ctx, item.ref, '⏳');
      }
      // The turn's end wakes the worker; this is only the safety net for an end it missed.
      return { retryAt: ctx.now() + WAITING_RECHECK_MS };
    }
    await queue.putBatch(await newBatch(ctx, bindings, binding, usable ? session : undefined, fresh));
  }
}

/** Builds the batch; a start names the session first, in the binding, so a restart reuses the name. */
async function newBatch(
  ctx: EngineContext,
  bindings: ChannelBindings,
  binding: ChannelBinding,
  session: AgentSessionRecord | undefined,
  entries: ReadonlyArray<{ id: string; item: QueuedMessage }>,
): Promise<ChannelBatch> {
  let sessionRecordId = session?.id;
  if (sessionRecordId === undefined) {
    // A name given but never created (a crash before the batch was saved) is used now.
    const named = binding.sessionRecordId;
    if (named !== undefined && (await ctx.state.getSession(named)) === undefined) sessionRecordId = named;
    else {
      const n = binding.sessionCount + 1;
      sessionRecordId = channelSessionId(binding, n);
      await bindings.put({ ...binding, sessionRecordId, sessionCount: n });
    }
  }
  const messages = entries.map((e) => e.item);
  const last = messages.at(-1) as QueuedMessage;
  return {
    channel: binding.channel,
    kind: session ? 'follow-up' : 'start',
    sessionRecordId,
    agent: binding.agent,
    agentLabel: binding.agentLabel,
    entryIds: entries.map((e) => e.id),
    messages,
    threadRootId: last.threadRootId,
    prompt: batchPrompt(messages),
    createdAt: ctx.now(),
  };
}

/** One Blocks call for the batch, through the engine's resumable start and follow-up steps. */
async function sendBatch(ctx: EngineContext, batch: ChannelBatch): Promise<RequestOutcome> {
  const last = batch.messages.at(-1) as QueuedMessage;
  const placement = placementOf(batch);
  const author = { id: last.authorId, displayName: last.authorName };
  if (batch.kind === 'start') {
    const request: StartRequest = {
      kind: 'start',
      sessionRecordId: batch.sessionRecordId,
      origin: 'channel',
      channel: batch.channel,
      threadRoot: { platform: batch.channel.platform, channelId: batch.channel.channelId, messageId: batch.threadRootId },
      askedBy: author,
      agent: batch.agent,
      agentLabel: batch.agentLabel,
      prompt: batch.prompt,
      requestedAt: batch.createdAt,
      placement,
      ...(batch.messages.some((m) => m.privateChannel === true) ? { isPrivate: true } : {}),
    };
    return processStart(ctx, request);
  }
  const request: FollowUpRequest = {
    kind: 'follow-up',
    sessionRecordId: batch.sessionRecordId,
    message: last.ref,
    author,
    text: batch.prompt,
    requestedAt: batch.createdAt,
    placement,
  };
  return processFollowUp(ctx, request);
}

/** Messages taken while the channel was bound and found after it was unbound: each is told so. */
async function refuseUnbound(ctx: EngineContext, queue: ChannelQueue, messages: readonly QueuedMessage[]): Promise<void> {
  for (const m of messages) {
    await postInThread(ctx, m.channel, m.threadRootId, `chan:unbound:${messageKey(m.ref)}`, UNBOUND_BEFORE_SENT_TEXT);
    await settleReactions(ctx, m, '❌');
    await queue.markTaken(m.ref);
  }
}

/** The message's final state: 👀 and ⏳ give way to ✅ or ❌. */
export async function settleReactions(ctx: EngineContext, message: Pick<QueuedMessage, 'ref'>, emoji: '✅' | '❌'): Promise<void> {
  const adapter = ctx.adapters.get(message.ref.platform);
  if (!adapter) return;
  for (const old of ['⏳', '👀']) {
    try {
      await adapter.unreact(message.ref, old);
    } catch (error) {
      ctx.logger.debug({ messageId: message.ref.messageId, err: String(error) }, 'could not remove a reaction');
    }
  }
  await reactQuietly(ctx, message.ref, emoji);
}
