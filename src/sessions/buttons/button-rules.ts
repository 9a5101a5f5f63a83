/**
 * Whether a status button may still do what it says, decided from what the store holds now
 * (the button itself proves nothing). Pure: the click handler gathers the facts.
 *
 * A button is refused when it points at another channel or place than the one it was pressed
 * in (a forged or foreign reference, another tenant), and stale when its session has ended,
 * was replaced (`/agent new`, New session) or its channel's agent link was removed.
 */
import type { PlatformName } from '../../core/chat.js';
import type { AgentSessionRecord } from '../types.js';

/** What the click handler knows when it judges a press or a form submission. */
export interface ButtonFacts {
  /** The session the button names, if the store has it. */
  session: AgentSessionRecord | undefined;
  /** Where it was pressed. */
  pressed: { platform: PlatformName; channelId: string; placeId?: string | undefined };
  /** Thread sessions: the session the thread's index names now. */
  threadOwnerId?: string | undefined;
  /** Channel sessions: the channel's binding now (`null`: the channel is not bound any more). */
  binding?: { sessionRecordId?: string | undefined } | null;
}

export const BUTTON_TEXT = {
  gone: 'This button belongs to a session the bridge no longer knows; nothing was done.',
  elsewhere: 'This button does not belong to this channel; nothing was done.',
  otherPlace: 'This session belongs to another workspace or server: its buttons work only there. Nothing was done.',
  ended: 'This session has ended (Blocks no longer has it), so its buttons no longer work; nothing was done.',
  failed: 'This session never started, so its buttons do nothing. Start one with the agent command.',
  replaced: 'This session was replaced by a newer one, so its buttons no longer work; use the buttons on the newest status message. Nothing was done.',
  unlinked: "This channel's agent link was removed, so this session's buttons no longer work; nothing was done.",
} as const;

/** Session ids of channels bound to an agent start with `ch:` (see bound-channels/bindings.ts). */
export function isChannelSession(sessionRecordId: string): boolean {
  return sessionRecordId.startsWith('ch:');
}

/** Why the button must do nothing (to be said privately to the person), or undefined when it may act. */
export function buttonRefusal(facts: ButtonFacts): string | undefined {
  const { session, pressed } = facts;
  if (!session) return BUTTON_TEXT.gone;
  if (session.platform !== pressed.platform || session.channel.channelId !== pressed.channelId) return BUTTON_TEXT.elsewhere;
  if (session.placeId !== undefined && pressed.placeId !== undefined && session.placeId !== pressed.placeId) return BUTTON_TEXT.otherPlace;
  if (session.state === 'failed') return BUTTON_TEXT.failed;
  if (session.endedAt !== undefined) return BUTTON_TEXT.ended;
  if (isChannelSession(session.id)) {
    if (facts.binding === null || facts.binding === undefined) return BUTTON_TEXT.unlinked;
    if (facts.binding.sessionRecordId !== session.id) return BUTTON_TEXT.replaced;
    return undefined;
  }
  if (facts.threadOwnerId !== session.id) return BUTTON_TEXT.replaced;
  return undefined;
}
