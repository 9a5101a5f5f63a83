/**
 * What the status buttons do when pressed. Each press and each form submission is checked
 * like the command it stands for, from the store as it is now (the button's reference is
 * only a hint): the session must exist, belong to the channel and place it was pressed in,
 * and be neither ended nor replaced nor unlinked (button-rules.ts); quotas apply when the
 * form asks for a turn. A refusal is answered privately and nothing else happens.
 *
 * - Follow up → a form; its text becomes a follow-up exactly as a reply in the thread would
 *   (it interrupts a running turn; in a bound channel it joins the channel's queue). The text
 *   is shown in the thread under the person's name, and that message is what gets ✅/❌.
 * - New session → in a bound channel, what `/agent new` does; in a session's own thread, a
 *   form for the prompt of a fresh session of the same agent in the same thread.
 *
 * A replayed press or submission (same interaction id) is recognised and does nothing.
 */
import type { ButtonPress, ChatAdapter, FormSpec, FormSubmission, InboundMessage } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import { shareAgentPost } from '../agent-thread.js';
import { createChannelBindings } from '../bound-channels/bindings.js';
import type { ChannelSessions } from '../bound-channels/bound-channels.js';
import { type EngineContext, postInThread } from '../context.js';
import { followUpRequest } from '../intake.js';
import { followUpEchoText, rootText } from '../messages.js';
import type { QuotaTicket } from '../quota.js';
import type { AgentSessionRecord, SessionRequest, StartRequest } from '../types.js';
import { buttonRefusal, isChannelSession } from './button-rules.js';
import { isStatusAction, parseSessionReference, STATUS_ACTIONS } from './status-buttons.js';

export interface StatusClicksDeps {
  ctx: EngineContext;
  enqueue(request: SessionRequest): Promise<void>;
  channels: Pick<ChannelSessions, 'accept' | 'startNew'>;
}

export interface StatusClicks {
  /** Answers a press or a submission; never rejects (a failed answer is logged). */
  handle(event: ButtonPress | FormSubmission, adapter: ChatAdapter): Promise<void>;
}

/** How long a handled interaction id is remembered (Slack and Discord tokens live 15–30 min). */
const REPLAY_TTL_MS = 60 * 60_000;
const MAX_TEXT = 4_000;

/** A form's value: the session, and for a bound channel the thread the button was pressed in. */
export function formValue(sessionRecordId: string, threadRootId: string | undefined): string {
  return isChannelSession(sessionRecordId) && threadRootId !== undefined ? `${sessionRecordId}@${threadRootId}` : sessionRecordId;
}

export function parseFormValue(value: string): { sessionRecordId: string; threadRootId?: string } | undefined {
  const at = value.lastIndexOf('@');
  const sessionRecordId = parseSessionReference(at < 0 ? value : value.slice(0, at));
  if (sessionRecordId === undefined) return undefined;
  if (at < 0) return { sessionRecordId };
  const threadRootId = value.slice(at + 1);
  return /^[0-9]{1,20}(?:\.[0-9]{1,8})?$/.test(threadRootId) ? { sessionRecordId, threadRootId } : undefined;
}

export function followUpForm(session: AgentSessionRecord, threadRootId: string | undefined): FormSpec {
  const agent = session.agentLabel.slice(0, 30);
  return { form: STATUS_ACTIONS.followUp, value: formValue(session.id, threadRootId), title: 'Follow up', label: `Your follow-up to ${agent}`, submitLabel: 'Send' };
}

export function newSessionForm(session: AgentSessionRecord): FormSpec {
  const agent = session.agentLabel.slice(0, 30);
  return { form: STATUS_ACTIONS.newSession, value: session.id, title: 'New session', label: `What should a fresh ${agent} session do?`, submitLabel: 'Start' };
}

