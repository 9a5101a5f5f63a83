/**
 * Drives traffic into a mirror world the way the platforms would, including across a
 * bridge crash:
 * - Slack (Socket Mode): each message is written to the channel's history and sent as an
 *   `events_api` envelope; an envelope the bridge has not acknowledged is sent again (same
 *   event, `retry_attempt` + 1) once the bridge is back, and again if it stays unacked for
 *   `slackAckTimeoutMs`, as Slack retries unacknowledged envelopes. While the bridge is
 *   down, messages are written and queued, and delivered in order when it is back.
 * - Discord: there is no acknowledgement on the gateway, and a fresh session (a new
 *   IDENTIFY, as a restarted bridge does) gets nothing of what happened before it. So
 *   messages are written to the channel at once, bridge up or down; a message written while
 *   the bridge is down, or dispatched but not yet made durable when it died, reaches it only
 *   through its catch-up (history read back at start). Nothing is replayed here.
 * - Fluxra: agents post straight into the fake's state; the bridge finds them by polling.
 *
 * Every message carries a unique token (`mx` + side letter + number) that the checker finds
 * wherever the message was mirrored to.
 *
 * No test-framework imports: the benchmark drives through this too.
 */
import { DISCORD_PEOPLE, type LinkGroup, type MirrorWorld, SLACK_PEOPLE } from './mirror-world.js';

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
  /** Discord messages written while the bridge was down: only catch-up can bring them. */
  discordWhileDown: number;
  /** Slack messages written while the bridge was down and never sent as events (retries off). */
  slackNeverDelivered: number;
}

export interface MirrorDriverOptions {
  /** Unacked Slack envelopes are sent again after this long (default 15 s). */
  slackAckTimeoutMs?: number;
  /**
   * Whether Slack retries, once the bridge is back, the envelopes it did not acknowledge
   * and those of messages written meanwhile (default true, as Slack does for a few minutes).
   * False stands for a downtime longer than Slack's retries: only catch-up brings them.
   */
  slackRetriesAfterDowntime?: boolean;
}

export interface MirrorDriver {
  readonly messages: readonly OriginMessage[];
  readonly stats: DriverStats;
  /** Sends one message from `side` in `group`, as a reply in the thread of `root` when given. */
  send(side: Side, group: number, root?: OriginMessage): OriginMessage;
  /**
   * The bridge is gone (killed): Slack and Discord traffic is held from now on. With
   * `holdSlack: false` (another replica still holds a Slack connection) Slack goes on.
   */
  bridgeDown(options?: { holdSlack?: boolean }): void;
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
  const slackRetries = options.slackRetriesAfterDowntime ?? true;
  const messages: OriginMessage[] = [];
  const stats: DriverStats = { slackEnvelopes: 0, slackRedelivered: 0, discordWhileDown: 0, slackNeverDelivered: 0 };
  const counters: Record<Side, number> = { slack: 0, discord: 0, fluxra: 0 };
  let up = true;
  /** Slack keeps flowing while `up` is false (a cluster: another replica is connected). */
  let slackFlowing = false;
  const slackUp = (): boolean => up || slackFlowing;

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
    if (!slackUp()) return;
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
        const delivery: SlackDelivery = {
          message,
          event,
          eventId: `EvMX${String(slackDeliveries.length).padStart(8, '0')}`,
          envelopes: [],
          attempts: 0,
          lastSentAt: 0,
          acked: false,
        };
        slackDeliveries.push(delivery);
        if (slackUp()) deliverSlack(delivery);
      } else if (side === 'discord') {
        if (!up) stats.discordWhileDown += 1;
        writeDiscord(message, group);
      } else {
        const agent = group.agents[message.seq % group.agents.length];
        if (!agent) throw new Error(`group ${groupIndex} has no agents`);
        message.sentAt = Date.now();
        const posted = world.fluxra.postAs(agent.agentId, { conversationId: group.conversationId, content: message.text, ...(root?.originId ? { inReplyTo: root.originId } : {}) });
        message.originId = posted.messageId;
      }
      return message;
    },
    bridgeDown(downOptions = {}) {
      up = false;
      slackFlowing = downOptions.holdSlack === false;
    },
    bridgeUp() {
      up = true;
      slackFlowing = false;
      // Slack: every envelope not acknowledged (or never sent), in origin order, while it still retries.
      for (const delivery of slackDeliveries) {
        if (delivery.acked) continue;
        if (slackRetries || delivery.attempts > 0) deliverSlack(delivery);
        else {
          // Past Slack's retries: the event is gone for good, and stays gone.
          delivery.acked = true;
          stats.slackNeverDelivered += 1;
        }
      }
    },
    close() {
      clearInterval(sweep);
      world.slack.state.off('change', onSlackChange);
    },
  };
}
