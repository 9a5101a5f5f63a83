/**
 * How the messages of a bound channel's turn end: ✅ when answered, ❌ with a line in their
 * threads when the turn or the request failed, then the channel's next batch goes. Heard
 * from the session engine's "turn ended" and "request failed" events.
 */

import type { ChannelRef } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type EngineContext, postInThread } from '../context.js';
import type { PlacedMessage, PlacementHooks, TurnPlacement } from '../types.js';
import type { ChannelBindings } from './bindings.js';
import { answeredElsewhereText, notAnsweredText } from './text.js';
import { settleReactions } from './worker.js';

export interface TurnOutcomeDeps {
  ctx: EngineContext;
  bindings: ChannelBindings;
  logger: Logger;
  /** Wakes the channel's worker (its next batch). */
  kick(channel: ChannelRef): void;
}

/** The message of a turn whose thread holds the answer (the last in the answer's thread). */
export function answerMessage(placement: TurnPlacement): PlacedMessage | undefined {
  return [...placement.messages].reverse().find((m) => m.threadRootId === placement.threadRootId) ?? placement.messages.at(-1);
}

export function createTurnOutcomes(deps: TurnOutcomeDeps): PlacementHooks {
  const { ctx, bindings, logger, kick } = deps;

  /** Lines in the threads of a turn's other messages (the answer's own thread has the status). */
  async function pointOthers(turnId: string, placement: TurnPlacement, channel: ChannelRef, text: string): Promise<void> {
    const done = new Set([placement.threadRootId]);
    for (const m of placement.messages) {
      if (done.has(m.threadRootId)) continue;
      done.add(m.threadRootId);
      await postInThread(ctx, channel, m.threadRootId, `chan:${turnId}:ptr:${m.threadRootId}`, text);
    }
  }

  return {
    async turnEnded(turn, session, reason) {
      const placement = turn.placement;
      // A superseded turn's messages now belong to the turn that interrupted it.
      if (!placement || turn.state === 'superseded' || turn.state === 'running') return;
      try {
        const answered = turn.state === 'done';
        for (const m of placement.messages) await settleReactions(ctx, m, answered ? '✅' : '❌');
        const main = answerMessage(placement);
        const text =
          answered && main
            ? answeredElsewhereText(session.agentLabel, main, placement.messages.length)
            : notAnsweredText(session.agentLabel, reason ?? 'the turn ended without an answer.');
        await pointOthers(turn.id, placement, session.channel, text);
      } catch (error) {
        logger.warn({ turnId: turn.id, err: describeError(error) }, 'could not mark the messages of a finished turn');
      }
      kick(session.channel);
    },

    async requestFailed(request, reason, sessionUsable) {
      const placement = request.placement;
      if (!placement) return;
      const session = await ctx.state.getSession(request.sessionRecordId);
      const channel = session?.channel ?? placement.messages[0]?.ref;
      try {
        for (const m of placement.messages) await settleReactions(ctx, m, '❌');
        if (channel)
          await pointOthers(
            `${request.sessionRecordId}:${request.requestedAt}`,
            placement,
            { platform: channel.platform, channelId: channel.channelId },
            notAnsweredText(session?.agentLabel ?? 'The agent', reason),
          );
        if (!sessionUsable && channel) {
          const binding = await bindings.get({ platform: channel.platform, channelId: channel.channelId });
          if (binding?.sessionRecordId === request.sessionRecordId) {
            const { sessionRecordId: _gone, ...rest } = binding;
            await bindings.put(rest);
          }
        }
      } catch (error) {
        logger.warn({ sessionRecordId: request.sessionRecordId, err: describeError(error) }, 'could not mark the messages of a failed request');
      }
    },
  };
}
