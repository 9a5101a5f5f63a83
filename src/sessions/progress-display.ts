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
 */
import type { ChatAdapter, MessageRef, ProgressSurface, StreamChunk, ThreadRef } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import { type EngineContext, editStatus, turnThread } from './context.js';
import { workingText } from './messages.js';
import { displayDue, type ProgressStep, statusTextOf, stepListText, type TurnProgress } from './progress.js';
import type { AgentSessionRecord, ProgressDisplay, TurnRecord, TurnStream } from './types.js';

export type { ProgressDisplay };

/** Slack refuses more than this in one `markdown_text`. */
const STREAM_TEXT_MAX = 12_000;

interface LiveTurn {
  turnId: string;
  platform: ChatAdapter['platform'];
  thread: ThreadRef;
  startedAt: number;
  status: string;
  statusSetAt: number | undefined;
  /** The step list shown in the status message, and when (Discord). */
  listShownAt: number | undefined;
  listPending: { session: AgentSessionRecord; statusRef: MessageRef; text: string } | undefined;
  /** The open stream, once known (from the store after a restart). */
  stream: TurnStream | undefined;
}

/** How often the native status of a live turn is sent again, and until when (undefined: while it runs). */
export function statusRefresh(platform: ChatAdapter['platform'], sessions: EngineContext['settings']['sessions']): { everyMs: number; forMs: number | undefined } {
  return platform === 'discord'
    ? { everyMs: sessions.progressTypingEveryMs, forMs: sessions.progressTypingMaxMinutes * 60_000 }
    : { everyMs: sessions.progressStatusRefreshMs, forMs: undefined };
}

/** The plan of tool steps for a stream chunk: every tool step done but the newest. */
export function planTasks(steps: readonly ProgressStep[], finished: boolean): NonNullable<StreamChunk['tasks']> {
  const tools = steps.filter((step) => step.kind === 'tool');
  return tools.map((step, index) => ({ id: step.id, title: step.text.slice(0, 256), status: finished || index < tools.length - 1 ? 'complete' : 'in_progress' }));
}

