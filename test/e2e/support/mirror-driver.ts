/**
 * Drives traffic into a mirror world the way the platforms would, including across a
 * bridge crash:
 * - Slack (Socket Mode): each message is written to the channel's history and sent as an
 *   `events_api` envelope; an envelope the bridge has not acknowledged is sent again (same
 *   event, `retry_attempt` + 1) once the bridge is back, and again if it stays unacked for
 *   `slackAckTimeoutMs`, as Slack retries unacknowledged envelopes. While the bridge is
 *   down, messages are written and queued, and delivered in order when it is back.
 * - Discord: there is no acknowledgement on the gateway; what a client missed comes back by
 *   RESUME, which replays dispatches after the sequence number the client last had. The
 *   restarted bridge identifies afresh, so `bridgeUp` stands in for that replay: it
 *   dispatches again every Discord message from `discordReplayWindow` messages before the
 *   crash on (a RESUME from a slightly stale sequence, which is how Discord produces
 *   duplicates), before anything new. People's Discord messages written while the bridge is
 *   down are held and written after that replay, so that the gateway order is origin order.
 * - Fluxra: agents post straight into the fake's state; the bridge finds them by polling.
 *
 * Every message carries a unique token (`mx` + side letter + number) that the checker finds
 * wherever the message was mirrored to.
 *
 * No test-framework imports: the benchmark drives through this too.
 */
import type { APIMessage } from 'discord.js';
import { DISCORD_PEOPLE, SLACK_PEOPLE, type LinkGroup, type MirrorWorld } from './mirror-world.js';

export type Side = 'slack' | 'discord' | 'fluxra';
export const SIDES: readonly Side[] = ['slack', 'discord', 'fluxra'];

export interface OriginMessage {
  /** Unique in the run; appears in the text. */
  token: string;
  side: Side;
  group: number;
  /** Position in the drive order (all sides). */
  seq: number;
  /** The root message when this is a thread reply (roots are from the same side and group). */
  root: OriginMessage | undefined;
  text: string;
  /** Epoch ms when it was first handed to the platform for delivery to the bridge (Fluxra: posted). */
  sentAt: number | undefined;
  /** Its id where it was written: Slack ts, Discord message id, Fluxra message id (once written). */
  originId: string | undefined;
}

export interface DriverStats {
  slackEnvelopes: number;
  slackRedelivered: number;
  discordReplayed: number;
}

export interface MirrorDriverOptions {
  /** Unacked Slack envelopes are sent again after this long (default 15 s). */
  slackAckTimeoutMs?: number;
  /** How many Discord messages before the crash are dispatched again on recovery (default 40). */
  discordReplayWindow?: number;
}

export interface MirrorDriver {
  readonly messages: readonly OriginMessage[];
  readonly stats: DriverStats;
  /** Sends one message from `side` in `group`, as a reply in the thread of `root` when given. */
  send(side: Side, group: number, root?: OriginMessage): OriginMessage;
  /** The bridge is gone (killed): Slack and Discord traffic is held from now on. */
  bridgeDown(): void;
  /** The bridge is connected again: redeliver what it missed, in order, then go on live. */
  bridgeUp(): void;
  close(): void;
}

interface SlackDelivery {
  message: OriginMessage;
  event: Record<string, unknown>;
  eventId: string;
  envelopes: string[];
  /** Sends so far (the next one's `retry_attempt`). */
  attempts: number;
  lastSentAt: number;
  acked: boolean;
}

