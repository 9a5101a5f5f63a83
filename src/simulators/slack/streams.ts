/**
 * The fake's agent methods, as Slack documents them: `assistant.threads.setStatus` in a
 * channel thread (scope chat:write since 2026-03; a status per thread, dropped after its
 * timeout or when the bot posts in the thread; side-pane threads are web-api.ts's) and the answer
 * stream (`chat.startStream` / `appendStream` / `stopStream`: one bot message that grows with
 * `markdown_text` and `task_update` chunks while it streams, `message_not_in_streaming_state`
 * once stopped). A test may refuse any method (`state.refuseMethod`) as a workspace or token
 * without the scope or feature would.
 */
import type { FakeSlackMessage, FakeSlackState } from './state.js';

export interface StreamReply {
  ok: boolean;
  error?: string;
  body?: Record<string, unknown>;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `chunks` as the Web API client sends it: a JSON string in a form body, or an array. */
function chunksOf(args: Record<string, unknown>): Array<Record<string, unknown>> | undefined {
  let value = args.chunks;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : undefined;
}

const TASK_STATUSES = new Set(['pending', 'in_progress', 'complete', 'error']);

/** Applies chunks (and `markdown_text`) to a streamed message; an error code when a chunk is malformed. */
function applyChunks(message: FakeSlackMessage, args: Record<string, unknown>): string | undefined {
  const chunks = chunksOf(args);
  if (!chunks) return 'invalid_chunks';
  const markdown = str(args.markdown_text);
  if (markdown !== undefined && chunks.length > 0) return 'invalid_arguments';
  if (markdown !== undefined) message.text += markdown;
  for (const chunk of chunks) {
    if (chunk.type === 'markdown_text' && typeof chunk.text === 'string') message.text += chunk.text;
    else if (chunk.type === 'task_update' && typeof chunk.id === 'string' && typeof chunk.title === 'string' && TASK_STATUSES.has(String(chunk.status))) {
      const tasks = (message.tasks ??= []);
      const existing = tasks.find((task) => task.id === chunk.id);
      if (existing) Object.assign(existing, { title: chunk.title, status: String(chunk.status) });
      else tasks.push({ id: chunk.id, title: chunk.title, status: String(chunk.status) });
    } else return 'invalid_chunks';
  }
  return undefined;
}

export function handleAgentMethod(state: FakeSlackState, bot: { userId: string; botId: string }, method: string, args: Record<string, unknown>): StreamReply | undefined {
  const refusal = state.refusedMethods.get(method);
  if (refusal !== undefined) return { ok: false, error: refusal };
  switch (method) {
    case 'assistant.threads.setStatus': {
      const channel = str(args.channel_id);
      const threadTs = str(args.thread_ts);
      // A side-pane thread keeps its status with the pane (web-api.ts); a channel thread's is kept here.
      if (channel && threadTs && state.assistantThread(channel, threadTs)) return undefined;
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!threadTs || !state.findMessage(channel, threadTs)) return { ok: false, error: 'invalid_thread_ts' };
      if (typeof args.status !== 'string') return { ok: false, error: 'invalid_arguments' };
      state.setThreadStatus(channel, threadTs, args.status);
      return { ok: true };
    }
    case 'chat.startStream': {
      const channel = str(args.channel);
      const threadTs = str(args.thread_ts);
      const found = channel ? state.channels.get(channel) : undefined;
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (threadTs && !state.findMessage(channel, threadTs)) return { ok: false, error: 'invalid_thread_ts' };
      // Outside a DM Slack needs to know whom the stream answers.
      if (found?.isIm !== true && (!str(args.recipient_user_id) || !str(args.recipient_team_id))) return { ok: false, error: 'invalid_arguments' };
      const mode = str(args.task_display_mode);
      if (mode !== undefined && mode !== 'plan' && mode !== 'timeline') return { ok: false, error: 'invalid_arguments' };
      const message: FakeSlackMessage = {
        ts: state.nextTs(),
        text: '',
        user: bot.userId,
        botId: bot.botId,
        reactions: [],
        streaming: true,
        taskDisplayMode: mode ?? 'timeline',
        ...(threadTs ? { threadTs } : {}),
      };
      const bad = applyChunks(message, args);
      if (bad) return { ok: false, error: bad };
      state.history(channel).push(message);
      if (threadTs) state.setThreadStatus(channel, threadTs, '');
      return { ok: true, body: { channel, ts: message.ts } };
    }
    case 'chat.appendStream':
    case 'chat.stopStream': {
      const channel = str(args.channel);
      const message = channel ? state.findMessage(channel, str(args.ts) ?? '') : undefined;
      if (!channel || !message) return { ok: false, error: 'message_not_found' };
      if (message.user !== bot.userId) return { ok: false, error: 'cant_update_message' };
      if (!message.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
      const bad = applyChunks(message, args);
      if (bad) return { ok: false, error: bad };
      if (method === 'chat.stopStream') message.streaming = false;
      state.emit('change');
      return { ok: true, body: { channel, ts: message.ts } };
    }
    default:
      return undefined;
  }
}