export function createProgressDisplay(ctx: EngineContext): ProgressDisplay {
  const sessions = ctx.settings.sessions;
  const live = new Map<string, LiveTurn>();
  const refused = new Set<string>();
  /** Each turn's queued updates, in order. */
  const chains = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  function surfaceOf(platform: ChatAdapter['platform']): ProgressSurface | undefined {
    return ctx.adapters.get(platform)?.progress;
  }

  /** Runs one surface method; a refusal (not retryable) turns it off for good, logged once. */
  async function attempt<T>(platform: ChatAdapter['platform'], method: string, action: () => Promise<T>): Promise<T | undefined> {
    const key = `${platform}:${method}`;
    if (refused.has(key)) return undefined;
    try {
      return await action();
    } catch (error) {
      const retryable = (error as { retryable?: unknown }).retryable === true;
      if (!retryable) {
        refused.add(key);
        ctx.logger.warn({ platform, method, err: describeError(error) }, 'the platform refused a progress method; falling back to plain posts for it');
      } else {
        ctx.logger.debug({ platform, method, err: describeError(error) }, 'a progress call failed; trying again later');
      }
      return undefined;
    }
  }

  async function setStatus(entry: LiveTurn, status: string, at: number): Promise<void> {
    const surface = surfaceOf(entry.platform);
    if (!surface) return;
    const { forMs } = statusRefresh(entry.platform, sessions);
    if (forMs !== undefined && at - entry.startedAt > forMs) return;
    entry.status = status;
    entry.statusSetAt = at;
    await attempt(entry.platform, 'setThreadStatus', () => surface.setThreadStatus(entry.thread, status));
  }

  async function showList(entry: LiveTurn, at: number): Promise<void> {
    const pending = entry.listPending;
    if (!pending) return;
    entry.listPending = undefined;
    entry.listShownAt = at;
    // Through the one status edit, which keeps the message's buttons.
    await editStatus(ctx, pending.session, pending.statusRef, pending.text);
  }

  /** Streams the new steps (Slack); false when the platform does not stream (or refused to). */
  async function stream(session: AgentSessionRecord, turn: TurnRecord, entry: LiveTurn, fresh: readonly ProgressStep[]): Promise<boolean> {
    const surface = surfaceOf(entry.platform);
    if (!surface?.startStream || !surface.appendStream || refused.has(`${entry.platform}:startStream`)) return false;
    const progress = turn.progress as TurnProgress;
    const texts = fresh.filter((step) => step.kind === 'text').map((step) => step.text);
    const hasTools = fresh.some((step) => step.kind === 'tool');
    entry.stream ??= await ctx.state.getStream(turn.id);
    if (!entry.stream) {
      // The stream opens with the agent's first words; tool steps alone stay in the status.
      if (texts.length === 0) return true;
      const chunk: StreamChunk = { text: `${texts.join('\n\n')}\n\n`, tasks: planTasks(progress.steps, false) };
      const start = surface.startStream;
      const ref = await attempt(entry.platform, 'startStream', () => start(entry.thread, chunk, { recipientUserId: session.askedBy.id, planMode: true }));
      if (!ref) return false;
      entry.stream = { ts: ref.messageId, channelId: ref.channelId, threadRootId: entry.thread.threadRootId };
      await ctx.state.putStream(turn.id, entry.stream);
      return true;
    }
    if (texts.length === 0 && !hasTools) return true;
    const ref = streamRef(entry.platform, entry.stream);
    const append = surface.appendStream;
    const chunk: StreamChunk = { ...(texts.length > 0 ? { text: `${texts.join('\n\n')}\n\n` } : {}), ...(hasTools ? { tasks: planTasks(progress.steps, false) } : {}) };
    await attempt(entry.platform, 'appendStream', () => append(ref, chunk));
    return true;
  }

  /** Shows one poll's news: the status, then the stream or the step list. */
  async function show(session: AgentSessionRecord, turn: TurnRecord, fresh: readonly ProgressStep[]): Promise<void> {
    const at = ctx.now();
    const entry = entryFor(session, turn);
    const progress = turn.progress;
    const newest = progress?.steps.at(-1);
    const status = statusTextOf(newest);
    // The first status at once; a changed one within the platform's pace.
    if (entry.statusSetAt === undefined || (status !== entry.status && displayDue(entry.statusSetAt, at, sessions.progressMinEditMs))) await setStatus(entry, status, at);
    else if (status !== entry.status) entry.status = status;
    if (sessions.progress !== 'steps' || !progress || fresh.length === 0) return;
    if (await stream(session, turn, entry, fresh)) return;
    if (!turn.statusRef) return;
    entry.listPending = {
      session,
      statusRef: turn.statusRef,
      text: stepListText(workingText(session.agentLabel, session.sessionUrl, turn.n > 1), progress, sessions.progressStepsShown),
    };
    if (displayDue(entry.listShownAt, at, sessions.progressMinEditMs)) await showList(entry, at);
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

  function entryFor(session: AgentSessionRecord, turn: TurnRecord): LiveTurn {
    let entry = live.get(turn.id);
    if (!entry) {
      entry = {
        turnId: turn.id,
        platform: session.channel.platform,
        thread: { platform: session.channel.platform, channelId: session.channel.channelId, threadRootId: turnThread(session, turn) },
        startedAt: turn.startedAt,
        status: '',
        statusSetAt: undefined,
        listShownAt: undefined,
        listPending: undefined,
        stream: undefined,
      };
      live.set(turn.id, entry);
    }
    return entry;
  }

  async function tick(): Promise<void> {
    const at = ctx.now();
    for (const entry of live.values()) {
      const { everyMs } = statusRefresh(entry.platform, sessions);
      if (entry.status !== '' && entry.statusSetAt !== undefined && at - entry.statusSetAt >= everyMs) await setStatus(entry, entry.status, at);
      if (entry.listPending && displayDue(entry.listShownAt, at, sessions.progressMinEditMs)) await showList(entry, at);
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
      const surface = surfaceOf(platform);
      if (sessions.progress === 'off' || !surface) return undefined;
      if (platform === 'slack' && (entry?.statusSetAt !== undefined || turn.progress !== undefined)) {
        const thread: ThreadRef = entry?.thread ?? { platform, channelId: session.channel.channelId, threadRootId: turnThread(session, turn) };
        await attempt(platform, 'setThreadStatus', () => surface.setThreadStatus(thread, ''));
      }
      // A stream opened before a crash is closed here too: its ts is in the store.
      const open = entry?.stream ?? (surface.stopStream ? await ctx.state.getStream(turn.id) : undefined);
      if (!open || !surface.stopStream) return undefined;
      const fits = answer !== undefined && answer.length <= STREAM_TEXT_MAX;
      const stop = surface.stopStream;
      const last: StreamChunk = { ...(fits ? { text: answer } : {}), tasks: planTasks(turn.progress?.steps ?? [], true) };
      const ref = streamRef(platform, open);
      const outcome = await attempt(platform, 'stopStream', () => stop(ref, last));
      return outcome !== undefined && fits ? [ref] : undefined;
    },

    start() {
      if (timer || sessions.progress === 'off') return;
      const tickMs = Math.max(10, Math.min(sessions.progressMinEditMs, sessions.progressTypingEveryMs, sessions.progressStatusRefreshMs) / 2);
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
      }, tickMs);
      timer.unref();
    },

    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...chains.values()]);
    },
  };
}

function streamRef(platform: ChatAdapter['platform'], stream: TurnStream): MessageRef {
  return { platform, channelId: stream.channelId, messageId: stream.ts, threadRootId: stream.threadRootId };
}
