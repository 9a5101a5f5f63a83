/**
 * Slack's native agent display (issue 18): the thread status (`assistant.threads.setStatus`,
 * scope chat:write; Slack removes it after two minutes or when we post in the thread) and
 * the answer stream (`chat.startStream` / `appendStream` / `stopStream`), whose tool steps
 * are `task_update` chunks shown as a plan (`task_display_mode: plan`).
 *
 * A refusal (missing scope, a workspace without the feature) surfaces as the mapped Slack
 * error, not retryable: the session engine then falls back to plain posts.
 */
import type { MessageRef, ProgressSurface, StreamChunk, ThreadRef } from '../../core/chat.js';
import type { AssistantThreads } from './assistant-threads.js';
import { slackErrorCode } from './errors.js';
import type { SlackCall } from './outbound.js';

/** Slack's answer when a stream was already stopped (by us, before a crash). */
const NOT_STREAMING = 'message_not_in_streaming_state';

/** A chunk as Slack's `chunks` argument: markdown text, then one `task_update` per tool step. */
export function slackChunks(chunk: StreamChunk): Array<Record<string, unknown>> {
  const chunks: Array<Record<string, unknown>> = [];
  if (chunk.text !== undefined && chunk.text !== '') chunks.push({ type: 'markdown_text', text: chunk.text });
  for (const task of chunk.tasks ?? []) chunks.push({ type: 'task_update', id: task.id, title: task.title, status: task.status });
  return chunks;
}

/** `threads`: the `assistant.threads.*` calls, shared with the side pane (its threads get the same status). */
export function createSlackProgress(call: SlackCall, threads: Pick<AssistantThreads, 'setStatus'>): ProgressSurface {
  let teamId: Promise<string | undefined> | undefined;
  /** The workspace of the token, for `recipient_team_id` (required outside DMs); read once. */
  const team = (): Promise<string | undefined> => {
    teamId ??= call('auth.test', {}).then(
      (auth) => (typeof auth.team_id === 'string' ? auth.team_id : undefined),
      (error: unknown) => {
        teamId = undefined;
        throw error;
      },
    );
    return teamId;
  };

  return {
    async setThreadStatus(thread: ThreadRef, status: string) {
      await threads.setStatus({ channelId: thread.channelId, threadTs: thread.threadRootId }, status);
    },

    async startStream(thread, first, options) {
      const recipientTeam = options.recipientUserId ? await team() : undefined;
      const result = await call('chat.startStream', {
        channel: thread.channelId,
        thread_ts: thread.threadRootId,
        chunks: slackChunks(first),
        ...(options.planMode ? { task_display_mode: 'plan' } : {}),
        ...(options.recipientUserId ? { recipient_user_id: options.recipientUserId } : {}),
        ...(recipientTeam ? { recipient_team_id: recipientTeam } : {}),
      });
      const ref: MessageRef = { platform: 'slack', channelId: thread.channelId, messageId: String(result.ts), threadRootId: thread.threadRootId };
      return ref;
    },

    async appendStream(ref, chunk) {
      await call('chat.appendStream', { channel: ref.channelId, ts: ref.messageId, chunks: slackChunks(chunk) });
    },

    async stopStream(ref, last) {
      try {
        await call('chat.stopStream', { channel: ref.channelId, ts: ref.messageId, chunks: slackChunks(last) });
        return 'stopped';
      } catch (error) {
        if (slackErrorCode(error) === NOT_STREAMING) return 'already-stopped';
        throw error;
      }
    },
  };
}
