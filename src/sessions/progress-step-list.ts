/**
 * The step list, where the platform does not stream (Discord): the turn's status message
 * edited into a compact list of its steps, no more often than the platform's pace allows; a
 * list that came too soon waits for the refresh round.
 */
import { type EngineContext, editStatus } from './context.js';
import { workingText } from './messages.js';
import { displayDue, stepListText, type TurnProgress } from './progress.js';
import type { LiveTurn } from './progress-display-rules.js';
import type { AgentSessionRecord, TurnRecord } from './types.js';

export interface StepList {
  /** Puts the turn's current steps up for its status message, shown at once when due. */
  queue(entry: LiveTurn, session: AgentSessionRecord, turn: TurnRecord, progress: TurnProgress, at: number): Promise<void>;
  /** Shows a waiting list once the pace allows. */
  showDue(entry: LiveTurn, at: number): Promise<void>;
}

export function createStepList(ctx: EngineContext): StepList {
  const sessions = ctx.settings.sessions;

  async function showDue(entry: LiveTurn, at: number): Promise<void> {
    const pending = entry.listPending;
    if (!pending || !displayDue(entry.listShownAt, at, sessions.progressMinEditMs)) return;
    entry.listPending = undefined;
    entry.listShownAt = at;
    // Through the one status edit, which keeps the message's buttons.
    await editStatus(ctx, pending.session, pending.statusRef, pending.text);
  }

  return {
    async queue(entry, session, turn, progress, at) {
      if (!turn.statusRef) return;
      entry.listPending = {
        session,
        statusRef: turn.statusRef,
        text: stepListText(workingText(session.agentLabel, session.sessionUrl, turn.n > 1), progress, sessions.progressStepsShown),
      };
      await showDue(entry, at);
    },
    showDue,
  };
}
