/**
 * What a submitted status-button form does (status-clicks.ts opens them): Follow up sends its
 * text as a follow-up exactly as a reply in the thread would, shown in the thread under the
 * person's name; New session (in a session's own thread) starts a fresh session of the same
 * agent there. Quota tickets taken here are given back when the request cannot be queued.
 */
import type { ChatAdapter, FormSubmission, InboundMessage } from '../../core/chat.js';
import type { Logger } from '../../core/logger.js';
import { shareAgentPost } from '../agent-thread.js';
import type { ChannelSessions } from '../bound-channels/bound-channels.js';
import { type EngineContext, postInThread } from '../context.js';
import { followUpRequest } from '../intake.js';
import { followUpEchoText, rootText } from '../messages.js';
import type { AgentSessionRecord, SessionRequest } from '../types.js';
import { isChannelSession } from './button-rules.js';
import type { ClickChecks } from './click-checks.js';
import { buttonSessionRecordId, buttonStartRequest, echoedMessage, followUpRequestId, followUpThreadRoot, parseFormValue, submissionRoute, submissionText } from './click-rules.js';

export interface FormSubmissionsDeps {
  ctx: EngineContext;
  logger: Logger;
  checks: ClickChecks;
  enqueue(request: SessionRequest): Promise<void>;
  channels: Pick<ChannelSessions, 'accept'>;
}

export interface FormSubmissions {
  /** Acts on a submission; throws when acting failed (the caller answers and logs). */
  submit(event: FormSubmission, adapter: ChatAdapter): Promise<void>;
}

export function createFormSubmissions(deps: FormSubmissionsDeps): FormSubmissions {
  const { ctx, logger, checks } = deps;

  /** The person's text, shown in the thread under their name: the message the follow-up answers. */
  async function echo(event: FormSubmission, session: AgentSessionRecord, threadRootId: string, text: string): Promise<InboundMessage> {
    const [ref] = await postInThread(ctx, session.channel, threadRootId, `button:${event.platform}:${event.eventId}`, text);
    if (!ref) throw new Error('posting the follow-up text returned no message');
    // Our own post, so the mirror would skip it: handed over like the question of a thread.
    await shareAgentPost(ctx, 'question', ref, text, session.agentLabel);
    return echoedMessage(event, session, ref, threadRootId);
  }

  async function followUp(event: FormSubmission, adapter: ChatAdapter, session: AgentSessionRecord, text: string, pressedThread: string | undefined): Promise<void> {
    const channelSession = isChannelSession(session.id);
    const threadRootId = followUpThreadRoot(session, pressedThread);
    const requestId = followUpRequestId(session, event.eventId);
    const admitted = channelSession
      ? await checks.admit(event, requestId, { holdsRunning: false })
      : await checks.admit(event, requestId, { replaces: await checks.runningTicket(session) });
    if (!admitted.ok) return checks.answer(event, adapter, admitted.text);
    const ticket = admitted.ticket;
    try {
      const shown = await echo(event, session, threadRootId, followUpEchoText(event.user.displayName, text));
      const message = { ...shown, text };
      if (channelSession) await deps.channels.accept(message, adapter, { admitted: true });
      else await deps.enqueue(followUpRequest(message, session, text, ctx.now(), ticket ? { ticket } : {}));
    } catch (error) {
      await ctx.quota?.release(ticket);
      throw error;
    }
    logger.info({ sessionRecordId: session.id, userId: event.user.id }, 'follow-up sent with a button');
    return checks.answer(event, adapter, `Sent your follow-up to ${session.agentLabel}; the answer comes in the thread.`);
  }

  async function startFresh(event: FormSubmission, adapter: ChatAdapter, session: AgentSessionRecord, prompt: string): Promise<void> {
    const sessionRecordId = buttonSessionRecordId(event);
    const admitted = await checks.admit(event, sessionRecordId, {});
    if (!admitted.ok) return checks.answer(event, adapter, admitted.text);
    const ticket = admitted.ticket;
    const request = buttonStartRequest(event, session, prompt, ctx.now(), ticket);
    try {
      const question = rootText(event.user.displayName, session.agentLabel, prompt);
      const posted = await postInThread(ctx, session.channel, session.threadRoot.messageId, `button:${event.platform}:${event.eventId}`, question);
      await shareAgentPost(ctx, 'question', posted, question, session.agentLabel);
      await deps.enqueue(request);
    } catch (error) {
      await ctx.quota?.release(ticket);
      throw error;
    }
    logger.info({ previous: session.id, sessionRecordId, userId: event.user.id }, 'new session started with a button');
    return checks.answer(event, adapter, `Starting a new ${session.agentLabel} session in this thread; the buttons of the earlier one no longer work.`);
  }

  return {
    async submit(event, adapter) {
      const parsed = parseFormValue(event.value);
      const judged = await checks.judge(event, parsed?.sessionRecordId);
      if ('refusal' in judged) return checks.answer(event, adapter, judged.refusal);
      const { session } = judged;
      const text = submissionText(event.text);
      if (text === '') return checks.answer(event, adapter, 'The text box was empty; nothing was sent.');
      const route = submissionRoute(event.form, session);
      if (route === 'follow-up') return followUp(event, adapter, session, text, parsed?.threadRootId);
      if (route === 'start-fresh') return startFresh(event, adapter, session, text);
      return checks.answer(event, adapter, 'This form is not one of the bridge’s; nothing was done.');
    },
  };
}
