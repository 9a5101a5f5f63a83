/**
 * Slack's AI side pane ("Agents & AI Apps") through Bolt's `Assistant` class. A person opens
 * the pane: we offer the suggested prompts. They write in the pane's thread: we show "is
 * thinking…" and hand the message on like any other, marked as written in the pane (the
 * session engine then treats it as addressed to the bot: the thread is one private session).
 * A workspace the bridge does not serve is told so in the thread, and nothing is handed on.
 *
 * Bolt routes every `message.im` in a thread here (not to `app.event('message')`), our own
 * answers included: they are handed on unchanged, so that echo suppression sees them as before.
 */
import bolt from '@slack/bolt';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isPlaceAllowed } from '../../core/tenancy.js';
import { type AssistantThreads, PANE_WORKING_STATUS, type PaneThread } from './assistant-threads.js';
import type { SlackAssistantConfig } from './config.js';

// Bolt is CommonJS: its classes come off the default export.
const { Assistant } = bolt;
export type BoltAssistant = InstanceType<typeof Assistant>;

/** The heading over the suggested prompts. */
export const PROMPTS_TITLE = 'Ask an agent on Blocks';

/** What a person of a workspace the bridge does not serve reads in the pane. */
export const PANE_REFUSAL = 'This bridge does not serve this workspace, so it cannot start agent sessions here.';

/** The refusal for a delivery from `teamId`, or undefined when its workspace is served. */
export function paneRefusal(teamId: string | undefined, allowedTeamIds: readonly string[] | undefined): string | undefined {
  return isPlaceAllowed({ slackAllowedTeamIds: allowedTeamIds }, { platform: 'slack', placeId: teamId }) ? undefined : PANE_REFUSAL;
}

/** The fields of a pane message we read to tell a person's prompt from a bot's post. */
interface PaneMessage {
  channel?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
}

/** A person's prompt (not a bot's post, not our own): the ones that get a status. */
export function isPersonsPrompt(message: PaneMessage, botUserId: string | undefined): boolean {
  return message.bot_id === undefined && message.subtype === undefined && message.user !== undefined && message.user !== botUserId && (message.text ?? '').trim() !== '';
}

export interface PaneAssistantDeps {
  config: SlackAssistantConfig;
  threads: AssistantThreads;
  logger: Logger;
  botUserId(): string | undefined;
  /** Hands a pane message on (a rejection leaves it unacknowledged: Slack redelivers it). */
  deliver(raw: unknown, retryNum: unknown, teamId: string | undefined): Promise<void>;
}

export function createPaneAssistant(deps: PaneAssistantDeps): BoltAssistant {
  const { threads, logger, config } = deps;
  /** Pane calls are a courtesy: a failed one is logged and the message still goes through. */
  const quietly = async (what: string, thread: PaneThread, task: () => Promise<void>): Promise<void> => {
    await task().catch((error: unknown) => logger.warn({ channel: thread.channelId, threadTs: thread.threadTs, err: describeError(error) }, `could not ${what} in the side pane`));
  };
  return new Assistant({
    // The bridge keeps no thread context: the channel a person is looking at is not sent to
    // the agent (pane sessions are private), so nothing is stored in Slack's message metadata.
    threadContextStore: { get: async () => ({}), save: async () => undefined },
    threadStarted: async ({ event, context }) => {
      const thread = { channelId: event.assistant_thread.channel_id, threadTs: event.assistant_thread.thread_ts };
      const refusal = paneRefusal(context.teamId, config.allowedTeamIds);
      if (refusal !== undefined) {
        if (context.retryNum === undefined || context.retryNum === 0) await quietly('say why', thread, () => threads.say(thread, refusal));
        return;
      }
      await quietly('offer the suggested prompts', thread, () => threads.setSuggestedPrompts(thread, config.prompts, PROMPTS_TITLE));
    },
    threadContextChanged: async () => undefined,
    userMessage: async ({ message, context }) => {
      const raw = message as PaneMessage;
      const thread = { channelId: raw.channel ?? '', threadTs: raw.thread_ts ?? '' };
      const person = isPersonsPrompt(raw, deps.botUserId());
      const refusal = paneRefusal(context.teamId, config.allowedTeamIds);
      if (refusal !== undefined) {
        // Said once: a redelivery means the first answer went out but its ack was lost.
        if (person && (context.retryNum === undefined || context.retryNum === 0)) await quietly('say why', thread, () => threads.say(thread, refusal));
        return;
      }
      if (person) await quietly('show the status', thread, () => threads.setStatus(thread, PANE_WORKING_STATUS));
      await deps.deliver(message, context.retryNum, context.teamId);
    },
  });
}
