/**
 * Builds the console's view from the simulators' state (what Slack, Discord and Fluxra
 * would show) and the bridge's store (what is linked) and rate budget.
 */
import type { APIMessage } from 'discord.js';
import type { Bridge } from '../app/bridge.js';
import type { FakeMessage } from '../simulators/fluxra/state.js';
import type { FakeSlackMessage } from '../simulators/slack/state.js';
import { type ChatButtons, discordButtons, slackButtons } from './chat-buttons.js';
import { nextHints } from './hints.js';
import { DISCORD_CHANNEL, DISCORD_PERSON, SLACK_CHANNEL, SLACK_PERSON } from './identities.js';
import { sidePaneView } from './side-pane.js';
import { slackMessageView } from './slack-message-view.js';
import type { ChatPaneView, CommandEntry, ConsoleView, FluxraPaneView, ViewMessage } from './view-types.js';
import type { SandboxWorld } from './world.js';

/** The newest this many top-level messages per pane: enough to read, small enough to resend on every change. */
const MAX_TOP_LEVEL = 200;

/** How long Discord shows a typing indicator. */
const TYPING_SHOWS_MS = 10_000;

/** A Slack file object as a link (its private URL; the console serves the sample file itself). */
function fileLink(file: Record<string, unknown>): Array<{ name: string; url: string }> {
  const url = file['url_private'];
  return typeof url === 'string' ? [{ name: typeof file['name'] === 'string' ? file['name'] : url, url }] : [];
}

/** Who and what the ids in each platform's messages name: the people, the bot and the channel. */
function slackNames(world: SandboxWorld): ChatPaneView['names'] {
  const users: Record<string, string> = { [world.slack.botUserId]: 'fluxra-bridge' };
  for (const user of world.slack.state.users.values()) users[user.id] = user.realName ?? user.name;
  const channels: Record<string, string> = {};
  for (const channel of world.slack.state.channels.values()) channels[channel.id] = channel.name;
  return { users, channels };
}

function discordNames(world: SandboxWorld): ChatPaneView['names'] {
  const { state } = world.discord;
  const users: Record<string, string> = { [state.botUser.id]: 'fluxra-bridge' };
  for (const user of state.users.values()) users[user.id] = user.global_name ?? user.username;
  const channels: Record<string, string> = {};
  for (const channel of state.channels.values()) if ('name' in channel && typeof channel.name === 'string') channels[channel.id] = channel.name;
  return { users, channels };
}

function slackMessages(world: SandboxWorld): ViewMessage[] {
  const { state } = world.slack;
  const live = state.history(SLACK_CHANNEL.id).filter((message) => !message.deleted);
  const toView = (message: FakeSlackMessage): ViewMessage => {
    return {
      ...slackMessageView(world, message, {
        mine: message.user === SLACK_PERSON.id,
        attachments: (message.files ?? []).flatMap((file) => fileLink(file as Record<string, unknown>)),
      }),
      ...(message.blocks ? { buttons: slackButtons(message) } : {}),
      ...(message.streaming ? { streaming: true } : {}),
      ...(message.tasks?.length ? { tasks: message.tasks.map((task) => ({ title: task.title, status: task.status })) } : {}),
    };
  };
  const roots = live.filter((message) => !message.threadTs || message.threadTs === message.ts).slice(-MAX_TOP_LEVEL);
  return roots.map((root) => {
    const status = state.threadStatus(SLACK_CHANNEL.id, root.ts);
    return {
      ...toView(root),
      replies: live.filter((reply) => reply.threadTs === root.ts && reply.ts !== root.ts).map(toView),
      ...(status ? { threadStatus: `fluxra-bridge ${status}` } : {}),
    };
  });
}

function discordMessages(world: SandboxWorld): ViewMessage[] {
  const { state } = world.discord;
  const reactionsOf = (channelId: string, messageId: string): string[] => [...(state.reactions.get(`${channelId}/${messageId}`) ?? [])];
  const toView = (message: APIMessage): ViewMessage => {
    const fromBridge = message.author.id === state.botUser.id;
    const viaWebhook = message.webhook_id !== undefined && message.webhook_id !== state.applicationId;
    return {
      id: message.id,
      author: fromBridge ? 'fluxra-bridge' : (message.author.global_name ?? message.author.username),
      kind: viaWebhook ? 'relayed' : fromBridge ? 'bridge' : 'person',
      text: message.content,
      at: Date.parse(message.timestamp),
      edited: message.edited_timestamp !== null && message.edited_timestamp !== undefined,
      mine: message.author.id === DISCORD_PERSON.id,
      attachments: message.attachments.map((attachment) => ({ name: attachment.filename, url: attachment.url })),
      reactions: reactionsOf(message.channel_id, message.id),
      ...(message.components?.length ? { buttons: discordButtons(message) } : {}),
      replies: [],
    };
  };
  const roots = state.history(DISCORD_CHANNEL.id).slice(-MAX_TOP_LEVEL);
  // A thread started from a message has that message's id (see the platform boundary's notes).
  return roots.map((root) => {
    const replies = state.channels.get(root.id)?.type === 11 ? state.history(root.id).map(toView) : [];
    // Discord shows typing for 10 s, or until the bot posts in the thread.
    const typedAt = state.typingAt.get(root.id);
    const lastPost = replies.filter((reply) => reply.kind !== 'person').at(-1)?.at ?? 0;
    const typing = typedAt !== undefined && Date.now() - typedAt < TYPING_SHOWS_MS && typedAt > lastPost;
    return { ...toView(root), replies, ...(typing ? { threadStatus: 'fluxra-bridge is typing…' } : {}) };
  });
}

