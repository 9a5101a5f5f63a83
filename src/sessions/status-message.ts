/**
 * The turn's status message ("claude is working…", then the step list, then "done"): posted
 * and edited here only, so that whatever is attached to it later (buttons, a side pane) is
 * attached in one place. Edits send the text alone: Slack's `chat.update` and Discord's
 * message PATCH keep the fields they are not given (blocks, components).
 */

import type { MessageRef } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import { adapterFor, type EngineContext, postInThread, turnThread } from './context.js';
import { workingText } from './messages.js';
import type { AgentSessionRecord, TurnRecord } from './types.js';

/** The first line of the status while the turn runs. */
export function workingHeader(session: AgentSessionRecord, turn: Pick<TurnRecord, 'n'>): string {
  return workingText(session.agentLabel, session.sessionUrl, turn.n > 1);
}

/** Posts the turn's "working…" message in the thread (once) and remembers it. */
export async function showStatus(ctx: EngineContext, session: AgentSessionRecord, turn: TurnRecord): Promise<TurnRecord> {
  if (turn.statusRef) return turn;
  try {
    const [ref] = await postInThread(ctx, session.channel, turnThread(session, turn), `${turn.id}:status`, workingHeader(session, turn));
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

/** Edits a status message; a failure is logged, never fatal (the answer matters more). */
export async function editStatus(ctx: EngineContext, ref: MessageRef | undefined, text: string): Promise<void> {
  if (!ref) return;
  try {
    await adapterFor(ctx, ref.platform).edit(ref, { text });
  } catch (error) {
    ctx.logger.warn({ err: describeError(error), messageId: ref.messageId }, 'could not update a session status message');
  }
}
