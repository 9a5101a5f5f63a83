/**
 * MESSAGE_COMPONENT (a button press) and MODAL_SUBMIT interactions as neutral events. The
 * custom_id is read, not trusted: the engines re-check whatever it names.
 */
import { type ButtonInteraction, GuildMember, type ModalSubmitInteraction } from 'discord.js';
import type { ButtonPress, CommandUser, FormSubmission } from '../../core/chat.js';
import { FORM_TEXT_ID, parseCustomId } from './components.js';
import type { ChannelLocation } from './locations.js';

function userOf(interaction: ButtonInteraction | ModalSubmitInteraction): CommandUser {
  const member = interaction.member;
  // A cached guild gives a GuildMember (`nickname`), an uncached one the raw member (`nick`).
  const nick = (member instanceof GuildMember ? member.nickname : member?.nick) ?? undefined;
  return { id: interaction.user.id, displayName: nick ?? interaction.user.globalName ?? interaction.user.username, isPrivileged: false };
}

/** A button press; undefined for a custom_id that is not `<action>|<value>`. */
export function toButtonPress(interaction: ButtonInteraction, eventId: string, location: ChannelLocation): ButtonPress | undefined {
  const parsed = parseCustomId(interaction.customId);
  if (!parsed) return undefined;
  return {
    kind: 'button',
    platform: 'discord',
    eventId,
    receivedAt: Date.now(),
    ...(interaction.guildId ? { placeId: interaction.guildId } : {}),
    action: parsed.action,
    value: parsed.value,
    user: userOf(interaction),
    channel: { platform: 'discord', channelId: location.channelId },
    message: { platform: 'discord', channelId: location.channelId, messageId: interaction.message.id, ...(location.threadId ? { threadRootId: location.threadId } : {}) },
  };
}

/** A submitted modal; undefined for a custom_id that is not `<form>|<value>`. */
export function toFormSubmission(interaction: ModalSubmitInteraction, eventId: string, location: ChannelLocation): FormSubmission | undefined {
  const parsed = parseCustomId(interaction.customId);
  if (!parsed) return undefined;
  let text = '';
  try {
    text = interaction.fields.getTextInputValue(FORM_TEXT_ID);
  } catch {
    // No text box of ours: an empty text, which the engines refuse.
  }
  return {
    kind: 'form',
    platform: 'discord',
    eventId,
    receivedAt: Date.now(),
    ...(interaction.guildId ? { placeId: interaction.guildId } : {}),
    form: parsed.action,
    value: parsed.value,
    text,
    user: userOf(interaction),
    channel: { platform: 'discord', channelId: location.channelId },
  };
}
