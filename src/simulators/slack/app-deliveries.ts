/**
 * What Slack sends the app on a person's behalf, built from the documented payloads and
 * handed over by `deliver`: an Events API event, a slash command, a button click
 * (`block_actions`) and a modal submission (`view_submission`).
 */
import { type DeliveryOptions, type DeliveryResult, deliver, newTriggerId, type SlackLink } from './delivery.js';
import { type ButtonClickInput, blockActionsPayload, eventCallback, type SlashCommandInput, slashCommandBody, viewSubmissionPayload } from './payloads.js';

/** The form body Slack posts interactive payloads as: one `payload` field of JSON. */
function interactiveForm(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function deliverEvent(link: SlackLink, event: Record<string, unknown>, delivery: DeliveryOptions = {}): Promise<DeliveryResult> {
  const payload = eventCallback(event, {
    ...link.identity,
    ...(delivery.teamId ? { teamId: delivery.teamId } : {}),
    eventId: delivery.eventId ?? `Ev${String(link.ids.next()).padStart(8, '0')}`,
  });
  return deliver(link, 'events_api', payload, '', delivery);
}

export function deliverCommand(link: SlackLink, input: SlashCommandInput, delivery: DeliveryOptions = {}): Promise<DeliveryResult> {
  const id = `cmd-${link.ids.next()}`;
  const body = slashCommandBody(input, {
    ...link.identity,
    ...(delivery.teamId ? { teamId: delivery.teamId } : {}),
    responseUrl: `${link.baseUrl}/response/${id}`,
    triggerId: delivery.triggerId ?? newTriggerId(link.ids.current),
  });
  return deliver(link, 'slash_commands', body, new URLSearchParams(body).toString(), delivery).then((result) => ({ ...result, responseId: id }));
}

/** Clicks a button of a message the fake holds; no `payload` (and nothing delivered) when the message has no such button. */
export async function clickButton(
  link: SlackLink,
  input: ButtonClickInput,
  delivery: DeliveryOptions = {},
): Promise<DeliveryResult & { triggerId: string; payload?: Record<string, unknown> }> {
  const { state, identity } = link;
  const id = `act-${link.ids.next()}`;
  const triggerId = delivery.triggerId ?? newTriggerId(link.ids.current);
  const message = state.findMessage(input.channel, input.messageTs);
  const teamId = delivery.teamId ?? identity.teamId;
  const payload = message
    ? blockActionsPayload(input, message, {
        teamId,
        userTeamId: state.users.get(input.userId)?.teamId ?? teamId,
        appId: identity.appId,
        triggerId,
        responseUrl: `${link.baseUrl}/response/${id}`,
      })
    : undefined;
  if (!payload) return { triggerId, responseId: id };
  state.triggers.set(triggerId, input.userId);
  const result = await deliver(link, 'interactive', payload, interactiveForm(payload), delivery);
  return { ...result, triggerId, responseId: id, payload };
}

/** Submits a modal the app opened (`state.views`), its text box filled with `text`. */
export async function submitView(link: SlackLink, viewId: string, text: string, delivery: DeliveryOptions = {}): Promise<DeliveryResult & { payload: Record<string, unknown> }> {
  const { state, identity } = link;
  const opened = state.views.find((view) => view.id === viewId);
  if (!opened) throw new Error(`fake Slack: no view ${viewId} was opened`);
  const teamId = delivery.teamId ?? identity.teamId;
  const payload = viewSubmissionPayload(opened, text, {
    teamId,
    userTeamId: state.users.get(opened.userId)?.teamId ?? teamId,
    appId: identity.appId,
    triggerId: delivery.triggerId ?? newTriggerId(link.ids.next()),
    userId: opened.userId,
    botId: identity.botId,
  });
  const result = await deliver(link, 'interactive', payload, interactiveForm(payload), delivery);
  return { ...result, payload };
}