function fluxraPane(world: SandboxWorld, conversationId: string | undefined): FluxraPaneView {
  const agents = world.agents.map((agent) => ({ agentId: agent.agentId, agentName: agent.agentName }));
  const conversation = conversationId ? world.fluxra.state.conversations.get(conversationId) : undefined;
  if (!conversation) return { members: [], messages: [], agents };
  const nameOf = (agentId: string): string => world.fluxra.state.agents.get(agentId)?.agentName ?? agentId;
  const all = [...world.fluxra.state.messages.values()]
    .filter((message) => message.conversationId === conversation.conversationId && !message.deleted)
    .sort((a, b) => a.seq - b.seq);
  const byId = new Map(all.map((message) => [message.messageId, message]));
  const rootOf = (message: FakeMessage): FakeMessage => {
    let current = message;
    for (let parent = byId.get(current.inReplyTo ?? ''); parent; parent = byId.get(current.inReplyTo ?? '')) current = parent;
    return current;
  };
  const toView = (message: FakeMessage): ViewMessage => ({
    id: message.messageId,
    author: nameOf(message.senderId),
    kind: message.senderId === world.bridgeAgent.agentId ? 'bridge' : 'agent',
    text: message.content,
    at: Date.parse(message.createdAt),
    edited: message.editedAt !== null,
    mine: world.agents.some((agent) => agent.agentId === message.senderId),
    attachments: [],
    reactions: [],
    replies: [],
  });
  const roots = all.filter((message) => rootOf(message) === message).slice(-MAX_TOP_LEVEL);
  return {
    conversationId: conversation.conversationId,
    name: conversation.name,
    members: conversation.memberIds.map(nameOf),
    messages: roots.map((root) => ({ ...toView(root), replies: all.filter((message) => message !== root && rootOf(message) === root).map(toView) })),
    agents,
  };
}

export async function buildView(world: SandboxWorld, bridge: Bridge, commands: readonly CommandEntry[], buttons?: Pick<ChatButtons, 'pendingForm'>): Promise<ConsoleView> {
  const slackForm = buttons?.pendingForm('slack');
  const discordForm = buttons?.pendingForm('discord');
  const [slackLink, discordLink] = await Promise.all([
    bridge.store.links.get({ platform: 'slack', channelId: SLACK_CHANNEL.id }),
    bridge.store.links.get({ platform: 'discord', channelId: DISCORD_CHANNEL.id }),
  ]);
  const conversationId = slackLink?.conversationId ?? discordLink?.conversationId;
  const view: ConsoleView = {
    slack: {
      title: 'Slack',
      channel: `#${SLACK_CHANNEL.name}`,
      person: SLACK_PERSON.name,
      ...(slackLink ? { linkedTo: slackLink.conversationId, paused: slackLink.paused } : {}),
      messages: slackMessages(world),
      commands: commands.filter((entry) => entry.platform === 'slack'),
      ...(slackForm ? { form: slackForm } : {}),
      names: slackNames(world),
    },
    discord: {
      title: 'Discord',
      channel: `#${DISCORD_CHANNEL.name}`,
      person: DISCORD_PERSON.username,
      ...(discordLink ? { linkedTo: discordLink.conversationId, paused: discordLink.paused } : {}),
      messages: discordMessages(world),
      commands: commands.filter((entry) => entry.platform === 'discord'),
      ...(discordForm ? { form: discordForm } : {}),
      names: discordNames(world),
    },
    sidePane: sidePaneView(world),
    fluxra: fluxraPane(world, conversationId),
    ...(bridge.blocksBudget ? { budget: bridge.blocksBudget.snapshot() } : {}),
    hints: [],
  };
  view.hints = nextHints(view);
  return view;
}
