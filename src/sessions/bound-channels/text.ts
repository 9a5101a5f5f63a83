/**
 * What a bound channel sends to its agent and writes into its threads. Pure functions: a
 * batch's prompt is rebuilt identically after a restart (the follow-up check after a 5xx
 * compares texts), and `postOnce` finds a post again by its text.
 */

import { showInput } from '../../core/text.js';
import { describeUser } from '../../format/chat-names.js';
import type { PlacedMessage } from '../types.js';

/** Longest quote of a message in a pointer line or a status. */
const QUOTE_MAX = 60;

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return `“${chars.length <= QUOTE_MAX ? flat : `${chars.slice(0, QUOTE_MAX).join('')}…`}”`;
}

/**
 * The prompt of one batch. One message goes as it is (like a thread follow-up); several go
 * as one numbered follow-up, each with its author, so that the agent answers them together.
 */
export function batchPrompt(messages: readonly Pick<PlacedMessage, 'authorName' | 'text'>[]): string {
  const [only] = messages;
  if (messages.length === 1 && only) return only.text;
  const lines = messages.map((m, i) => `${i + 1}. ${m.authorName}: ${m.text}`);
  return [`${messages.length} messages arrived in the channel while you were busy. Answer them together, in order:`, ...lines].join('\n\n');
}

/** The line in the thread of a message whose answer was posted in another thread. */
export function answeredElsewhereText(agentLabel: string, answerThreadMessage: PlacedMessage, together: number): string {
  const others = together - 1;
  return `${agentLabel} answered this together with ${others} other message${others === 1 ? '' : 's'}, in the thread of ${quote(answerThreadMessage.text)} from ${answerThreadMessage.authorName}.`;
}

/** The line in the thread of a message whose turn ended without an answer. */
export function notAnsweredText(agentLabel: string, reason: string): string {
  return `${agentLabel} did not answer this: ${reason}`;
}

export const UNBOUND_BEFORE_SENT_TEXT = 'This channel was unbound from its agent before this message was sent to it; it was not sent.';

/** Age as people say it: "45 s", "3 min", "2 h 5 min". */
export function describeAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}

/** What `/agent status` and `/bridge status` show about a bound channel. */
export interface ChannelStatusView {
  agentLabel: string;
  boundBy: string;
  boundAt: number;
  mode: 'queue' | 'interrupt';
  session?: { url?: string; state: string; turns: number };
  running?: { n: number; ageMs: number; messages: readonly PlacedMessage[] };
  waiting: readonly PlacedMessage[];
  /** A batch being sent to Blocks right now. */
  sending: number;
}

/** Most waiting messages listed one by one. */
const MAX_LISTED = 5;

export function channelStatusLines(view: ChannelStatusView): string[] {
  const lines = [
    `This channel is bound to the agent ${showInput(view.agentLabel, 40)} (by ${describeUser(view.boundBy)}); messages wait for a running turn: ${view.mode === 'queue' ? 'yes (queue)' : 'no (interrupt)'}.`,
  ];
  if (!view.session) lines.push('• Session: none yet; the next message here starts one.');
  else if (view.session.state !== 'active') lines.push(`• Session: ${view.session.state === 'failed' ? 'did not start; the next message starts a new one' : 'starting'}.`);
  else lines.push(`• Session: ${view.session.url ?? '(no link)'} (${view.session.turns} turn${view.session.turns === 1 ? '' : 's'})`);
  if (view.running) {
    const asked = view.running.messages.map((m) => `${quote(m.text)} from ${m.authorName}`);
    lines.push(`• Running: turn ${view.running.n}, for ${describeAge(view.running.ageMs)}${asked.length > 0 ? `, answering ${asked.join(', ')}` : ''}`);
  } else {
    lines.push('• Running: nothing');
  }
  if (view.sending > 0) lines.push(`• Being sent: ${view.sending} message${view.sending === 1 ? '' : 's'}`);
  if (view.waiting.length === 0) lines.push('• Queue: empty');
  else {
    const listed = view.waiting.slice(0, MAX_LISTED).map((m) => `${quote(m.text)} from ${m.authorName}`);
    if (view.waiting.length > MAX_LISTED) listed.push(`and ${view.waiting.length - MAX_LISTED} more`);
    lines.push(`• Queue: ${view.waiting.length} waiting: ${listed.join(', ')}`);
  }
  return lines;
}
