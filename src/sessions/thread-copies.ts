/**
 * Follow-ups from the copies of an agent thread. When the session's channel is linked to a
 * conversation, the thread is mirrored into every linked channel (the question, the
 * answers, the final status lines); a person's reply in any copy (a Slack thread reply, a
 * Discord thread message, a Discord reply to one of the thread's messages) continues the
 * same session. These are the decisions, as pure functions: which messages a reply
 * continues, which thread roots a copy may stand for, and whether the person may continue
 * the session from where they wrote.
 */
import type { InboundMessage, MessageRef } from '../core/chat.js';
import { type MessageKey, messageKey } from '../core/keys.js';
import { type Place, sameTenant, type TenancyConfig } from '../core/tenancy.js';

/**
 * The messages `message` continues, nearest first: the root of the thread it is in, then
 * the message it replies to (a Discord reply, type 19) and that one's thread. Empty for a
 * new top-level message.
 */
export function continuedMessages(message: Pick<InboundMessage, 'ref' | 'replyTo'>): MessageKey[] {
  const out: MessageKey[] = [];
  const add = (ref: MessageRef, messageId: string): void => {
    const key = { platform: ref.platform, channelId: ref.channelId, messageId };
    if (!out.some((known) => messageKey(known) === messageKey(key))) out.push(key);
  };
  const { ref, replyTo } = message;
  if (ref.threadRootId !== undefined && ref.threadRootId !== ref.messageId) add(ref, ref.threadRootId);
  if (replyTo !== undefined) {
    add(replyTo.ref, replyTo.ref.messageId);
    if (replyTo.ref.threadRootId !== undefined) add(replyTo.ref, replyTo.ref.threadRootId);
  }
  return out;
}

/**
 * The thread roots that the copies of one mirrored message stand for: each copy is either a
 * thread's root (the question, or a top-level answer) or inside a thread (then its thread's
 * root). Copies in `except`'s channel are left out (they were looked up directly).
 */
export function threadRootsOfCopies(copies: readonly MessageRef[], except?: Pick<MessageRef, 'platform' | 'channelId'>): MessageKey[] {
  const out: MessageKey[] = [];
  for (const copy of copies) {
    if (except !== undefined && copy.platform === except.platform && copy.channelId === except.channelId) continue;
    const key = { platform: copy.platform, channelId: copy.channelId, messageId: copy.threadRootId ?? copy.messageId };
    if (!out.some((known) => messageKey(known) === messageKey(key))) out.push(key);
  }
  return out;
}

/** Whether a reply found in a copy may continue the session, and why not. */
export type CopyFollowUpDecision = { kind: 'continue' } | { kind: 'ignore'; reason: string } | { kind: 'refuse'; reason: string };

export interface CopyFollowUpInput {
  /** Channel-bound sessions take no follow-ups from copies. */
  isChannelSession: boolean;
  /** Where the session was started (its workspace or server). */
  sessionPlace: Place;
  /** Where the reply was written. */
  replierPlace: Place;
  tenancy: TenancyConfig;
}

/**
 * A copy's reply continues the session only for people of the session's own tenant (with
 * allow-lists: the organisation): a share code links channels so that they see each other's
 * messages, not so that another tenant may steer this tenant's agent. A channel bound to an
 * agent takes its own channel's messages; a reply in a copy of its answers is mirrored only.
 */
export function decideCopyFollowUp(input: CopyFollowUpInput): CopyFollowUpDecision {
  if (input.isChannelSession) return { kind: 'ignore', reason: 'a channel-bound session takes messages from its own channel only' };
  if (!sameTenant(input.tenancy, input.sessionPlace, input.replierPlace)) return { kind: 'refuse', reason: 'the session belongs to another workspace or server' };
  return { kind: 'continue' };
}

/** What a person from another tenant is told when they reply in a copy of an agent thread. */
export function strangerFollowUpText(agentLabel: string, command: string): string {
  return `This ${agentLabel} session was started in another workspace or server, so only its people can continue it; start your own with /${command}.`;
}
