/**
 * The answer stream, where the platform streams (Slack): opened when the agent's first
 * intermediate text arrives, with the tool steps as a plan, and closed with the answer when
 * it fits. Its ts is in the turn record, so a stream opened before a restart is found again.
 */
import type { ChatAdapter, MessageRef, ProgressSurface } from '../core/chat.js';
import type { EngineContext } from './context.js';
import type { ProgressStep, TurnProgress } from './progress.js';
import type { ProgressCalls } from './progress-calls.js';
import { closingChunk, type LiveTurn, streamChunk, streamRef } from './progress-display-rules.js';
import type { AgentSessionRecord, TurnRecord } from './types.js';

export interface ProgressStream {
  /** Streams the new steps; false when the platform does not stream (or refused to). */
  show(session: AgentSessionRecord, turn: TurnRecord, entry: LiveTurn, fresh: readonly ProgressStep[]): Promise<boolean>;
  /** Closes the turn's stream, if one is open; the answer's message when the stream took the answer. */
  close(surface: ProgressSurface, platform: ChatAdapter['platform'], turn: TurnRecord, entry: LiveTurn | undefined, answer: string | undefined): Promise<MessageRef[] | undefined>;
}

export function createProgressStream(ctx: Pick<EngineContext, 'state'>, calls: ProgressCalls): ProgressStream {
  return {
    async show(session, turn, entry, fresh) {
      const surface = calls.surfaceOf(entry.platform);
      if (!surface?.startStream || !surface.appendStream || calls.refused(entry.platform, 'startStream')) return false;
      const progress = turn.progress as TurnProgress;
      entry.stream ??= await ctx.state.getStream(turn.id);
      const chunk = streamChunk(fresh, progress.steps, entry.stream !== undefined);
      if (!chunk) return true;
      if (!entry.stream) {
        const start = surface.startStream;
        const ref = await calls.attempt(entry.platform, 'startStream', () => start(entry.thread, chunk, { recipientUserId: session.askedBy.id, planMode: true }));
        if (!ref) return false;
        entry.stream = { ts: ref.messageId, channelId: ref.channelId, threadRootId: entry.thread.threadRootId };
        await ctx.state.putStream(turn.id, entry.stream);
        return true;
      }
      const ref = streamRef(entry.platform, entry.stream);
      const append = surface.appendStream;
      await calls.attempt(entry.platform, 'appendStream', () => append(ref, chunk));
      return true;
    },

    async close(surface, platform, turn, entry, answer) {
      // A stream opened before a crash is closed here too: its ts is in the store.
      const open = entry?.stream ?? (surface.stopStream ? await ctx.state.getStream(turn.id) : undefined);
      if (!open || !surface.stopStream) return undefined;
      const { chunk, fits } = closingChunk(answer, turn.progress?.steps ?? []);
      const stop = surface.stopStream;
      const ref = streamRef(platform, open);
      const outcome = await calls.attempt(platform, 'stopStream', () => stop(ref, chunk));
      return outcome !== undefined && fits ? [ref] : undefined;
    },
  };
}
