/**
 * Buttons and forms on Slack: neutral buttons as Block Kit (a section with the text, then an
 * actions block), forms as modals opened with `views.open`, and the `block_actions` and
 * `view_submission` payloads Slack sends back as neutral `ButtonPress` and `FormSubmission`.
 * Payload shapes: docs.slack.dev/reference/interaction-payloads (block_actions, view_submission).
 */
import type { ButtonPress, FormSpec, FormSubmission, MessageButton } from '../../core/chat.js';
import type { InboundContext } from './inbound.js';

/** A section's text holds at most 3000 characters; longer text goes without buttons. */
const MAX_SECTION_TEXT = 3_000;
/** The action id of link buttons: Slack reports their clicks too, and they need only an ack. */
export const LINK_ACTION_ID = 'open-link';
/** The block and action ids of a form's text box. */
export const FORM_INPUT = { blockId: 'form-text', actionId: 'text' } as const;

/** The `blocks` of a message with buttons; undefined when there are none (or the text is too long for a section). */
export function buttonBlocks(mrkdwn: string, buttons: readonly MessageButton[] | undefined): Array<Record<string, unknown>> | undefined {
  if (!buttons || buttons.length === 0 || mrkdwn.length > MAX_SECTION_TEXT) return undefined;
  const elements = buttons.map((button) =>
    button.kind === 'link'
      ? { type: 'button', action_id: LINK_ACTION_ID, text: { type: 'plain_text', text: button.label }, url: button.url }
      : { type: 'button', action_id: button.action, text: { type: 'plain_text', text: button.label }, value: button.value },
  );
  return [
    { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } },
    { type: 'actions', block_id: 'bridge-buttons', elements },
  ];
}

/** What a modal carries for us: the form's value and the channel of the button that opened it. */
interface FormMetadata {
  v: string;
  c: string;
}

/** `plain_text` fields: titles hold 24 characters, labels 2000. */
const plain = (text: string, max: number) => ({ type: 'plain_text', text: text.slice(0, max) });

/** The modal for `views.open`: one multi-line text box. */
export function formView(form: FormSpec, channelId: string): Record<string, unknown> {
  const metadata: FormMetadata = { v: form.value, c: channelId };
  return {
    type: 'modal',
    callback_id: form.form,
    private_metadata: JSON.stringify(metadata),
    title: plain(form.title, 24),
    submit: plain(form.submitLabel, 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: FORM_INPUT.blockId,
        label: plain(form.label, 2000),
        element: { type: 'plain_text_input', action_id: FORM_INPUT.actionId, multiline: true, ...(form.placeholder ? { placeholder: plain(form.placeholder, 150) } : {}) },
      },
    ],
  };
}

/** The fields of a `block_actions` payload we read. */
export interface SlackBlockActions {
  trigger_id?: string;
  team?: { id?: string } | null;
  user?: { id?: string; name?: string; username?: string; team_id?: string };
  channel?: { id?: string };
  container?: { message_ts?: string; channel_id?: string; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
  actions?: Array<{ action_id?: string; value?: string; type?: string }>;
}

/** The fields of a `view_submission` payload we read. */
export interface SlackViewSubmission {
  trigger_id?: string;
  team?: { id?: string } | null;
  user?: { id?: string; name?: string; username?: string; team_id?: string };
  view?: {
    id?: string;
    callback_id?: string;
    private_metadata?: string;
    state?: { values?: Record<string, Record<string, { value?: string | null }>> };
  };
}

/** The clicker's own workspace (a Slack Connect guest's differs from the channel's). */
function placeOf(body: { team?: { id?: string } | null; user?: { team_id?: string } }): string | undefined {
  return body.user?.team_id ?? body.team?.id ?? undefined;
}

async function userOf(body: { user?: { id?: string; name?: string; username?: string } }, context: InboundContext) {
  const id = body.user?.id ?? '';
  const user = await context.users.get(id);
  const fallback = body.user?.username ?? body.user?.name;
  return { id, displayName: user.displayName === id && fallback ? fallback : user.displayName, isPrivileged: false };
}

/** A button click as a neutral press; undefined for a payload without the parts a press needs. */
export async function toButtonPress(body: SlackBlockActions, context: InboundContext): Promise<ButtonPress | undefined> {
  const action = body.actions?.[0];
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const messageTs = body.message?.ts ?? body.container?.message_ts;
  if (!action?.action_id || !channelId || !messageTs || !body.trigger_id || !body.user?.id) return undefined;
  const threadTs = body.message?.thread_ts ?? body.container?.thread_ts;
  const placeId = placeOf(body);
  return {
    kind: 'button',
    platform: 'slack',
    // Unique per click; a replayed request carries the same one.
    eventId: `slack:action:${body.trigger_id}`,
    receivedAt: context.now(),
    ...(placeId ? { placeId } : {}),
    action: action.action_id,
    value: action.value ?? '',
    user: await userOf(body, context),
    channel: { platform: 'slack', channelId },
    message: { platform: 'slack', channelId, messageId: messageTs, ...(threadTs ? { threadRootId: threadTs } : {}) },
  };
}

/** A submitted modal as a neutral form submission; undefined when it is not one of ours. */
export async function toFormSubmission(body: SlackViewSubmission, context: InboundContext): Promise<FormSubmission | undefined> {
  const view = body.view;
  if (!view?.callback_id || !view.private_metadata || !body.user?.id) return undefined;
  let metadata: Partial<FormMetadata>;
  try {
    metadata = JSON.parse(view.private_metadata) as Partial<FormMetadata>;
  } catch {
    return undefined;
  }
  if (typeof metadata.v !== 'string' || typeof metadata.c !== 'string') return undefined;
  const text = view.state?.values?.[FORM_INPUT.blockId]?.[FORM_INPUT.actionId]?.value ?? '';
  const placeId = placeOf(body);
  return {
    kind: 'form',
    platform: 'slack',
    // A modal is submitted once (the ack closes it): a replayed request carries the same view id.
    eventId: `slack:view:${view.id ?? body.trigger_id ?? ''}`,
    receivedAt: context.now(),
    ...(placeId ? { placeId } : {}),
    form: view.callback_id,
    value: metadata.v,
    text,
    user: await userOf(body, context),
    channel: { platform: 'slack', channelId: metadata.c },
  };
}
