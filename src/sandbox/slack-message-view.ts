/**
 * One Slack message as a console pane shows it: who wrote it (a person, the bridge, or an
 * agent the bridge relays), its text, time, edit mark and reactions. The channel pane and the
 * side pane both draw Slack messages this way, each adding what only it shows.
 */
import type { FakeSlackMessage } from '../simulators/slack/state.js';
import type { ViewMessage } from './view-types.js';
import type { SandboxWorld } from './world.js';

/** A Slack `ts` (seconds, with microseconds) as epoch ms. */
export const tsToMs = (ts: string): number => Math.round(Number(ts) * 1000);

export function slackMessageView(world: SandboxWorld, message: FakeSlackMessage, shown: Pick<ViewMessage, 'mine' | 'attachments'>): ViewMessage {
  const { state, botUserId } = world.slack;
  const fromBridge = message.user === botUserId;
  return {
    id: message.ts,
    author: fromBridge ? (message.username ?? 'fluxra-bridge') : (state.users.get(message.user ?? '')?.name ?? message.user ?? 'someone'),
    kind: fromBridge ? (message.username ? 'relayed' : 'bridge') : 'person',
    text: message.text,
    at: tsToMs(message.ts),
    edited: message.edited !== undefined,
    mine: shown.mine,
    attachments: shown.attachments,
    reactions: message.reactions.map((reaction) => reaction.name),
    replies: [],
  };
}
