/**
 * The buttons under the bridge's messages in the Slack and Discord panes, and the forms they
 * open. A press is delivered the way the platform would deliver it (Slack `block_actions`
 * over Socket Mode, a Discord MESSAGE_COMPONENT interaction); the modal the bridge opens
 * (`views.open`, a type 9 response) is shown in the pane until the visitor submits it
 * (`view_submission`, MODAL_SUBMIT) or cancels it. What the visitor is told privately is kept
 * with the console's command entries.
 */
import { randomUUID } from 'node:crypto';
import type { APIMessage } from 'discord.js';
import type { FakeInteraction } from '../simulators/discord.js';
import type { FakeSlackMessage } from '../simulators/slack/state.js';
import { ActionRefused } from './action-refused.js';
import { DISCORD_CHANNEL, DISCORD_PERSON, SLACK_CHANNEL, SLACK_PERSON } from './identities.js';
import type { CommandEntry, FormView, ViewButton } from './view-types.js';
import type { SandboxWorld } from './world.js';

export interface PressInput {
  /** The message the button is on (Slack ts / Discord id). */
  id: string;
  /** Slack action_id / Discord custom_id. */
  action: string;
  /** Discord: the thread (root message id) the message is in. */
  thread?: string;
}

export interface SubmitInput {
  form: string;
  text: string;
}

export interface ButtonActions {
  press(input: PressInput): Promise<void>;
  submit(input: SubmitInput): Promise<void>;
  cancel(input: { form: string }): Promise<void>;
}

export interface ChatButtons {
  slack: ButtonActions;
  discord: ButtonActions;
  /** The form the bridge opened for the visitor in that pane and not yet submitted, if any. */
  pendingForm(platform: 'slack' | 'discord'): FormView | undefined;
}

export function slackButtons(message: FakeSlackMessage): ViewButton[] {
  const actions = (message.blocks ?? []).filter((block) => block.type === 'actions');
  return actions.flatMap((block) =>
    ((block.elements as Array<Record<string, unknown>> | undefined) ?? []).map((element) => {
      const label = String((element.text as { text?: unknown } | undefined)?.text ?? 'button');
      return typeof element.url === 'string' ? { label, url: element.url } : { label, action: String(element.action_id ?? '') };
    }),
  );
}

export function discordButtons(message: APIMessage): ViewButton[] {
  return (message.components ?? []).flatMap((row) =>
    ('components' in row ? (row.components as unknown as Array<Record<string, unknown>>) : []).map((button) =>
      typeof button.url === 'string'
        ? { label: String(button.label ?? 'link'), url: button.url }
        : { label: String(button.label ?? 'button'), action: String(button.custom_id ?? '') },
    ),
  );
}

/** A modal's text as the console shows it: Slack's view JSON, Discord's type 9 data. */
function slackForm(id: string, view: Record<string, unknown>): FormView {
  const text = (field: unknown): string => String((field as { text?: unknown } | undefined)?.text ?? '');
  const input = ((view.blocks as Array<Record<string, unknown>> | undefined) ?? []).find((block) => block.type === 'input');
  return { id, title: text(view.title), label: text(input?.label), submitLabel: text(view.submit) || 'Submit' };
}

function discordForm(id: string, data: Record<string, unknown>): FormView {
  const input = ((data.components as Array<{ components?: Array<Record<string, unknown>> }> | undefined) ?? [])[0]?.components?.[0];
  return { id, title: String(data.title ?? ''), label: String(input?.label ?? ''), submitLabel: 'Submit' };
}

export function createChatButtons(world: SandboxWorld, commands: CommandEntry[]): ChatButtons {
  /** Forms submitted or cancelled (Slack view ids, Discord press interaction ids). */
  const closed = new Set<string>();
  const presses = new Map<string, FakeInteraction>();
  const record = (entry: Omit<CommandEntry, 'id' | 'at' | 'answers'>): void => {
    commands.push({ id: randomUUID(), at: Date.now(), answers: [], ...entry });
  };

  return {
    slack: {
      async press({ id, action }) {
        const message = world.slack.state.findMessage(SLACK_CHANNEL.id, id);
        const label = message ? slackButtons(message).find((button) => button.action === action)?.label : undefined;
        if (!message || !label) throw new ActionRefused('That button is gone.');
        const result = await world.slack.clickButton({ channel: SLACK_CHANNEL.id, messageTs: id, actionId: action, userId: SLACK_PERSON.id, userName: SLACK_PERSON.name });
        record({ platform: 'slack', user: SLACK_PERSON.name, typed: `[${label}]`, shown: `[${label}]`, ...(result.responseId ? { slackResponseId: result.responseId } : {}) });
      },
      async submit({ form, text }) {
        if (closed.has(form)) throw new ActionRefused('That form was closed.');
        closed.add(form);
        // A modal has no response_url: the bridge answers with chat.postEphemeral after this point.
        const mark = world.slack.state.mark('form submitted');
        record({ platform: 'slack', user: SLACK_PERSON.name, typed: text, shown: text, slackWhisperAfter: mark.seq });
        await world.slack.submitView(form, text);
      },
      async cancel({ form }) {
        closed.add(form);
      },
    },
    discord: {
      async press({ id, action, thread }) {
        const channelId = thread ?? DISCORD_CHANNEL.id;
        const message = world.discord.state.findMessage(channelId, id);
        const label = message ? discordButtons(message).find((button) => button.action === action)?.label : undefined;
        if (!message || !label) throw new ActionRefused('That button is gone.');
        const interaction = world.discord.clickButton({ channelId, messageId: id, customId: action, user: { ...DISCORD_PERSON } });
        if (!interaction) throw new ActionRefused('That button is gone.');
        presses.set(interaction.id, interaction);
        record({
          platform: 'discord',
          user: DISCORD_PERSON.username,
          typed: `[${label}]`,
          shown: `[${label}]`,
          discordInteractionId: interaction.id,
          ...(thread ? { thread } : {}),
        });
      },
      async submit({ form, text }) {
        const from = presses.get(form);
        if (!from || closed.has(form)) throw new ActionRefused('That form was closed.');
        closed.add(form);
        const submitted = world.discord.submitModal({ from, text, user: { ...DISCORD_PERSON } });
        record({ platform: 'discord', user: DISCORD_PERSON.username, typed: text, shown: text, discordInteractionId: submitted.id });
      },
      async cancel({ form }) {
        closed.add(form);
      },
    },
    pendingForm(platform) {
      if (platform === 'slack') {
        const open = world.slack.state.views.filter((view) => view.userId === SLACK_PERSON.id && !closed.has(view.id)).at(-1);
        return open ? slackForm(open.id, open.view) : undefined;
      }
      const pressed = [...presses.values()].filter((interaction) => !closed.has(interaction.id));
      for (const interaction of pressed.reverse()) {
        const modal = interaction.callbacks.find((callback) => callback.type === 9);
        if (modal?.data) return discordForm(interaction.id, modal.data);
      }
      return undefined;
    },
  };
}
