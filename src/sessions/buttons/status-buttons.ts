/**
 * The buttons on a session's status message, attached in this one place: every post and every
 * edit of a status message goes through `statusMessage`, because Slack (`blocks`) and Discord
 * (`components`) drop buttons from a message edited without them. Whoever changes the status
 * text (done, failed, live progress) passes it through here and the buttons stay.
 *
 * A button carries only the session record id, as its value. It comes back through the
 * platform, so `parseSessionReference` accepts only the shapes our ids have and the click
 * handler (status-clicks.ts) re-reads and re-checks the session behind it.
 */
import type { MessageButton, OutboundMessage } from '../../core/chat.js';
import type { AgentSessionRecord } from '../types.js';

/** The action ids of the status buttons (what `ButtonPress.action` carries back). */
export const STATUS_ACTIONS = { followUp: 'follow-up', newSession: 'new-session' } as const;
export type StatusAction = (typeof STATUS_ACTIONS)[keyof typeof STATUS_ACTIONS];

export const BUTTON_LABELS = { followUp: 'Follow up', newSession: 'New session', open: 'Open in Blocks' } as const;

/**
 * Longest session reference accepted. Discord's `custom_id` holds 100 characters, and the
 * adapter adds the action (`new-session|`) in front.
 */
export const MAX_REFERENCE_LENGTH = 80;

/** Session record ids: `c:` (command), `m:` (mention), `b:` (button), `ch:` (bound channel). */
const REFERENCE = /^(?:c|m|b|ch):[A-Za-z0-9:._%-]+$/;

/** The session record id a button carried, if it has the shape of one; else undefined. */
export function parseSessionReference(value: string): string | undefined {
  return value.length <= MAX_REFERENCE_LENGTH && REFERENCE.test(value) ? value : undefined;
}

export function isStatusAction(action: string): action is StatusAction {
  return action === STATUS_ACTIONS.followUp || action === STATUS_ACTIONS.newSession;
}

/** Follow up and New session (when the session can be named in a button), and the link to Blocks. */
export function statusButtons(session: Pick<AgentSessionRecord, 'id' | 'sessionUrl'>): MessageButton[] {
  const buttons: MessageButton[] = [];
  if (parseSessionReference(session.id) !== undefined) {
    buttons.push({ kind: 'action', action: STATUS_ACTIONS.followUp, label: BUTTON_LABELS.followUp, value: session.id });
    buttons.push({ kind: 'action', action: STATUS_ACTIONS.newSession, label: BUTTON_LABELS.newSession, value: session.id });
  }
  if (session.sessionUrl && /^https?:\/\//.test(session.sessionUrl)) buttons.push({ kind: 'link', label: BUTTON_LABELS.open, url: session.sessionUrl });
  return buttons;
}

/** A status message of `session` with `text`: what is posted and what every edit sends. */
export function statusMessage(session: Pick<AgentSessionRecord, 'id' | 'sessionUrl'>, text: string): OutboundMessage {
  const buttons = statusButtons(session);
  return buttons.length > 0 ? { text, buttons } : { text };
}
