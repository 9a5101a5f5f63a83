/**
 * Shows a running turn's progress natively, throttled to each platform's limits (issue 18):
 *
 * - the native status (`ProgressSurface.setThreadStatus`): Slack's thread status with the
 *   current step, set again before Slack drops it (two minutes) and cleared at the end;
 *   Discord's typing indicator, sent again under its 10 s expiry, for a capped time;
 * - in `steps` mode, where the platform streams (Slack): the answer stream, opened when the
 *   agent's first intermediate text arrives, with the tool steps as a plan, and closed with
 *   the answer; elsewhere (Discord): the status message edited into a compact step list.
 *
 * A method a workspace or token refuses is logged once and not tried again: the turn goes
 * on as before (status message, plain answer post). What must survive a restart (the
 * stream's ts) is in the turn record; the rest (when the status was last set) is in memory
 * and rebuilt by the turn's next poll.
 *
 * This module wires the parts: the decisions (progress-display-rules.ts), the refusal memory
 * (progress-calls.ts), the native status (progress-status.ts), the stream (progress-stream.ts)
 * and the step list (progress-step-list.ts).
 */
import { describeError } from '../core/errors.js';
import type { EngineContext } from './context.js';
import { type ProgressStep, statusTextOf } from './progress.js';
import { createProgressCalls } from './progress-calls.js';
import { clearsStatusAtFinish, type LiveTurn, newLiveTurn, refreshTickMs } from './progress-display-rules.js';
import { createNativeStatus } from './progress-status.js';
import { createStepList } from './progress-step-list.js';
import { createProgressStream } from './progress-stream.js';
import type { AgentSessionRecord, ProgressDisplay, TurnRecord } from './types.js';

export type { ProgressDisplay };

export function createProgressDisplay(ctx: EngineContext): ProgressDisplay {
  const sessions = ctx.settings.sessions;
  const live = new Map<string, LiveTurn>();
  /** Each turn's queued updates, in order. */
  const chains = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  const calls = createProgressCalls(ctx);
  const nativeStatus = createNativeStatus(ctx, calls);
  const streams = createProgressStream(ctx, calls);
  const stepList = createStepList(ctx);

  function entryFor(session: AgentSessionRecord, turn: TurnRecord): LiveTurn {
    let entry = live.get(turn.id);
    if (!entry) {
      entry = newLiveTurn(session, turn);
      live.set(turn.id, entry);
    }
    return entry;
  }

  /** Shows one poll's news: the status, then the stream or the step list. */
  async function show(session: AgentSessionRecord, turn: TurnRecord, fresh: readonly ProgressStep[]): Promise<void> {
    const at = ctx.now();
    const entry = entryFor(session, turn);
    const progress = turn.progress;
    await nativeStatus.show(entry, statusTextOf(progress?.steps.at(-1)), at);
    if (sessions.progress !== 'steps' || !progress || fresh.length === 0) return;
    if (await streams.show(session, turn, entry, fresh)) return;
    await stepList.queue(entry, session, turn, progress, at);
  }

  /** Runs `work` after the turn's earlier updates; a failure is logged, never thrown. */
  function enqueue(turnId: string, work: () => Promise<void>): void {
    const next = (chains.get(turnId) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => ctx.logger.warn({ turnId, err: describeError(error) }, 'could not show the progress of a turn'));
    chains.set(turnId, next);
    void next.finally(() => {
      if (chains.get(turnId) === next) chains.delete(turnId);
    });
  }

  async function tick(): Promise<void> {
    const at = ctx.now();
    for (const entry of live.values()) {
      await nativeStatus.refresh(entry, at);
      await stepList.showDue(entry, at);
    }
  }

  return {
    update(session, turn, fresh) {
      if (sessions.progress === 'off') return;
      enqueue(turn.id, () => show(session, turn, fresh));
    },

    async finish(session, turn, answer) {
      // Whatever the polls queued is shown first (the stream may have just opened).
      await chains.get(turn.id);
      const entry = live.get(turn.id);
      live.delete(turn.id);
      const platform = session.channel.platform;
      const surface = calls.surfaceOf(platform);
      if (sessions.progress === 'off' || !surface) return undefined;
      if (clearsStatusAtFinish(platform, entry?.statusSetAt !== undefined, turn.progress !== undefined)) {
        await nativeStatus.clear(surface, platform, (entry ?? newLiveTurn(session, turn)).thread);
      }
      return streams.close(surface, platform, turn, entry, answer);
    },

    start() {
      if (timer || sessions.progress === 'off') return;
      let ticking = false;
      timer = setInterval(() => {
        // A slow platform must not pile refreshes up: one round at a time.
        if (ticking) return;
        ticking = true;
        tick()
          .catch((error) => ctx.logger.warn({ err: describeError(error) }, 'progress refresh failed'))
          .finally(() => {
            ticking = false;
          });
      }, refreshTickMs(sessions));
      timer.unref();
    },

    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...chains.values()]);
    },
  };
}
