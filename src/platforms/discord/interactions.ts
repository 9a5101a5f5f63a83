/**
 * Answering slash commands within Discord's 3-second window. A handler that has not
 * replied after `deferAfterMs` gets a deferred (ephemeral) response on its behalf; its
 * first reply then edits that response and later replies are follow-ups. Calls for one
 * interaction are serialised so that a defer and a reply never race.
 */
import {
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  type MessageMentionOptions,
  type ModalSubmitInteraction,
} from 'discord.js';
import { BridgeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { DiscordErrorCode, discordErrorCode, toDiscordError } from './errors.js';

/** Discord's answer when an interaction was answered already (e.g. by this bridge before a RESUME replayed it). */
export function isAlreadyAcknowledged(error: unknown): boolean {
  return discordErrorCode(error) === DiscordErrorCode.InteractionAlreadyAcknowledged;
}

/** What the bridge answers: slash commands, button presses, modal submissions. */
export type AnswerableInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/** A modal as the type 9 response carries it. */
export interface ModalData {
  custom_id: string;
  title: string;
  components: Array<Record<string, unknown>>;
}

export interface InteractionResponderDeps {
  deferAfterMs: number;
  /** Interaction tokens expire; entries older than this are forgotten. */
  lifetimeMs: number;
  allowedMentions: MessageMentionOptions;
  logger: Logger;
  now?: () => number;
}

export interface InteractionResponder {
  /**
   * Starts the defer timer for a fresh interaction, known by its event id from now on.
   * False for one already tracked: the gateway replayed it after a RESUME, and it has been
   * (or is being) handled.
   */
  track(eventId: string, interaction: AnswerableInteraction, options?: { defer?: boolean }): boolean;
  /**
   * Answers a button press with a modal: it must be the first response, so button presses
   * are tracked without a defer.
   */
  showModal(eventId: string, modal: ModalData): Promise<void>;
  /** Sends `parts` (already formatted and split) as the answer to the interaction. */
  reply(eventId: string, parts: readonly string[], ephemeral: boolean): Promise<void>;
  /**
   * The handler is done with the interaction: a defer still pending is cancelled. An
   * interaction the bridge ignored (a server not on its allow-list) so gets no response at all.
   */
  settled(eventId: string): void;
  /** Cancels pending defers. */
  stop(): void;
}

interface Entry {
  interaction: AnswerableInteraction;
  createdAt: number;
  timer: NodeJS.Timeout | undefined;
  chain: Promise<unknown>;
  /** Visibility of our deferred response, once we deferred. */
  deferredEphemeral?: boolean;
  /** The deferred response has been filled in (or removed). */
  originalUsed: boolean;
}

export function createInteractionResponder(deps: InteractionResponderDeps): InteractionResponder {
  const now = deps.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const run = <T>(entry: Entry, step: () => Promise<T>): Promise<T> => {
    const result = entry.chain.then(step);
    entry.chain = result.catch(() => undefined);
    return result;
  };

  const defer = (eventId: string, entry: Entry): void => {
    entry.timer = undefined;
    run(entry, async () => {
      const { interaction } = entry;
      if (interaction.deferred || interaction.replied) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      entry.deferredEphemeral = true;
      deps.logger.debug({ eventId }, 'discord interaction deferred');
    }).catch((error: unknown) => {
      if (isAlreadyAcknowledged(error)) deps.logger.debug({ eventId }, 'discord interaction was already answered; not deferred');
      else deps.logger.warn({ eventId, err: toDiscordError(error, 'defer a command response') }, 'discord defer failed');
    });
  };

  const sendOne = async (entry: Entry, content: string, ephemeral: boolean): Promise<void> => {
    const { interaction } = entry;
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    const allowedMentions = deps.allowedMentions;
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content, allowedMentions, ...(flags ? { flags } : {}) });
    } else if (interaction.deferred && !entry.originalUsed) {
      entry.originalUsed = true;
      if (entry.deferredEphemeral === ephemeral) {
        await interaction.editReply({ content, allowedMentions });
      } else {
        // A deferred response keeps the visibility it was deferred with: replace it.
        await interaction.deleteReply();
        await interaction.followUp({ content, allowedMentions, ...(flags ? { flags } : {}) });
      }
    } else {
      await interaction.followUp({ content, allowedMentions, ...(flags ? { flags } : {}) });
    }
  };

  return {
    track(eventId, interaction, options = {}) {
      const at = now();
      if (entries.has(eventId)) return false;
      for (const [id, old] of entries) {
        if (at - old.createdAt > deps.lifetimeMs) {
          clearTimeout(old.timer);
          entries.delete(id);
        }
      }
      const entry: Entry = { interaction, createdAt: at, timer: undefined, chain: Promise.resolve(), originalUsed: false };
      if (options.defer !== false) entry.timer = setTimeout(() => defer(eventId, entry), deps.deferAfterMs);
      entries.set(eventId, entry);
      return true;
    },

    async reply(eventId, parts, ephemeral) {
      const entry = entries.get(eventId);
      if (!entry || now() - entry.createdAt > deps.lifetimeMs) {
        throw new BridgeError('DISCORD_INTERACTION_EXPIRED', `cannot answer ${eventId}: the interaction is unknown or older than 15 minutes`);
      }
      clearTimeout(entry.timer);
      entry.timer = undefined;
      await run(entry, async () => {
        try {
          for (const part of parts) await sendOne(entry, part, ephemeral);
        } catch (error) {
          // Expected after a RESUME replayed an interaction we had answered: nothing is lost.
          if (isAlreadyAcknowledged(error)) {
            deps.logger.debug({ eventId }, 'discord interaction was already answered; this answer is not sent');
            return;
          }
          throw toDiscordError(error, 'answer a command');
        }
      });
    },

    async showModal(eventId, modal) {
      const entry = entries.get(eventId);
      if (!entry || now() - entry.createdAt > deps.lifetimeMs) {
        throw new BridgeError('DISCORD_INTERACTION_EXPIRED', `cannot open a form for ${eventId}: the interaction is unknown or too old`);
      }
      clearTimeout(entry.timer);
      entry.timer = undefined;
      const { interaction } = entry;
      if (interaction.isModalSubmit()) throw new BridgeError('DISCORD_MODAL_FROM_MODAL', 'a modal cannot be answered with another modal');
      await run(entry, async () => {
        try {
          // Our JSON is the documented type 9 data (components.ts); discord.js sends it as it is.
          await interaction.showModal(modal as unknown as APIModalInteractionResponseCallbackData);
        } catch (error) {
          throw toDiscordError(error, 'open a form');
        }
      });
    },

    settled(eventId) {
      const entry = entries.get(eventId);
      if (entry === undefined || entry.timer === undefined) return;
      clearTimeout(entry.timer);
      entry.timer = undefined;
    },

    stop() {
      for (const entry of entries.values()) clearTimeout(entry.timer);
      entries.clear();
    },
  };
}
