/**
 * What a visitor can do from the console, done the way the real platforms would do it:
 * a Slack message is recorded in the channel and delivered as an Events API envelope over
 * Socket Mode, a slash command as a `slash_commands` envelope whose answer arrives on its
 * response_url; a Discord message is a MESSAGE_CREATE on the gateway and a command an
 * INTERACTION_CREATE; a Fluxra agent posts through the Fluxra API's own rules. `@name`
 * becomes the platform's mention, as the real composers do; edits and deletes are in
 * message-edits.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Bridge } from '../app/bridge.js';
import { ActionRefused, refusalOf } from './action-refused.js';
import { parseDiscordCommand } from './discord-command.js';
import { DISCORD_CHANNEL, DISCORD_GUILD_ID, DISCORD_MANAGE_CHANNELS, DISCORD_PERSON, SLACK_CHANNEL, SLACK_PERSON } from './identities.js';
import { createMessageEdits, type EditInput, type RemoveInput } from './message-edits.js';
import type { CommandEntry } from './view-types.js';
import { mentionsToPlatform, SAMPLE_ATTACHMENT, slackTyped } from './visitor-text.js';
import type { SandboxWorld } from './world.js';

export { ActionRefused };

export interface ActionInput {
  text: string;
  /** Slack: the thread's root ts. Discord: the thread's root message id. Fluxra: the message replied to. */
  thread?: string;
  /** Fluxra: the agent to post as. */
  agentId?: string;
  /** Slack and Discord: the message carries the console's sample file. */
  attach?: boolean;
}

export interface PaneActions {
  post(input: ActionInput): Promise<void>;
  edit(input: EditInput): Promise<void>;
  remove(input: RemoveInput): Promise<void>;
}

export interface ConsoleActions {
  slack: PaneActions;
  discord: PaneActions;
  fluxra: PaneActions;
}

