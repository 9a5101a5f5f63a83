/**
 * What the console page shows, as the server sends it over SSE: three panes of messages
 * with their threads, what each person's commands were answered (ephemerally), the links,
 * the Blocks rate budget and the next-step hints. Plain JSON, rebuilt from the simulators.
 */
import type { BudgetSnapshot } from '../ratelimit/types.js';

/**
 * `bridge`: the bridge under its own name; `relayed`: the bridge posting under someone
 * else's name (a person from the other platform, or a Fluxra agent); `agent`: a Fluxra agent.
 */
export type AuthorKind = 'person' | 'bridge' | 'relayed' | 'agent';

export interface ViewMessage {
  id: string;
  author: string;
  kind: AuthorKind;
  text: string;
  /** Epoch ms. */
  at: number;
  edited: boolean;
  /** The visitor posted it (as the person, or as one of the agents): the console offers Edit and Delete. */
  mine: boolean;
  /** Files attached to the message, as links. */
  attachments: Array<{ name: string; url: string }>;
  reactions: string[];
  /** Thread replies, oldest first (top-level messages only). */
  replies: ViewMessage[];
  /** Slack: an answer still streaming (`chat.startStream`), and its plan of tool steps. */
  streaming?: boolean;
  tasks?: Array<{ title: string; status: string }>;
  /** What the thread shows below its replies while an agent works: Slack's status line, Discord's typing. */
  threadStatus?: string;
}

/** A slash command a visitor ran and what only they were shown in answer. */
export interface CommandEntry {
  id: string;
  platform: 'slack' | 'discord';
  /** Thread the command ran in (Slack thread ts / Discord thread id), if any. */
  thread?: string;
  user: string;
  typed: string;
  /** How the platform received it (Discord: subcommand and named options). */
  shown: string;
  at: number;
  answers: string[];
  /** Where to find the answers in the simulator while it runs (not meaningful after a restart). */
  slackResponseId?: string;
  discordInteractionId?: string;
  /** Set when the command could not be delivered at all. */
  error?: string;
}

export interface ChatPaneView {
  title: string;
  channel: string;
  person: string;
  /** The Fluxra conversation this channel is linked to, if any. */
  linkedTo?: string;
  paused?: boolean;
  messages: ViewMessage[];
  commands: CommandEntry[];
  /** User and channel ids to names, so that `<@U…>` and `<#C…>` read as the platform shows them. */
  names: { users: Record<string, string>; channels: Record<string, string> };
}

export interface FluxraPaneView {
  conversationId?: string;
  name?: string;
  members: string[];
  messages: ViewMessage[];
  agents: Array<{ agentId: string; agentName: string }>;
}

/** One chat of Slack's AI side pane: what the bridge set on it, and its messages. */
export interface SidePaneThreadView {
  threadTs: string;
  openedAt: number;
  /** Set by the bridge from the first prompt (`assistant.threads.setTitle`). */
  title?: string;
  /** "is thinking…" while the bridge works (`assistant.threads.setStatus`); gone once it answers. */
  status?: string;
  /** The suggested prompts the bridge offered (`assistant.threads.setSuggestedPrompts`). */
  prompts: Array<{ title: string; message: string }>;
  promptsTitle?: string;
  messages: ViewMessage[];
}

/** Slack's AI side pane as the visitor (Ada) sees it: her pane chats, newest first. */
export interface SidePaneView {
  person: string;
  threads: SidePaneThreadView[];
}

export interface ConsoleView {
  slack: ChatPaneView;
  /** Slack's AI side pane (the fourth view). */
  sidePane: SidePaneView;
  discord: ChatPaneView;
  fluxra: FluxraPaneView;
  budget?: BudgetSnapshot;
  hints: string[];
}
