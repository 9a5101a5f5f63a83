/**
 * The decisions behind the native progress display (progress-display.ts), as pure functions:
 * how often the status is sent again and until when, when it is set, refreshed or cleared,
 * what goes into the answer stream's chunks, and the state kept for each live turn.
 */
import type { ChatAdapter, MessageRef, StreamChunk, ThreadRef } from '../core/chat.js';
import type { EngineContext } from './context.js';
import { turnThread } from './context.js';
import { displayDue, type ProgressStep } from './progress.js';
import type { AgentSessionRecord, TurnRecord, TurnStream } from './types.js';

type Platform = ChatAdapter['platform'];
export type ProgressSettings = EngineContext['settings']['sessions'];

/** Slack refuses more than this in one `markdown_text`. */
export const STREAM_TEXT_MAX = 12_000;

/** What is shown of one running turn; in memory only (rebuilt by the turn's next poll). */
export interface LiveTurn {
  turnId: string;
  platform: Platform;
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

/** A turn's state before anything is shown. */
export function newLiveTurn(session: AgentSessionRecord, turn: TurnRecord): LiveTurn {
  return {
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
}

/** How often the native status of a live turn is sent again, and until when (undefined: while it runs). */
export function statusRefresh(platform: Platform, sessions: ProgressSettings): { everyMs: number; forMs: number | undefined } {
  return platform === 'discord'
    ? { everyMs: sessions.progressTypingEveryMs, forMs: sessions.progressTypingMaxMinutes * 60_000 }
    : { everyMs: sessions.progressStatusRefreshMs, forMs: undefined };
}

/** The status is no longer sent: the platform's cap on it (Discord typing) ran out for this turn. */
export function statusExpired(entry: Pick<LiveTurn, 'platform' | 'startedAt'>, at: number, sessions: ProgressSettings): boolean {
  const { forMs } = statusRefresh(entry.platform, sessions);
  return forMs !== undefined && at - entry.startedAt > forMs;
}

/**
 * What a poll's newest status does: the first is set at once, a changed one within the
 * platform's pace ('set'); a change too soon is only remembered for the next refresh.
 */
export function statusChange(entry: Pick<LiveTurn, 'status' | 'statusSetAt'>, status: string, at: number, minEditMs: number): 'set' | 'remember' | 'none' {
  if (entry.statusSetAt === undefined || (status !== entry.status && displayDue(entry.statusSetAt, at, minEditMs))) return 'set';
  return status !== entry.status ? 'remember' : 'none';
}

/** A shown status is sent again before the platform drops it. */
export function statusRefreshDue(entry: Pick<LiveTurn, 'status' | 'statusSetAt'>, at: number, everyMs: number): boolean {
  return entry.status !== '' && entry.statusSetAt !== undefined && at - entry.statusSetAt >= everyMs;
}

/** The status is cleared at the end only on Slack (Discord typing expires by itself), and only if one may be showing. */
export function clearsStatusAtFinish(platform: Platform, statusShown: boolean, hasProgress: boolean): boolean {
  return platform === 'slack' && (statusShown || hasProgress);
}

/** How often the refresh round runs: half the shortest pace, at least 10 ms. */
export function refreshTickMs(sessions: ProgressSettings): number {
  return Math.max(10, Math.min(sessions.progressMinEditMs, sessions.progressTypingEveryMs, sessions.progressStatusRefreshMs) / 2);
}

/** The plan of tool steps for a stream chunk: every tool step done but the newest. */
export function planTasks(steps: readonly ProgressStep[], finished: boolean): NonNullable<StreamChunk['tasks']> {
  const tools = steps.filter((step) => step.kind === 'tool');
  return tools.map((step, index) => ({ id: step.id, title: step.text.slice(0, 256), status: finished || index < tools.length - 1 ? 'complete' : 'in_progress' }));
}

/**
 * The chunk a poll's new steps add to the stream, or undefined for nothing to send. The
 * stream opens with the agent's first words (tool steps alone stay in the status); once open,
 * new text is appended and new tool steps resend the plan.
 */
export function streamChunk(fresh: readonly ProgressStep[], steps: readonly ProgressStep[], open: boolean): StreamChunk | undefined {
  const texts = fresh.filter((step) => step.kind === 'text').map((step) => step.text);
  const hasTools = fresh.some((step) => step.kind === 'tool');
  const text = `${texts.join('\n\n')}\n\n`;
  if (!open) return texts.length === 0 ? undefined : { text, tasks: planTasks(steps, false) };
  if (texts.length === 0 && !hasTools) return undefined;
  return { ...(texts.length > 0 ? { text } : {}), ...(hasTools ? { tasks: planTasks(steps, false) } : {}) };
}

/** The stream's last chunk: the answer when it fits (then the stream is the answer), and the finished plan. */
export function closingChunk(answer: string | undefined, steps: readonly ProgressStep[]): { chunk: StreamChunk; fits: boolean } {
  const fits = answer !== undefined && answer.length <= STREAM_TEXT_MAX;
  return { chunk: { ...(fits ? { text: answer } : {}), tasks: planTasks(steps, true) }, fits };
}

export function streamRef(platform: Platform, stream: TurnStream): MessageRef {
  return { platform, channelId: stream.channelId, messageId: stream.ts, threadRootId: stream.threadRootId };
}
