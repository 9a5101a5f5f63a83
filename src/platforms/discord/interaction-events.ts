/**
 * Discord interactions → neutral events: slash commands become command invocations, button
 * presses and modal submissions become presses and form submissions. Each is tracked by the
 * responder first (a RESUME replays interactions already handled), delivered in order with
 * the gateway's messages, then settled (no "thinking…" response is due any more).
 */
import { type ButtonInteraction, type ChatInputCommandInteraction, type Client, Events, type Interaction, type ModalSubmitInteraction } from 'discord.js';
import type { CommandSpec, InboundEvent } from '../../core/chat.js';
import type { Logger } from '../../core/logger.js';
import { discordChannelIsPrivate } from './channel-privacy.js';
import { toButtonPress, toFormSubmission } from './component-interactions.js';
import { toCommandInvocation } from './gateway.js';
import type { InteractionResponder } from './interactions.js';
import type { ChannelLocations } from './locations.js';

export interface InteractionEventsDeps {
  /** The commands we answer. */
  commands: readonly CommandSpec[];
  responder: InteractionResponder;
  locations: Pick<ChannelLocations, 'locate'>;
  deliver: (event: InboundEvent) => Promise<void>;
  logger: Logger;
}

export function listenForInteractions(client: Client, deps: InteractionEventsDeps): void {
  const { responder, locations, deliver, logger } = deps;

  const onInteraction = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    const eventId = `discord:interaction:${interaction.id}`;
    // The clock starts now: the channel lookup below may take a REST call.
    if (!responder.track(eventId, interaction)) {
      logger.debug({ eventId }, 'discord interaction replayed after a RESUME; already handled');
      return;
    }
    const location = await locations.locate(interaction.channelId);
    const spec = deps.commands.find((candidate) => candidate.name === interaction.commandName);
    const invocation = toCommandInvocation(interaction, eventId, location, spec, discordChannelIsPrivate(client, interaction.channelId));
    await deliver(invocation);
    // Answered by now, or ignored on purpose: either way no "thinking…" response is due.
    responder.settled(eventId);
  };

  /** A button press (tracked without a defer: it may be answered with a modal) or a modal submission. */
  const onComponent = async (interaction: ButtonInteraction | ModalSubmitInteraction): Promise<void> => {
    const eventId = `discord:interaction:${interaction.id}`;
    if (!responder.track(eventId, interaction, { defer: !interaction.isButton() })) {
      logger.debug({ eventId }, 'discord interaction replayed after a RESUME; already handled');
      return;
    }
    const location = await locations.locate(interaction.channelId ?? '');
    const event = interaction.isButton() ? toButtonPress(interaction, eventId, location) : toFormSubmission(interaction, eventId, location);
    if (event) await deliver(event);
    responder.settled(eventId);
  };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (!interaction.inGuild()) return;
    if (interaction.isButton() || interaction.isModalSubmit()) {
      onComponent(interaction).catch((error: unknown) => logger.error({ err: error }, 'discord button handling failed'));
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    onInteraction(interaction).catch((error: unknown) => logger.error({ err: error }, 'discord interaction handling failed'));
  });
}
