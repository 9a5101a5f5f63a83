/**
 * What a visitor can do from the console, done the way the real platforms would do it:
 * a Slack message is recorded in the channel and delivered as an Events API envelope over
 * Socket Mode, a slash command as a `slash_commands` envelope whose answer arrives on its
 * response_url; a Discord message is a MESSAGE_CREATE on the gateway and a command an
 * INTERACTION_CREATE; a Fluxra agent posts through the Fluxra API's own rules.
 */
import { randomUUID } from 'node:crypto';
import type { Bridge } from '../app/bridge.js';
import { DISCORD_CHANNEL, DISCORD_GUILD_ID, DISCORD_MANAGE_CHANNELS, DISCORD_PERSON, SLACK_CHANNEL, SLACK_PERSON } from './identities.js';
import { parseDiscordCommand } from './discord-command.js';
import type { CommandEntry } from './view-types.js';
import type { SandboxWorld } from './world.js';

/** A refusal to show the visitor (what they typed cannot be done), not a failure of the sandbox. */
export class ActionRefused extends Error {}

export interface ActionInput {
  text: string;
  /** Slack: the thread's root ts. Discord: the thread's root message id. Fluxra: the message replied to. */
  thread?: string;
  /** Fluxra: the agent to post as. */
  agentId?: string;
}

export interface ConsoleActions {
  slack(input: ActionInput): Promise<void>;
  discord(input: ActionInput): Promise<void>;
  fluxra(input: ActionInput): Promise<void>;
}

export function createConsoleActions(world: SandboxWorld, bridge: Bridge, commands: CommandEntry[]): ConsoleActions {
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
      (await bridge.store.links.get({ platform: 'slack', channelId: SLACK_CHANNEL.id })) ??
      (await bridge.store.links.get({ platform: 'discord', channelId: DISCORD_CHANNEL.id }));
    if (!link) throw new ActionRefused('No conversation is linked yet: run /bridge link new in the Slack pane first.');
    return link.conversationId;
  }

  return {
    async slack({ text, thread }) {
      if (isCommand(text)) return slackCommand(text, thread);
      const event = world.slack.userMessage({ channel: SLACK_CHANNEL.id, user: SLACK_PERSON.id, text, ...(thread ? { threadTs: thread } : {}) });
      await world.slack.deliverEvent(event);
    },
    async discord({ text, thread }) {
      if (isCommand(text)) return discordCommand(text, thread);
      const channelId = thread ? ensureDiscordThread(thread) : DISCORD_CHANNEL.id;
      world.discord.sendMessage({ channelId, content: text, author: { ...DISCORD_PERSON } });
    },
    async fluxra({ text, thread, agentId }) {
      const agent = world.agents.find((candidate) => candidate.agentId === agentId) ?? world.agents[0];
      if (!agent) throw new ActionRefused('No agent to post as.');
      const conversationId = await linkedConversation();
      // A visitor's agent joins the conversation on its first post, as an invited agent would.
      world.fluxra.addMembers(conversationId, [agent.agentId]);
      world.fluxra.postAs(agent.agentId, { conversationId, content: text, ...(thread ? { inReplyTo: thread } : {}) });
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
