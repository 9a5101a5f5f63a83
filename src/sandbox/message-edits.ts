/**
 * Editing and deleting from the console, as each platform reports it to a bot: Slack sends
 * a `message` event with subtype `message_changed` (the whole new message) or
 * `message_deleted` (`deleted_ts`); Discord sends MESSAGE_UPDATE / MESSAGE_DELETE on the
 * gateway; a Fluxra agent edits or deletes through the API's rules (only its own messages).
 * A visitor may change only what they posted: the person's messages, or the agents' posts.
 */
import { ActionRefused, refusalOf } from './action-refused.js';
import { DISCORD_PERSON, SLACK_CHANNEL, SLACK_PERSON } from './identities.js';
import { type MentionDirectory, mentionsToPlatform, slackTyped } from './visitor-text.js';
import type { SandboxWorld } from './world.js';

export interface EditInput {
  id: string;
  text: string;
}

export interface RemoveInput {
  id: string;
}

export interface EditActions {
  edit(input: EditInput): Promise<void>;
  remove(input: RemoveInput): Promise<void>;
}

const NOT_YOURS = 'Only your own messages can be edited or deleted here.';

/** The names `@…` and `#…` stand for on one platform. */
export interface PlatformNames {
  people: MentionDirectory;
  channels: MentionDirectory;
}

export function createMessageEdits(world: SandboxWorld, slackNames: PlatformNames, discordNames: PlatformNames): Record<'slack' | 'discord' | 'fluxra', EditActions> {
  const slackMessage = (id: string) => {
    const message = world.slack.state.findMessage(SLACK_CHANNEL.id, id);
    if (!message) throw new ActionRefused('That message is gone.');
    if (message.user !== SLACK_PERSON.id) throw new ActionRefused(NOT_YOURS);
    return message;
  };
  /** A Discord message of the visitor's, in the channel or one of its threads. */
  const discordMessage = (id: string) => {
    for (const [channelId, messages] of world.discord.state.messages) {
      const message = messages.find((candidate) => candidate.id === id);
      if (!message) continue;
      if (message.author.id !== DISCORD_PERSON.id) throw new ActionRefused(NOT_YOURS);
      return { channelId, message };
    }
    throw new ActionRefused('That message is gone.');
  };
  const fluxraSender = (id: string): string => {
    const message = world.fluxra.state.messages.get(id);
    if (!message || message.deleted) throw new ActionRefused('That message is gone.');
    if (!world.agents.some((agent) => agent.agentId === message.senderId)) throw new ActionRefused(NOT_YOURS);
    return message.senderId;
  };

  return {
    slack: {
      async edit({ id, text }) {
        const message = slackMessage(id);
        const previous = { type: 'message', user: message.user, text: message.text, ts: message.ts, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) };
        const eventTs = world.slack.state.nextTs();
        message.text = slackTyped(text, slackNames.people, slackNames.channels);
        message.edited = { user: SLACK_PERSON.id, ts: eventTs };
        await world.slack.deliverEvent({
          type: 'message',
          subtype: 'message_changed',
          channel: SLACK_CHANNEL.id,
          ts: eventTs,
          event_ts: eventTs,
          hidden: true,
          message: { ...previous, text: message.text, edited: message.edited },
          previous_message: previous,
        });
      },
      async remove({ id }) {
        const message = slackMessage(id);
        message.deleted = true;
        const eventTs = world.slack.state.nextTs();
        const previous = { type: 'message', user: message.user, text: message.text, ts: message.ts, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) };
        await world.slack.deliverEvent({
          type: 'message',
          subtype: 'message_deleted',
          channel: SLACK_CHANNEL.id,
          ts: eventTs,
          event_ts: eventTs,
          hidden: true,
          deleted_ts: message.ts,
          previous_message: previous,
        });
      },
    },
    discord: {
      async edit({ id, text }) {
        const { channelId } = discordMessage(id);
        world.discord.editMessage(channelId, id, mentionsToPlatform(text, discordNames.people, discordNames.channels));
      },
      async remove({ id }) {
        const { channelId } = discordMessage(id);
        world.discord.deleteMessage(channelId, id);
      },
    },
    fluxra: {
      async edit({ id, text }) {
        const sender = fluxraSender(id);
        refusalOf(() => world.fluxra.editAs(sender, id, text));
      },
      async remove({ id }) {
        const sender = fluxraSender(id);
        refusalOf(() => world.fluxra.deleteAs(sender, id));
      },
    },
  };
}
