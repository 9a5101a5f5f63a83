/**
 * The one threading rule: which earlier message a new platform message continues, and how
 * each destination shows that. A thread reply continues its thread's root; a reply made
 * outside a thread (a Discord reply, type 19) continues the message it answers. In Fluxra
 * either becomes `in_reply_to`; on Slack either goes into the thread of that message's
 * copy; Discord shows an inline reply as a quoted line instead (its threads are for thread
 * replies), and so does any destination where the answered message has no copy.
 * Agent sessions ask the same question ("is this a follow-up of an agent thread?").
 */
import type { InboundMessage, MessageRef, PlatformName, ReplyTarget } from '../core/chat.js';

export interface ReplyParent {
  /** The message continued: the thread root, or the message replied to. */
  ref: MessageRef;
  /** True for a reply outside a thread (shown as a quoted line where it cannot be threaded). */
  inline: boolean;
}

/** The message `message` continues, or undefined for a new top-level message. */
export function replyParent(message: Pick<InboundMessage, 'ref' | 'replyTo'>): ReplyParent | undefined {
  const { ref } = message;
  if (ref.threadRootId !== undefined && ref.threadRootId !== ref.messageId) {
    return { ref: { platform: ref.platform, channelId: ref.channelId, messageId: ref.threadRootId }, inline: false };
  }
  return message.replyTo ? { ref: message.replyTo.ref, inline: true } : undefined;
}

/** Whether `platform` shows an inline reply in the thread of the message it answers. */
export function threadsInlineReplies(platform: PlatformName): boolean {
  return platform === 'slack';
}

/** The quoted line that stands for an inline reply where it cannot be threaded: `> Bob: the question`. */
export function replyQuote(target: ReplyTarget): string {
  const who = target.authorName?.replace(/[\\*_~`[\]<>|]/g, '\\$&');
  const what = target.excerpt ?? '…';
  return `> ↪ ${who ? `${who}: ` : ''}${what}`;
}

/** `text` preceded by the quote line, as its own paragraph (markdown would continue the quote otherwise). */
export function withQuote(quote: string | undefined, text: string): string {
  return quote === undefined ? text : `${quote}\n\n${text}`;
}
