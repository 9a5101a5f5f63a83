/**
 * Channels bound to a Blocks agent (issue 8): the part of the session engine that takes
 * every person's message in a bound channel, queues it durably, and hands batches of them to
 * the channel's long-lived session (worker.ts). It shares the engine's context: the
 * same Blocks budget, scheduler, store records and turn machinery as thread sessions, and
 * hears the end of its turns through the engine's events to set ✅/❌ and wake the queue
 * (turn-outcomes.ts). Commands bind and unbind channels through control.ts.
 *
 * Which messages are ours: in a bound channel, every message from a person (not a bot, not
 * the bridge) at top level or in any thread, except replies in a thread session's thread
 * (`/agent` or a mention from before the binding), which stay follow-ups of that session.
 */

import type { ChannelRef, ChatAdapter, InboundMessage } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import { channelKey, messageKey, toChannelRef } from '../../core/keys.js';
import { backoffMs } from '../../delivery/backoff.js';
import { createWorkRunner } from '../../delivery/runner.js';
import { type EngineContext, postInThread } from '../context.js';
import { type AgentNames, stripSelfMentions } from '../parse.js';
import type { PlacementHooks } from '../types.js';
import { type ChannelBinding, createChannelBindings, isChannelSessionId } from './bindings.js';
import { type ChannelAgentControl, createChannelControl } from './control.js';
import { createChannelQueue } from './queue.js';
import { createTurnOutcomes } from './turn-outcomes.js';
import { type ChannelWorkerDeps, createMarks, drainChannel } from './worker.js';

export type { BindOutcome, ChannelAgentControl } from './control.js';

export interface ChannelSessions extends PlacementHooks, ChannelAgentControl {
  /**
   * True when the message belongs to the bound-channel path (taken or deliberately ignored).
   * `admitted`: the caller already admitted it under the quotas (a Follow up button, which
   * answers a refusal privately).
   */
  accept(event: InboundMessage, source: ChatAdapter, options?: { admitted?: boolean }): Promise<boolean>;
  /** Starts (or, after `stop`, restarts) the workers of every channel with waiting messages. */
  start(): Promise<void>;
  /** Wakes the workers of every channel with waiting messages (a replica's safety-net scan). */
  rescan(): Promise<void>;
  stop(): void;
  /** Work in progress (for `idle` and a bounded `stop`). */
  inFlight(): Array<Promise<void>>;
  /** Every bound channel with the time it was bound. */
  boundChannels(): Promise<Array<{ channel: ChannelRef; since: number }>>;
}

export interface ChannelSessionsOptions {
  ctx: EngineContext;
  agentNames: AgentNames;
  /** First retry delay after an unexpected failure (doubles, 5 min cap). */
  retryDelayMs: number;
  /** Clustered mode: false once this replica may no longer do leader work. */
  mayWork?: () => boolean;
}

/** The text sent for a message: our mentions removed, attachments as links. */
function messageText(event: InboundMessage, selfUserId: string | undefined): string {
  const text = stripSelfMentions(event.text, selfUserId);
  const files = event.attachments.map((a) => `[${a.name ?? 'attachment'}](${a.url})`);
  return [text, ...files].filter((part) => part !== '').join('\n');
}

