/**
 * What every status button press and form submission goes through, with the store as it is
 * now: the private answer, the checks on the session it names (button-rules.ts), and the
 * quota admission the command or reply it stands for would get.
 */
import type { ButtonPress, ChatAdapter, FormSubmission } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { createChannelBindings } from '../bound-channels/bindings.js';
import type { EngineContext } from '../context.js';
import type { QuotaTicket } from '../quota.js';
import type { AgentSessionRecord } from '../types.js';
import { buttonRefusal, isChannelSession } from './button-rules.js';

export type Click = ButtonPress | FormSubmission;
export type Admission = { ok: true; ticket?: QuotaTicket } | { ok: false; text: string };

export interface ClickChecks {
  /** Answers privately; a failed answer is logged, never thrown. */
  answer(event: Click, adapter: ChatAdapter, text: string): Promise<void>;
  /** The session named by the reference, or the reason to do nothing. */
  judge(event: Click, sessionRecordId: string | undefined): Promise<{ session: AgentSessionRecord } | { refusal: string }>;
  /** Admission under the quotas, as the command or reply it stands for would get; always admitted when quotas are off. */
  admit(event: Click, requestId: string, options: { holdsRunning?: boolean; replaces?: QuotaTicket | undefined }): Promise<Admission>;
  /** The quota ticket of the session's running turn, which a follow-up replaces. */
  runningTicket(session: AgentSessionRecord): Promise<QuotaTicket | undefined>;
}

export function createClickChecks(ctx: EngineContext, logger: Logger): ClickChecks {
  const bindings = createChannelBindings(ctx.store);
  return {
    async answer(event, adapter, text) {
      try {
        await adapter.reply(event, { text }, { ephemeral: true });
      } catch (error) {
        logger.warn({ eventId: event.eventId, err: describeError(error) }, 'could not answer a status button');
      }
    },

    async judge(event, sessionRecordId) {
      const session = sessionRecordId === undefined ? undefined : await ctx.state.getSession(sessionRecordId);
      const facts = {
        session,
        pressed: { platform: event.platform, channelId: event.channel.channelId, placeId: event.placeId },
        ...(session && !isChannelSession(session.id) ? { threadOwnerId: (await ctx.state.findSessionByThread(session.threadRoot))?.id } : {}),
        ...(session && isChannelSession(session.id) ? { binding: (await bindings.get(session.channel)) ?? null } : {}),
      };
      const refusal = buttonRefusal(facts);
      return refusal === undefined && session ? { session } : { refusal: refusal ?? '' };
    },

    async admit(event, requestId, options) {
      if (!ctx.quota) return { ok: true };
      return ctx.quota.admit({ platform: event.platform, userId: event.user.id, channelId: event.channel.channelId, requestId }, options);
    },

    async runningTicket(session) {
      if (session.currentTurnId === undefined) return undefined;
      const turn = await ctx.state.getTurn(session.currentTurnId);
      return turn?.state === 'running' ? turn.quota : undefined;
    },
  };
}
