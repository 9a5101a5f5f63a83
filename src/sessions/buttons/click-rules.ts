/**
 * The decisions behind the status buttons (status-clicks.ts), as pure functions: what a form
 * carries and how it is read back, what a press or a submission leads to, and the requests
 * and messages a click turns into. The closures only wire these to the store and the chat.
 */
import type { ButtonPress, FormSpec, FormSubmission, InboundMessage, MessageRef } from '../../core/chat.js';
import type { QuotaTicket } from '../quota.js';
import type { AgentSessionRecord, StartRequest } from '../types.js';
import { isChannelSession } from './button-rules.js';
import { parseSessionReference, STATUS_ACTIONS } from './status-buttons.js';

/** The most of a submitted text that is taken. */
export const MAX_SUBMISSION_TEXT = 4_000;

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

/** The dedupe key that recognises a replayed press or submission. */
export function replayKey(event: ButtonPress | FormSubmission): string {
  return `status-button:${event.platform}:${event.kind}:${event.eventId}`;
}

/**
 * What an accepted press (a status action, on a session that passed the checks) does: in a
 * bound channel New session marks the channel for a fresh session; otherwise a form opens.
 */
export function pressOutcome(action: string, session: AgentSessionRecord): 'start-new-in-channel' | 'follow-up-form' | 'new-session-form' {
  if (action === STATUS_ACTIONS.newSession && isChannelSession(session.id)) return 'start-new-in-channel';
  return action === STATUS_ACTIONS.followUp ? 'follow-up-form' : 'new-session-form';
}

/** The submitted text as taken: trimmed and capped; empty means nothing to send. */
export function submissionText(raw: string): string {
  return raw.trim().slice(0, MAX_SUBMISSION_TEXT);
}

/** What an accepted submission does: a follow-up, a fresh session in a session's own thread, or nothing (not our form). */
export function submissionRoute(form: string, session: AgentSessionRecord): 'follow-up' | 'start-fresh' | 'unknown' {
  if (form === STATUS_ACTIONS.followUp) return 'follow-up';
  if (form === STATUS_ACTIONS.newSession && !isChannelSession(session.id)) return 'start-fresh';
  return 'unknown';
}

/** The thread a follow-up goes to: in a bound channel the one pressed in (else the session's), otherwise the session's. */
export function followUpThreadRoot(session: AgentSessionRecord, pressedThread: string | undefined): string {
  return isChannelSession(session.id) ? (pressedThread ?? session.threadRoot.messageId) : session.threadRoot.messageId;
}

/** The quota request id of a follow-up sent with a button: a bound channel's queue, or a session's follow-up. */
export function followUpRequestId(session: AgentSessionRecord, eventId: string): string {
  return isChannelSession(session.id) ? `chan:btn:${eventId}` : `fu:btn:${eventId}`;
}

/** The message a submitted follow-up stands for: the echo posted in the thread, authored by the person. */
export function echoedMessage(event: FormSubmission, session: AgentSessionRecord, ref: MessageRef, threadRootId: string): InboundMessage {
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

/** The id of a session started with the New session form: one per submission. */
export function buttonSessionRecordId(event: FormSubmission): string {
  return `b:${event.platform}:${event.eventId}`;
}

/** The start request of a fresh session of the same agent in the same thread, asked with the New session form. */
export function buttonStartRequest(event: FormSubmission, session: AgentSessionRecord, prompt: string, now: number, ticket: QuotaTicket | undefined): StartRequest {
  return {
    kind: 'start',
    sessionRecordId: buttonSessionRecordId(event),
    origin: 'button',
    channel: session.channel,
    threadRoot: session.threadRoot,
    askedBy: { id: event.user.id, displayName: event.user.displayName },
    agent: session.agent,
    agentLabel: session.agentLabel,
    prompt,
    requestedAt: now,
    ...(session.isPrivate === true ? { isPrivate: true } : {}),
    ...(event.placeId !== undefined ? { placeId: event.placeId } : {}),
    ...(ticket ? { quota: ticket } : {}),
  };
}
