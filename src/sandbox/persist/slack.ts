/** Saves and restores the fake Slack's channel histories (users and channels are fixed, see identities.ts). */

import type { FakeSlackMessage } from '../../simulators/slack/state.js';
import type { FakeSlackState } from '../../simulators/slack.js';

export interface SlackSnapshot {
  histories: Array<[channelId: string, messages: FakeSlackMessage[]]>;
}

export function snapshotSlack(state: FakeSlackState): SlackSnapshot {
  return { histories: [...state.histories.entries()] };
}

export function restoreSlack(state: FakeSlackState, saved: SlackSnapshot): void {
  state.histories.clear();
  for (const [channelId, messages] of saved.histories) state.histories.set(channelId, messages);
}
