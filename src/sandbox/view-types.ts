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
  /** Buttons under the message (the bridge's status messages): an action to press, or a link. */
  buttons?: ViewButton[];
  /** Thread replies, oldest first (top-level messages only). */
  replies: ViewMessage[];
  /** Slack: an answer still streaming (`chat.startStream`), and its plan of tool steps. */
  streaming?: boolean;
  tasks?: Array<{ title: string; status: string }>;
  /** What the thread shows below its replies while an agent works: Slack's status line, Discord's typing. */
  threadStatus?: string;
}

/** A button under a message: `action` (Slack action_id, Discord custom_id) to press, or a link. */
export interface ViewButton {
  label: string;
  action?: string;
  url?: string;
}

/** A form (modal) the bridge opened for the visitor, waiting to be submitted. */
export interface FormView {
  /** Slack view id / Discord id of the press it answers. */
  id: string;
  title: string;
  label: string;
  submitLabel: string;
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
  /** A Slack form submission: its answer is the first ephemeral message after this point of the fake's order. */
  slackWhisperAfter?: number;
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
  /** A form the bridge opened for the visitor here (a button's modal), waiting to be submitted. */
  form?: FormView;
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