export function createChannelSessions(options: ChannelSessionsOptions): ChannelSessions {
  const { ctx } = options;
  const logger = ctx.logger.child({ part: 'bound-channels' });
  const bindings = createChannelBindings(ctx.store);
  const queue = createChannelQueue(ctx.store);
  const deps: ChannelWorkerDeps = { ctx, bindings, queue, mode: () => ctx.settings.sessions.boundChannelMode };
  const marks = createMarks();

  let started = false;
  const attempts = new Map<string, number>();
  /** The channel behind each runner key. */
  const channelsByKey = new Map<string, ChannelRef>();
  const runner = createWorkRunner({}, { drain: (key) => run(key), logger, now: ctx.now, ...(options.mayWork ? { mayWork: options.mayWork } : {}) });

  function kick(channel: ChannelRef): void {
    if (!started) return;
    const key = channelKey(channel);
    channelsByKey.set(key, toChannelRef(channel));
    runner.kick(key);
  }

  /** Sends what waits in the channel; a failure keeps the messages in place and says when to try again. */
  async function run(key: string): Promise<{ retryAt?: number }> {
    const channel = channelsByKey.get(key);
    if (!channel) return {};
    try {
      const result = await drainChannel(deps, marks, channel);
      attempts.delete(key);
      return result.retryAt !== undefined ? { retryAt: result.retryAt } : {};
    } catch (error) {
      // A platform or store failure: the messages keep their place and are tried again.
      const n = attempts.get(key) ?? 0;
      attempts.set(key, n + 1);
      logger.warn({ channel: key, attempts: n + 1, err: describeError(error) }, 'bound channel batch failed; retrying');
      return { retryAt: ctx.now() + backoffMs(options.retryDelayMs, n) };
    }
  }

  async function bindingOf(channel: ChannelRef): Promise<ChannelBinding | undefined> {
    return bindings.get({ platform: channel.platform, channelId: channel.channelId });
  }

  const outcomes = createTurnOutcomes({ ctx, bindings, logger, kick });
  const control = createChannelControl({ ctx, bindings, queue, agentNames: options.agentNames, logger, kick });

  const channelSessions: ChannelSessions = {
    ...outcomes,
    ...control,
    async accept(event, source, options = {}) {
      const channel: ChannelRef = { platform: event.platform, channelId: event.ref.channelId };
      const binding = await bindingOf(channel);
      const rootId = event.ref.threadRootId;
      if (rootId !== undefined && rootId !== event.ref.messageId) {
        const owner = await ctx.state.findSessionByThread({ platform: event.platform, channelId: event.ref.channelId, messageId: rootId });
        if (owner && !isChannelSessionId(owner.id)) return false;
        // The thread of a channel session after the channel was unbound: nobody's to answer.
        if (!binding) return owner !== undefined;
      } else if (!binding) {
        return false;
      }
      if (event.author.isSelf || event.author.isBot) return true;
      const text = messageText(event, source.selfUserId);
      if (text === '') return true;
      const threadRootId = rootId ?? event.ref.messageId;
      // A bound channel runs one turn at a time, whoever asks: its messages count per hour only.
      const asker = { platform: event.platform, userId: event.author.id, channelId: event.ref.channelId, requestId: `chan:${messageKey(event.ref)}` };
      const admitted = ctx.quota && options.admitted !== true ? await ctx.quota.admit(asker, { holdsRunning: false }) : undefined;
      if (admitted && !admitted.ok) {
        await postInThread(ctx, channel, threadRootId, `chan:quota:${messageKey(event.ref)}`, admitted.text).catch((error: unknown) => {
          logger.warn({ err: describeError(error) }, 'could not tell a person they are over the agent quota');
        });
        return true;
      }
      await queue.enqueue({
        channel,
        ref: event.ref,
        threadRootId,
        authorId: event.author.id,
        authorName: event.author.displayName,
        text,
        receivedAt: ctx.now(),
        ...(event.privateChannel === true ? { privateChannel: true } : {}),
      });
      kick(channel);
      return true;
    },

    async start() {
      started = true;
      runner.start();
      const channels = await queue.channels();
      for (const channel of channels) kick(channel);
      if (channels.length > 0) logger.info({ channels: channels.length }, 'bound channels resumed');
    },
    async rescan() {
      for (const channel of await queue.channels()) kick(channel);
    },
    stop() {
      started = false;
      runner.halt();
    },
    inFlight: () => runner.inFlight(),
    async boundChannels() {
      return (await bindings.list()).map((binding) => ({ channel: binding.channel, since: binding.boundAt }));
    },
  };
  // Placed turns end with ✅ or ❌ on their messages, and the channel's next batch goes.
  ctx.events.onTurnEnded(({ turn, session, reason }) => channelSessions.turnEnded(turn, session, reason));
  ctx.events.onRequestFailed(({ request, reason, sessionUsable }) => channelSessions.requestFailed(request, reason, sessionUsable));
  return channelSessions;
}