export function createMirrorDriver(world: MirrorWorld, options: MirrorDriverOptions = {}): MirrorDriver {
  const ackTimeoutMs = options.slackAckTimeoutMs ?? 15_000;
  const replayWindow = options.discordReplayWindow ?? 40;
  const messages: OriginMessage[] = [];
  const stats: DriverStats = { slackEnvelopes: 0, slackRedelivered: 0, discordReplayed: 0 };
  const counters: Record<Side, number> = { slack: 0, discord: 0, fluxra: 0 };
  let up = true;

  const slackDeliveries: SlackDelivery[] = [];
  const byEnvelope = new Map<string, SlackDelivery>();
  let acksSeen = 0;
  const onSlackChange = (): void => {
    const acks = world.slack.state.acks;
    for (; acksSeen < acks.length; acksSeen += 1) {
      const delivery = byEnvelope.get(acks[acksSeen]?.envelopeId ?? '');
      if (delivery) delivery.acked = true;
    }
  };
  world.slack.state.on('change', onSlackChange);

  /** Discord messages as dispatched, in order (for the replay on recovery). */
  const discordDispatched: APIMessage[] = [];
  let replayFrom = 0;
  const heldDiscord: Array<{ message: OriginMessage; group: LinkGroup }> = [];

  const groupOf = (index: number): LinkGroup => {
    const group = world.groups[index];
    if (!group) throw new Error(`no link group ${index}`);
    return group;
  };

  function deliverSlack(delivery: SlackDelivery): void {
    const retryNum = delivery.attempts;
    delivery.attempts += 1;
    const now = Date.now();
    delivery.message.sentAt ??= now;
    delivery.lastSentAt = now;
    // deliverEvent writes the envelope synchronously before its first await: calls made in
    // order reach the socket in order.
    world.slack
      .deliverEvent(delivery.event, { eventId: delivery.eventId, waitForAck: false, ...(retryNum > 0 ? { retryNum, retryReason: 'timeout' } : {}) })
      .then((result) => {
        if (result.envelopeId) {
          delivery.envelopes.push(result.envelopeId);
          byEnvelope.set(result.envelopeId, delivery);
        }
      })
      .catch(() => undefined); // no socket: redelivered on recovery
    stats.slackEnvelopes += 1;
    if (retryNum > 0) stats.slackRedelivered += 1;
  }

  // Slack retries an envelope nobody acknowledged; so do we, while the bridge is up.
  const sweep = setInterval(() => {
    if (!up) return;
    const now = Date.now();
    for (const delivery of slackDeliveries) {
      if (!delivery.acked && delivery.attempts > 0 && now - delivery.lastSentAt > ackTimeoutMs) deliverSlack(delivery);
    }
  }, 1_000);
  sweep.unref();

  function writeDiscord(message: OriginMessage, group: LinkGroup): void {
    const channelId = group.discordChannel;
    if (!channelId) throw new Error(`group ${group.index} has no Discord channel`);
    let target = channelId;
    if (message.root) {
      const rootId = message.root.originId ?? '';
      // A thread started from a message has that message's id.
      if (!world.discord.state.channels.has(rootId)) world.discord.createThread(channelId, `thread ${message.root.token}`, rootId);
      target = rootId;
    }
    const person = DISCORD_PEOPLE[message.seq % DISCORD_PEOPLE.length] ?? DISCORD_PEOPLE[0];
    message.sentAt = Date.now();
    const written = world.discord.sendMessage({ channelId: target, content: message.text, author: { id: person.id, username: person.username } });
    message.originId = written.id;
    discordDispatched.push(written);
  }

  return {
    messages,
    stats,
    send(side, groupIndex, root) {
      const group = groupOf(groupIndex);
      counters[side] += 1;
      const token = `mx${side[0]}${String(counters[side]).padStart(5, '0')}`;
      const text = root ? `reply ${token} in a thread` : `hello ${token} from ${side}`;
      const message: OriginMessage = { token, side, group: groupIndex, seq: messages.length, root, text, sentAt: undefined, originId: undefined };
      messages.push(message);
      if (side === 'slack') {
        const channel = group.slackChannel;
        if (!channel) throw new Error(`group ${groupIndex} has no Slack channel`);
        const person = SLACK_PEOPLE[message.seq % SLACK_PEOPLE.length] ?? SLACK_PEOPLE[0];
        const event = world.slack.userMessage({ channel, user: person.id, text: message.text, ...(root?.originId ? { threadTs: root.originId } : {}) });
        message.originId = String(event['ts']);
        const delivery: SlackDelivery = { message, event, eventId: `EvMX${String(slackDeliveries.length).padStart(8, '0')}`, envelopes: [], attempts: 0, lastSentAt: 0, acked: false };
        slackDeliveries.push(delivery);
        if (up) deliverSlack(delivery);
      } else if (side === 'discord') {
        if (up) writeDiscord(message, group);
        else heldDiscord.push({ message, group });
      } else {
        const agent = group.agents[message.seq % group.agents.length];
        if (!agent) throw new Error(`group ${groupIndex} has no agents`);
        message.sentAt = Date.now();
        const posted = world.fluxra.postAs(agent.agentId, { conversationId: group.conversationId, content: message.text, ...(root?.originId ? { inReplyTo: root.originId } : {}) });
        message.originId = posted.messageId;
      }
      return message;
    },
    bridgeDown() {
      up = false;
      replayFrom = Math.max(0, discordDispatched.length - replayWindow);
    },
    bridgeUp() {
      up = true;
      // Slack: every envelope not acknowledged (or never sent), in origin order.
      for (const delivery of slackDeliveries) if (!delivery.acked) deliverSlack(delivery);
      // Discord: the replay a RESUME would bring, then what people wrote meanwhile.
      for (const message of discordDispatched.slice(replayFrom)) {
        world.discord.gateway.dispatch('MESSAGE_CREATE', message);
        stats.discordReplayed += 1;
      }
      for (const held of heldDiscord.splice(0)) writeDiscord(held.message, held.group);
    },
    close() {
      clearInterval(sweep);
      world.slack.state.off('change', onSlackChange);
    },
  };
}