export function createStatusClicks(deps: StatusClicksDeps): StatusClicks {
  const { ctx } = deps;
  const logger = ctx.logger.child({ part: 'status-buttons' });
  const bindings = createChannelBindings(ctx.store);

  async function answer(event: ButtonPress | FormSubmission, adapter: ChatAdapter, text: string): Promise<void> {
    try {
      await adapter.reply(event, { text }, { ephemeral: true });
    } catch (error) {
      logger.warn({ eventId: event.eventId, err: describeError(error) }, 'could not answer a status button');
    }
  }

  /** The session named by the reference, or the reason to do nothing. */
  async function judge(event: ButtonPress | FormSubmission, sessionRecordId: string | undefined): Promise<{ session: AgentSessionRecord } | { refusal: string }> {
    const session = sessionRecordId === undefined ? undefined : await ctx.state.getSession(sessionRecordId);
    const facts = {
      session,
      pressed: { platform: event.platform, channelId: event.channel.channelId, placeId: event.placeId },
      ...(session && !isChannelSession(session.id) ? { threadOwnerId: (await ctx.state.findSessionByThread(session.threadRoot))?.id } : {}),
      ...(session && isChannelSession(session.id) ? { binding: (await bindings.get(session.channel)) ?? null } : {}),
    };
    const refusal = buttonRefusal(facts);
    return refusal === undefined && session ? { session } : { refusal: refusal ?? '' };
  }

  /** Admission under the quotas, as the command or reply it stands for would get; always admitted when quotas are off. */
  async function admit(
    event: ButtonPress | FormSubmission,
    requestId: string,
    options: { holdsRunning?: boolean; replaces?: QuotaTicket | undefined },
  ): Promise<{ ok: true; ticket?: QuotaTicket } | { ok: false; text: string }> {
    if (!ctx.quota) return { ok: true };
    return ctx.quota.admit({ platform: event.platform, userId: event.user.id, channelId: event.channel.channelId, requestId }, options);
  }

  async function runningTicket(session: AgentSessionRecord): Promise<QuotaTicket | undefined> {
    if (session.currentTurnId === undefined) return undefined;
    const turn = await ctx.state.getTurn(session.currentTurnId);
    return turn?.state === 'running' ? turn.quota : undefined;
  }

  async function press(event: ButtonPress, adapter: ChatAdapter): Promise<void> {
    if (!isStatusAction(event.action)) return answer(event, adapter, 'This button is not one of the bridge’s; nothing was done.');
    const judged = await judge(event, parseSessionReference(event.value));
    if ('refusal' in judged) return answer(event, adapter, judged.refusal);
    const { session } = judged;
    if (event.action === STATUS_ACTIONS.newSession && isChannelSession(session.id)) {
      await deps.channels.startNew(session.channel);
      logger.info({ sessionRecordId: session.id, userId: event.user.id }, 'new session asked with a button in a bound channel');
      return answer(event, adapter, `The next message here starts a new ${session.agentLabel} session, with a clean context.`);
    }
    if (!adapter.openForm) return answer(event, adapter, 'This chat cannot open a form here; reply in the thread instead.');
    const form = event.action === STATUS_ACTIONS.followUp ? followUpForm(session, event.message.threadRootId) : newSessionForm(session);
    await adapter.openForm(event, form);
  }

  async function submit(event: FormSubmission, adapter: ChatAdapter): Promise<void> {
    const parsed = parseFormValue(event.value);
    const judged = await judge(event, parsed?.sessionRecordId);
    if ('refusal' in judged) return answer(event, adapter, judged.refusal);
    const { session } = judged;
    const text = event.text.trim().slice(0, MAX_TEXT);
    if (text === '') return answer(event, adapter, 'The text box was empty; nothing was sent.');
    if (event.form === STATUS_ACTIONS.followUp) return followUp(event, adapter, session, text, parsed?.threadRootId);
    if (event.form === STATUS_ACTIONS.newSession && !isChannelSession(session.id)) return startFresh(event, adapter, session, text);
    return answer(event, adapter, 'This form is not one of the bridge’s; nothing was done.');
  }

  /** The person's text, shown in the thread under their name: the message the follow-up answers. */
  async function echo(event: FormSubmission, session: AgentSessionRecord, threadRootId: string, text: string): Promise<InboundMessage> {
    const [ref] = await postInThread(ctx, session.channel, threadRootId, `button:${event.platform}:${event.eventId}`, text);
    if (!ref) throw new Error('posting the follow-up text returned no message');
    // Our own post, so the mirror would skip it: handed over like the question of a thread.
    await shareAgentPost(ctx, 'question', ref, text, session.agentLabel);
    return {
      kind: 'message',
      platform: event.platform,
      eventId: `button:${event.eventId}`,
      receivedAt: event.receivedAt,
      ...(event.placeId !== undefined ? { placeId: event.placeId } : {}),
      ref: { ...ref, threadRootId },
      author: { id: event.user.id, displayName: event.user.displayName, isBot: false, isSelf: false },
      text: '',
      attachments: [],
      mentionsBot: false,
      ...(session.isPrivate === true ? { privateChannel: true } : {}),
    };
  }

  async function followUp(event: FormSubmission, adapter: ChatAdapter, session: AgentSessionRecord, text: string, pressedThread: string | undefined): Promise<void> {
    const channelSession = isChannelSession(session.id);
    const threadRootId = channelSession ? (pressedThread ?? session.threadRoot.messageId) : session.threadRoot.messageId;
    const admitted = channelSession
      ? await admit(event, `chan:btn:${event.eventId}`, { holdsRunning: false })
      : await admit(event, `fu:btn:${event.eventId}`, { replaces: await runningTicket(session) });
    if (!admitted.ok) return answer(event, adapter, admitted.text);
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
    return answer(event, adapter, `Sent your follow-up to ${session.agentLabel}; the answer comes in the thread.`);
  }

  async function startFresh(event: FormSubmission, adapter: ChatAdapter, session: AgentSessionRecord, prompt: string): Promise<void> {
    const sessionRecordId = `b:${event.platform}:${event.eventId}`;
    const admitted = await admit(event, sessionRecordId, {});
    if (!admitted.ok) return answer(event, adapter, admitted.text);
    const ticket = admitted.ticket;
    const request: StartRequest = {
      kind: 'start',
      sessionRecordId,
      origin: 'button',
      channel: session.channel,
      threadRoot: session.threadRoot,
      askedBy: { id: event.user.id, displayName: event.user.displayName },
      agent: session.agent,
      agentLabel: session.agentLabel,
      prompt,
      requestedAt: ctx.now(),
      ...(session.isPrivate === true ? { isPrivate: true } : {}),
      ...(event.placeId !== undefined ? { placeId: event.placeId } : {}),
      ...(ticket ? { quota: ticket } : {}),
    };
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
    return answer(event, adapter, `Starting a new ${session.agentLabel} session in this thread; the buttons of the earlier one no longer work.`);
  }

  return {
    async handle(event, adapter) {
      try {
        // Marked before anything is done: Slack and Discord do not retry interactions, and a replay must not act twice.
        if (await ctx.store.dedupe.seen(`status-button:${event.platform}:${event.kind}:${event.eventId}`, REPLAY_TTL_MS)) {
          logger.info({ eventId: event.eventId, kind: event.kind }, 'status button replayed; nothing done again');
          return;
        }
        if (event.kind === 'button') await press(event, adapter);
        else await submit(event, adapter);
      } catch (error) {
        logger.error({ eventId: event.eventId, err: describeError(error) }, 'status button failed');
        await answer(event, adapter, "Something went wrong; the details are in the bridge's log.");
      }
    },
  };
}
