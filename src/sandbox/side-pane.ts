/**
 * Slack's AI side pane in the console: the person (Ada) opens a pane chat, sees the
 * suggested prompts the bridge set, writes or picks a prompt, and watches the thread: its
 * title, the "is thinking…" status and the agent's answer. Done as Slack does it: opening
 * sends `assistant_thread_started`, writing sends a `message.im` in the pane's thread, both
 * over Socket Mode; what the bridge set (`assistant.threads.*`) is read back from the fake.
 */
import type { FakeAssistantThread } from '../simulators/slack/state.js';
import { ActionRefused } from './action-refused.js';
import { SLACK_PERSON } from './identities.js';
import { slackMessageView, tsToMs } from './slack-message-view.js';
import type { SidePaneThreadView, SidePaneView, ViewMessage } from './view-types.js';
import type { SandboxWorld } from './world.js';

/** The newest this many pane chats: the console shows the current one and lists the others. */
const MAX_THREADS = 20;

/** The visitor's pane chats, newest first. */
function panesOf(world: SandboxWorld): FakeAssistantThread[] {
  return [...world.slack.state.assistantThreads.values()].filter((thread) => thread.userId === SLACK_PERSON.id).sort((a, b) => Number(b.threadTs) - Number(a.threadTs));
}

function threadView(world: SandboxWorld, thread: FakeAssistantThread): SidePaneThreadView {
  const messages: ViewMessage[] = world.slack.state
    .history(thread.channel)
    .filter((message) => message.threadTs === thread.threadTs && message.ts !== thread.threadTs && !message.deleted)
    .map((message) => slackMessageView(world, message, { mine: false, attachments: [] }));
  return {
    threadTs: thread.threadTs,
    openedAt: tsToMs(thread.threadTs),
    ...(thread.title ? { title: thread.title } : {}),
    ...(thread.status ? { status: thread.status } : {}),
    prompts: thread.prompts ?? [],
    ...(thread.promptsTitle ? { promptsTitle: thread.promptsTitle } : {}),
    messages,
  };
}

export function sidePaneView(world: SandboxWorld): SidePaneView {
  const threads = panesOf(world).slice(0, MAX_THREADS);
  return { person: SLACK_PERSON.name, threads: threads.map((thread) => threadView(world, thread)) };
}

export interface SidePaneActions {
  /** A new pane chat (Slack's "New chat", or opening the pane). */
  open(): Promise<void>;
  /** Writes in a pane chat: `thread` (its ts), else the newest one, else a new one. */
  post(input: { text: string; thread?: string }): Promise<void>;
}

export function createSidePaneActions(world: SandboxWorld): SidePaneActions {
  async function open(): Promise<FakeAssistantThread> {
    const opened = world.slack.openAssistantThread({ userId: SLACK_PERSON.id });
    await world.slack.deliverEvent(opened.event);
    const thread = world.slack.state.assistantThread(opened.channel, opened.threadTs);
    if (!thread) throw new Error('the simulator lost the pane thread it just opened');
    return thread;
  }
  return {
    async open() {
      await open();
    },
    async post({ text, thread }) {
      const target = thread === undefined ? (panesOf(world)[0] ?? (await open())) : panesOf(world).find((candidate) => candidate.threadTs === thread);
      if (!target) throw new ActionRefused('That pane chat is gone; start a new chat.');
      await world.slack.deliverEvent(world.slack.paneMessage(target, SLACK_PERSON.id, text));
    },
  };
}
