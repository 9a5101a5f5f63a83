/**
 * The Web API calls of Slack's AI side pane (`assistant.threads.*`, scope `assistant:write`),
 * in one small module: the pane's status ("is thinking…"), its title and its suggested
 * prompts, plus a plain answer in a pane thread. Other parts (live progress) add theirs here.
 */
import type { SuggestedPrompt } from './config.js';
import type { SlackCall } from './outbound.js';

/** A pane thread: the app's DM with the person (`D…`) and the thread's root `ts`. */
export interface PaneThread {
  channelId: string;
  threadTs: string;
}

/** What the pane shows while the bridge works on a message (Slack clears it when we reply). */
export const PANE_WORKING_STATUS = 'is thinking…';

/** Slack shows at most four suggested prompts. */
export const MAX_SUGGESTED_PROMPTS = 4;

export interface AssistantThreads {
  /** Shows `status` under the thread ("<app> is thinking…"); an empty string clears it. */
  setStatus(thread: PaneThread, status: string): Promise<void>;
  setTitle(thread: PaneThread, title: string): Promise<void>;
  setSuggestedPrompts(thread: PaneThread, prompts: readonly SuggestedPrompt[], title?: string): Promise<void>;
  /** A plain message in the thread (a refusal or a greeting). */
  say(thread: PaneThread, text: string): Promise<void>;
}

export function createAssistantThreads(call: SlackCall): AssistantThreads {
  const where = (thread: PaneThread) => ({ channel_id: thread.channelId, thread_ts: thread.threadTs });
  return {
    async setStatus(thread, status) {
      await call('assistant.threads.setStatus', { ...where(thread), status });
    },
    async setTitle(thread, title) {
      await call('assistant.threads.setTitle', { ...where(thread), title });
    },
    async setSuggestedPrompts(thread, prompts, title) {
      const shown = prompts.slice(0, MAX_SUGGESTED_PROMPTS).map((prompt) => ({ title: prompt.title, message: prompt.message }));
      await call('assistant.threads.setSuggestedPrompts', { ...where(thread), prompts: shown, ...(title ? { title } : {}) });
    },
    async say(thread, text) {
      await call('chat.postMessage', { channel: thread.channelId, thread_ts: thread.threadTs, text });
    },
  };
}
