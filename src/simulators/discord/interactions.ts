/**
 * Interactions a person starts on the fake Discord: a chat-input command (type 2), a button
 * press (MESSAGE_COMPONENT, 3) and a modal submission (MODAL_SUBMIT, 5). Each is recorded in
 * `state.interactions` (the record fills in as the bot answers) and dispatched as
 * INTERACTION_CREATE, shaped as Discord's docs show it.
 */
import type { APIChannel, APIGuildMember, APIMessage } from 'discord.js';
import { makeMember, snowflake } from './objects.js';
import type { FakeDiscordState, FakeInteraction } from './state.js';

type Person = { id: string; username: string; nick?: string };

export interface FakeInteractionInit {
  commandName: string;
  subcommand?: string;
  options?: Array<{ name: string; value: string }>;
  channelId: string;
  user?: { id: string; username: string; nick?: string };
  /** The member's computed permissions in that channel, as a decimal bitfield string. */
  permissions?: string;
  /** Reuse an interaction id: a replayed request (default: a new snowflake). */
  id?: string;
}

/** A press of a button on a message the fake holds (MESSAGE_COMPONENT, type 3). */
export interface FakeButtonClick {
  channelId: string;
  messageId: string;
  /** The button's custom_id; it must be on the message unless `forged`. */
  customId: string;
  /** Send a custom_id the message does not carry (a tampered client). */
  forged?: boolean;
  user?: { id: string; username: string; nick?: string };
  /** Reuse an interaction id: a replayed request (default: a new snowflake). */
  id?: string;
}

/** A submission of the modal a press was answered with (MODAL_SUBMIT, type 5). */
export interface FakeModalSubmit {
  /** The press whose type 9 response opened the modal. */
  from: FakeInteraction;
  text: string;
  user?: { id: string; username: string; nick?: string };
  id?: string;
}

/** Who acts when a test names nobody: the same human as a plain user message. */
function defaultPerson(): Person {
  return { id: '300000000000000001', username: 'alice' };
}

/** The partial channel INTERACTION_CREATE carries (id, type and, for a thread, its parent). */
export function interactionChannel(channel: APIChannel | undefined): Record<string, unknown> | undefined {
  return channel ? { id: channel.id, type: channel.type, ...('parent_id' in channel ? { parent_id: channel.parent_id } : {}) } : undefined;
}

/** The INTERACTION_CREATE payload, the fields every interaction type shares around its own `data`. */
export function interactionCreatePayload(fields: {
  id: string;
  applicationId: string;
  type: 2 | 3 | 5;
  token: string;
  guildId: string;
  channelId: string;
  channel: APIChannel | undefined;
  member: APIGuildMember;
  data: Record<string, unknown>;
  message?: APIMessage | undefined;
}): Record<string, unknown> {
  return {
    id: fields.id,
    application_id: fields.applicationId,
    type: fields.type,
    token: fields.token,
    version: 1,
    guild_id: fields.guildId,
    channel_id: fields.channelId,
    channel: interactionChannel(fields.channel),
    member: fields.member,
    app_permissions: '1071698660929',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': fields.guildId },
    context: 0,
    data: fields.data,
    ...(fields.message ? { message: fields.message } : {}),
  };
}

/** The command's `data`: options flat, or nested under the subcommand. */
export function commandData(init: FakeInteractionInit, guildId: string): Record<string, unknown> {
  const values = (init.options ?? []).map((option) => ({ type: 3, name: option.name, value: option.value }));
  return {
    id: snowflake(),
    name: init.commandName,
    type: 1,
    guild_id: guildId,
    options: init.subcommand ? [{ type: 1, name: init.subcommand, options: values }] : values,
  };
}

/** Whether a message carries a button with this custom_id (in any of its action rows). */
export function carriesButton(message: APIMessage, customId: string): boolean {
  const buttons = (message.components ?? []).flatMap((row) => ('components' in row ? (row.components as Array<{ custom_id?: string }>) : []));
  return buttons.some((button) => button.custom_id === customId);
}