/** `consoleUrl` gives the console's address once it listens: attachments are served from it. */
export function createConsoleActions(world: SandboxWorld, bridge: Bridge, commands: CommandEntry[], consoleUrl: () => string): ConsoleActions {
  const isCommand = (text: string): boolean => text.startsWith('/');
  const record = (entry: Omit<CommandEntry, 'id' | 'at' | 'answers'>): CommandEntry => {
    const full: CommandEntry = { id: randomUUID(), at: Date.now(), answers: [], ...entry };
    commands.push(full);
    return full;
  };

  async function slackCommand(text: string, thread: string | undefined): Promise<void> {
    const typedName = text.slice(1).split(/\s+/)[0] ?? '';
    const known = bridge.router.specs.map((spec) => spec.name);
    if (!known.includes(typedName)) throw new ActionRefused(`/${typedName} is not a command of this app. Try ${known.map((name) => `/${name}`).join(', ')}.`);
    const entry = record({ platform: 'slack', user: SLACK_PERSON.name, typed: text, shown: text, ...(thread ? { thread } : {}) });
    const delivered = await world.slack.deliverCommand({
      command: typedName,
      text: text.slice(1 + typedName.length).trim(),
      channelId: SLACK_CHANNEL.id,
      userId: SLACK_PERSON.id,
      userName: SLACK_PERSON.name,
      ...(thread ? { threadTs: thread } : {}),
    });
    if (delivered.responseId) entry.slackResponseId = delivered.responseId;
  }

  async function discordCommand(text: string, thread: string | undefined): Promise<void> {
    const registered = world.discord.state.commands.get(DISCORD_GUILD_ID) ?? world.discord.state.commands.get('global') ?? [];
    const parsed = parseDiscordCommand(text, registered);
    if (!parsed.ok) throw new ActionRefused(parsed.message);
    const channelId = thread ? ensureDiscordThread(thread) : DISCORD_CHANNEL.id;
    const interaction = world.discord.sendInteraction({
      commandName: parsed.commandName,
      ...(parsed.subcommand ? { subcommand: parsed.subcommand } : {}),
      options: parsed.options,
      channelId,
      user: { ...DISCORD_PERSON },
      permissions: DISCORD_MANAGE_CHANNELS,
    });
    record({ platform: 'discord', user: DISCORD_PERSON.username, typed: text, shown: parsed.shown, discordInteractionId: interaction.id, ...(thread ? { thread } : {}) });
  }

  /** Discord threads are channels: the visitor's first reply to a message opens one, named after it. */
  function ensureDiscordThread(rootId: string): string {
    if (world.discord.state.channels.get(rootId)?.type === 11) return rootId;
    const root = world.discord.state.findMessage(DISCORD_CHANNEL.id, rootId);
    if (!root) throw new ActionRefused('That message is gone; its thread cannot be opened.');
    const name = (root.content || 'thread').replace(/\s+/g, ' ').slice(0, 40);
    world.discord.createThread(DISCORD_CHANNEL.id, name, rootId);
    return rootId;
  }

  async function linkedConversation(): Promise<string> {
    const link =
      (await bridge.store.links.get({ platform: 'slack', channelId: SLACK_CHANNEL.id })) ?? (await bridge.store.links.get({ platform: 'discord', channelId: DISCORD_CHANNEL.id }));
    if (!link) throw new ActionRefused('No conversation is linked yet: run /bridge link new in the Slack pane first.');
    return link.conversationId;
  }

  const fileUrl = (): string => `${consoleUrl()}/files/${SAMPLE_ATTACHMENT.name}`;
  const slackNames = { bridge: world.slack.botUserId, 'fluxra-bridge': world.slack.botUserId, [SLACK_PERSON.name]: SLACK_PERSON.id };
  const discordNames = { bridge: world.discord.state.botUser.id, 'fluxra-bridge': world.discord.state.botUser.id, [DISCORD_PERSON.username]: DISCORD_PERSON.id };
  const slackChannels = { [SLACK_CHANNEL.name]: SLACK_CHANNEL.id };
  const discordChannels = { [DISCORD_CHANNEL.name]: DISCORD_CHANNEL.id };
  const edits = createMessageEdits(world, { people: slackNames, channels: slackChannels }, { people: discordNames, channels: discordChannels });

  return {
    slack: {
      async post({ text, thread, attach }) {
        if (isCommand(text)) return slackCommand(text, thread);
        // Slack's own shape of a shared file (files.shared); the bridge passes url_private on as a link.
        const files = attach
          ? [{ id: `F${Date.now()}`, name: SAMPLE_ATTACHMENT.name, mimetype: SAMPLE_ATTACHMENT.type, size: SAMPLE_ATTACHMENT.body.length, url_private: fileUrl() }]
          : undefined;
        const event = world.slack.userMessage({
          channel: SLACK_CHANNEL.id,
          user: SLACK_PERSON.id,
          text: slackTyped(text, slackNames, slackChannels),
          ...(thread ? { threadTs: thread } : {}),
          ...(files ? { files } : {}),
        });
        await world.slack.deliverEvent(event);
      },
      edit: edits.slack.edit,
      remove: edits.slack.remove,
    },
    discord: {
      async post({ text, thread, attach }) {
        if (isCommand(text)) return discordCommand(text, thread);
        const channelId = thread ? ensureDiscordThread(thread) : DISCORD_CHANNEL.id;
        const attachments = attach
          ? [
              {
                id: String(Date.now()),
                filename: SAMPLE_ATTACHMENT.name,
                content_type: SAMPLE_ATTACHMENT.type,
                size: SAMPLE_ATTACHMENT.body.length,
                url: fileUrl(),
                proxy_url: fileUrl(),
              },
            ]
          : undefined;
        world.discord.sendMessage({
          channelId,
          content: mentionsToPlatform(text, discordNames, discordChannels),
          author: { ...DISCORD_PERSON },
          ...(attachments ? { attachments } : {}),
        });
      },
      edit: edits.discord.edit,
      remove: edits.discord.remove,
    },
    fluxra: {
      async post({ text, thread, agentId }) {
        const agent = world.agents.find((candidate) => candidate.agentId === agentId) ?? world.agents[0];
        if (!agent) throw new ActionRefused('No agent to post as.');
        const conversationId = await linkedConversation();
        // A visitor's agent joins the conversation on its first post, as an invited agent would.
        world.fluxra.addMembers(conversationId, [agent.agentId]);
        // Fluxra's refusals (a blocked agent, a bad reply target) are answers to show, not failures.
        refusalOf(() => world.fluxra.postAs(agent.agentId, { conversationId, content: text, ...(thread ? { inReplyTo: thread } : {}) }));
      },
      edit: edits.fluxra.edit,
      remove: edits.fluxra.remove,
    },
  };
}

/** Copies what each command was answered from the simulators into its entry (kept across restarts with the entry). */
export function collectAnswers(world: SandboxWorld, commands: readonly CommandEntry[]): void {
  for (const entry of commands) {
    let answers: string[] | undefined;
    if (entry.slackResponseId) {
      const responses = world.slack.state.responses.filter((response) => response.id === entry.slackResponseId);
      if (responses.length > 0) answers = responses.map((response) => String(response.body['text'] ?? ''));
    }
    if (entry.slackWhisperAfter !== undefined) {
      const after = entry.slackWhisperAfter;
      const whispers = world.slack.state.callsTo('chat.postEphemeral').filter((call) => call.seq > after && call.args['user'] === SLACK_PERSON.id);
      if (whispers[0]) answers = [String(whispers[0].args['text'] ?? '')];
    }
    if (entry.discordInteractionId) {
      const interaction = world.discord.state.interactions.get(entry.discordInteractionId);
      if (interaction) {
        const replied = interaction.callbacks.find((callback) => callback.type === 4)?.data?.['content'];
        const first = interaction.original?.content ?? (typeof replied === 'string' ? replied : undefined);
        const all = [...(first ? [first] : []), ...interaction.followUps.map((message) => message.content)];
        if (all.length > 0) answers = all;
      }
    }
    if (answers && answers.join('\n') !== entry.answers.join('\n')) entry.answers = answers;
  }
}
