/**
 * What people do in the fake Slack's own UI: write a message, and use the AI side pane (open
 * a thread, look at another channel, write in the thread). Each records what Slack would store
 * and returns the event Slack would send, for the test to hand to `deliverEvent`.
 */
import { assistantThreadEvent, type UserMessageInput, userMessageEvent, userMessageRecord } from './payloads.js';
import type { FakeAssistantThread, FakeSlackState } from './state.js';

/** A side-pane thread a person opened: where it lives, and the event Slack sends about it. */
export interface OpenedPane {
  channel: string;
  threadTs: string;
  /** `assistant_thread_started`, to hand to `deliverEvent`. */
  event: Record<string, unknown>;
}

/** Records a message a person (or another bot) wrote and returns its `message` event. */
export function userMessage(state: FakeSlackState, input: UserMessageInput): Record<string, unknown> {
  const ts = state.nextTs();
  state.history(input.channel).push(userMessageRecord(input, ts));
  return userMessageEvent(input, ts);
}

/** The person's DM with the app exists, Slack makes the thread's root (`assistant_app_thread`) and sends `assistant_thread_started`. */
export function openAssistantThread(state: FakeSlackState, teamId: string, { userId, contextChannel }: { userId: string; contextChannel?: string }): OpenedPane {
  const channel = `D${userId.replace(/^[UW]/, '')}`;
  if (!state.channels.has(channel)) state.channels.set(channel, { id: channel, name: userId, isIm: true });
  const threadTs = state.nextTs();
  state.history(channel).push({ ts: threadTs, text: 'New chat', user: userId, subtype: 'assistant_app_thread', threadTs, reactions: [] });
  const thread: FakeAssistantThread = { channel, threadTs, userId, ...(contextChannel ? { contextChannel } : {}) };
  state.assistantThreads.set(`${channel}:${threadTs}`, thread);
  state.emit('change');
  return { channel, threadTs, event: assistantThreadEvent('assistant_thread_started', thread, teamId, state.nextTs()) };
}

/** The person looks at another channel while the pane is open: `assistant_thread_context_changed`. */
export function assistantContextChanged(state: FakeSlackState, teamId: string, pane: { channel: string; threadTs: string }, contextChannel: string): Record<string, unknown> {
  const thread = state.assistantThread(pane.channel, pane.threadTs);
  if (!thread) throw new Error(`fake Slack: no side-pane thread ${pane.channel}:${pane.threadTs}`);
  thread.contextChannel = contextChannel;
  return assistantThreadEvent('assistant_thread_context_changed', thread, teamId, state.nextTs());
}

/** The person writes (or picks a suggested prompt) in a pane thread: a `message.im` event in that thread. */
export function paneMessage(state: FakeSlackState, pane: { channel: string; threadTs: string }, userId: string, text: string): Record<string, unknown> {
  const ts = state.nextTs();
  const input = { channel: pane.channel, user: userId, text, threadTs: pane.threadTs, channelType: 'im' };
  state.history(pane.channel).push(userMessageRecord(input, ts));
  state.emit('change');
  return userMessageEvent(input, ts);
}
