/** Saves and restores the fake Slack's channel histories (users and channels are fixed, see identities.ts). */

import type { FakeAssistantThread, FakeSlackMessage } from '../../simulators/slack/state.js';
import type { FakeSlackState } from '../../simulators/slack.js';

export interface SlackSnapshot {
  histories: Array<[channelId: string, messages: FakeSlackMessage[]]>;
  /** Side-pane chats (absent in snapshots saved before the pane existed). */
  assistantThreads?: FakeAssistantThread[];
}

export function snapshotSlack(state: FakeSlackState): SlackSnapshot {
  return { histories: [...state.histories.entries()], assistantThreads: [...state.assistantThreads.values()] };
}

export function restoreSlack(state: FakeSlackState, saved: SlackSnapshot): void {
  state.histories.clear();
  for (const [channelId, messages] of saved.histories) state.histories.set(channelId, messages);
  state.assistantThreads.clear();
  for (const thread of saved.assistantThreads ?? []) {
    state.assistantThreads.set(`${thread.channel}:${thread.threadTs}`, thread);
    // The person's DM with the app, where the pane's chats live.
    if (!state.channels.has(thread.channel)) state.channels.set(thread.channel, { id: thread.channel, name: thread.userId, isIm: true });
  }
}