/** The MODAL_SUBMIT `data` for the modal `from` was answered with, every text input filled with `text`; undefined when it opened none. */
export function modalSubmitData(from: FakeInteraction, text: string): Record<string, unknown> | undefined {
  const modal = from.callbacks.find((callback) => callback.type === 9)?.data as
    | { custom_id?: string; components?: Array<{ components?: Array<{ custom_id?: string }> }> }
    | undefined;
  if (!modal?.custom_id) return undefined;
  const inputs = (modal.components ?? []).map((row) => ({
    type: 1,
    components: (row.components ?? []).map((input) => ({ type: 4, custom_id: input.custom_id, value: text })),
  }));
  return { custom_id: modal.custom_id, components: inputs };
}

/** Records the interaction and dispatches its INTERACTION_CREATE. */
function announce(
  state: FakeDiscordState,
  record: FakeInteraction,
  person: Person,
  interaction: { type: 2 | 3 | 5; permissions: string; guildId: string; data: Record<string, unknown>; message?: APIMessage | undefined },
): FakeInteraction {
  state.interactions.set(record.id, record);
  const user = state.user(person.id, person.username);
  state.dispatch(
    'INTERACTION_CREATE',
    interactionCreatePayload({
      id: record.id,
      applicationId: state.applicationId,
      type: interaction.type,
      token: record.token,
      guildId: interaction.guildId,
      channelId: record.channelId,
      channel: state.channels.get(record.channelId),
      member: makeMember(user, { permissions: interaction.permissions, ...(person.nick ? { nick: person.nick } : {}) }),
      data: interaction.data,
      message: interaction.message,
    }),
  );
  return record;
}

/** A chat-input command, as a person runs it in `init.channelId`. */
export function sendCommandInteraction(state: FakeDiscordState, init: FakeInteractionInit): FakeInteraction {
  const record: FakeInteraction = { id: init.id ?? snowflake(), token: `itoken-${snowflake()}`, channelId: init.channelId, callbacks: [], followUps: [] };
  const guildId = state.guildOf(init.channelId);
  return announce(state, record, init.user ?? defaultPerson(), { type: 2, permissions: init.permissions ?? '0', guildId, data: commandData(init, guildId) });
}

/** A component (3) or modal (5) interaction: it remembers who acted and on which message. */
function sendComponentInteraction(
  state: FakeDiscordState,
  init: { id: string | undefined; channelId: string; who: Person | undefined; type: 3 | 5; data: Record<string, unknown>; message: APIMessage | undefined },
): FakeInteraction {
  const person = init.who ?? defaultPerson();
  const record: FakeInteraction = {
    id: init.id ?? snowflake(),
    token: `itoken-${snowflake()}`,
    channelId: init.channelId,
    callbacks: [],
    followUps: [],
    user: person,
    ...(init.message ? { message: init.message } : {}),
  };
  return announce(state, record, person, { type: init.type, permissions: '0', guildId: state.guildOf(init.channelId), data: init.data, message: init.message });
}

/** A button press; undefined when the message is unknown or (unless forged) has no such button. */
export function clickButton(state: FakeDiscordState, init: FakeButtonClick): FakeInteraction | undefined {
  const message = state.findMessage(init.channelId, init.messageId);
  if (!message) return undefined;
  if (!init.forged && !carriesButton(message, init.customId)) return undefined;
  const data = { custom_id: init.customId, component_type: 2 };
  return sendComponentInteraction(state, { id: init.id, channelId: init.channelId, who: init.user, type: 3, data, message });
}

/** The submission of the modal `init.from` was answered with, its text inputs filled with `init.text`. */
export function submitModal(state: FakeDiscordState, init: FakeModalSubmit): FakeInteraction {
  const data = modalSubmitData(init.from, init.text);
  if (!data) throw new Error('fake Discord: that interaction was not answered with a modal');
  const message = init.from.message ? state.findMessage(init.from.channelId, init.from.message.id) : undefined;
  return sendComponentInteraction(state, { id: init.id, channelId: init.from.channelId, who: init.user ?? init.from.user, type: 5, data, message });
}
