/**
 * What the Slack adapter does through the Web API: post (split to Slack's length), find its
 * own post again, read history since a time, edit, delete, react, and answer a command
 * (through its response_url while it lives, else the Web API).
 */

import type { ChannelRef, ChatAdapter, InboundMessage, Interaction, MessageRef, OutboundMessage, PostOptions, ReplyOptions } from '../../core/chat.js';
import { BridgeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { markdownToSlack } from '../../format/slack.js';
import { splitMessage } from '../../format/split.js';
import { SLACK_DEFAULTS } from './config.js';
import { slackEmojiName } from './emoji.js';
import { slackErrorCode } from './errors.js';
import { readSlackSince, type SlackHistoryEntry } from './history.js';
import type { SlackIdentity } from './inbound.js';
import { buttonBlocks, formView } from './interactivity.js';
import type { createInvocationRegistry } from './invocations.js';
import { findOwnSlackPost, type SlackHistoryMessage } from './own-posts.js';

/** One Web API call, errors mapped (see errors.ts). */
export type SlackCall = (method: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface SlackOutboundDeps {
  call: SlackCall;
  identity: SlackIdentity;
  invocations: ReturnType<typeof createInvocationRegistry>;
  /** A history entry as a neutral message (undefined for anything else). */
  toMessage: (raw: Record<string, unknown>) => Promise<InboundMessage | undefined>;
  logger: Logger;
  now: () => number;
}

export type SlackOutbound = Pick<ChatAdapter, 'post' | 'findOwnPost' | 'readSince' | 'edit' | 'delete' | 'react' | 'unreact' | 'reply' | 'openForm'>;

/** A page of a Slack history read: its messages and the cursor of the next page. */
function historyPage<T>(result: Record<string, unknown>): { messages: T[]; nextCursor: string | undefined } {
  const metadata = result.response_metadata as { next_cursor?: unknown } | undefined;
  const next = typeof metadata?.next_cursor === 'string' && metadata.next_cursor !== '' ? metadata.next_cursor : undefined;
  return { messages: Array.isArray(result.messages) ? (result.messages as T[]) : [], nextCursor: next };
}

/** Runs `action`; a Slack error coded `tolerated` counts as done (already there, already gone). */
async function tolerating(tolerated: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (slackErrorCode(error) !== tolerated) throw error;
  }
}

/** Posts `message` in as many messages as Slack's length needs, its buttons under the last; their ts in order. */
async function postParts(call: SlackCall, channelId: string, message: OutboundMessage, extra: Record<string, unknown>, fromPart = 0): Promise<string[]> {
  const parts = splitMessage(message.text, SLACK_DEFAULTS.maxMessageLength);
  if (parts.length === 0) throw new BridgeError('SLACK_EMPTY_MESSAGE', 'Refusing to post an empty message to Slack');
  const ids: string[] = [];
  for (const [index, part] of parts.entries()) {
    if (index < fromPart) continue;
    const text = markdownToSlack(part);
    const blocks = index === parts.length - 1 ? buttonBlocks(text, message.buttons) : undefined;
    const result = await call('chat.postMessage', { channel: channelId, text, unfurl_links: false, unfurl_media: false, ...(blocks ? { blocks } : {}), ...extra });
    ids.push(String(result.ts));
  }
  return ids;
}

export function createSlackOutbound(deps: SlackOutboundDeps): SlackOutbound {
  const { call, identity, invocations, logger, now } = deps;
  return {
    async post(channel: ChannelRef, message: OutboundMessage, options: PostOptions = {}): Promise<MessageRef[]> {
      const extra = {
        ...(options.threadRootId ? { thread_ts: options.threadRootId } : {}),
        // Needs the chat:write.customize scope.
        ...(message.as ? { username: message.as.name, ...(message.as.iconUrl ? { icon_url: message.as.iconUrl } : {}) } : {}),
      };
      const ids = await postParts(call, channel.channelId, message, extra, options.fromPart);
      return ids.map((ts) => ({ platform: 'slack', channelId: channel.channelId, messageId: ts, ...(options.threadRootId ? { threadRootId: options.threadRootId } : {}) }));
    },

    async findOwnPost(channel, message, options) {
      const method = options.threadRootId ? 'conversations.replies' : 'conversations.history';
      const read = async (args: Record<string, unknown>) => historyPage<SlackHistoryMessage>(await call(method, args));
      try {
        return await findOwnSlackPost(read, identity, channel.channelId, message, options);
      } catch (error) {
        // A thread whose root is gone holds no post of ours.
        if (slackErrorCode(error) === 'thread_not_found') return undefined;
        throw error;
      }
    },

    async readSince(channel, options) {
      const read = async (method: 'conversations.history' | 'conversations.replies', args: Record<string, unknown>) => {
        try {
          return historyPage<SlackHistoryEntry>(await call(method, args));
        } catch (error) {
          // A root deleted since the history read has no replies to catch up.
          if (slackErrorCode(error) === 'thread_not_found') return { messages: [], nextCursor: undefined };
          throw error;
        }
      };
      return readSlackSince({ read, toMessage: deps.toMessage, now }, channel.channelId, options);
    },

    async edit(ref, message, options = {}) {
      const parts = splitMessage(message.text, SLACK_DEFAULTS.maxMessageLength);
      // Callers that keep every part (editSplit) name the part; anyone else is told what is left out.
      if (options.part === undefined && parts.length > 1)
        logger.warn({ messageId: ref.messageId, parts: parts.length }, 'slack edit longer than one message; only the first part is shown');
      const part = parts[options.part ?? 0];
      if (part === undefined) throw new BridgeError('SLACK_EMPTY_MESSAGE', 'Refusing to edit a Slack message to empty text');
      const text = markdownToSlack(part);
      // An update without blocks would drop the buttons: they are sent again with every edit.
      const blocks = (options.part ?? 0) === parts.length - 1 ? buttonBlocks(text, message.buttons) : undefined;
      await call('chat.update', { channel: ref.channelId, ts: ref.messageId, text, ...(blocks ? { blocks } : {}) });
      return { parts: parts.length };
    },

    // Already gone is what we wanted.
    delete: (ref) => tolerating('message_not_found', () => call('chat.delete', { channel: ref.channelId, ts: ref.messageId })),
    react: (ref, emoji) => tolerating('already_reacted', () => call('reactions.add', { channel: ref.channelId, timestamp: ref.messageId, name: slackEmojiName(emoji) })),
    unreact: (ref, emoji) => tolerating('no_reaction', () => call('reactions.remove', { channel: ref.channelId, timestamp: ref.messageId, name: slackEmojiName(emoji) })),

    async openForm(press, form) {
      const triggerId = invocations.get(press.eventId)?.triggerId;
      if (!triggerId) throw new BridgeError('SLACK_NO_TRIGGER', `cannot open a form for ${press.eventId}: its trigger_id is unknown or expired`);
      await call('views.open', { trigger_id: triggerId, view: formView(form, press.channel.channelId) });
    },

    async reply(invocation: Interaction, message: OutboundMessage, options: ReplyOptions = {}) {
      const ephemeral = options.ephemeral ?? true;
      const parts = splitMessage(message.text, SLACK_DEFAULTS.maxMessageLength).map(markdownToSlack);
      const record = invocations.get(invocation.eventId);
      for (const text of parts) {
        if (record) {
          await record.respond({ text, response_type: ephemeral ? 'ephemeral' : 'in_channel', replace_original: false });
        } else if (ephemeral) {
          // The response_url has expired (30 min): the Web API can still whisper.
          await call('chat.postEphemeral', { channel: invocation.channel.channelId, user: invocation.user.id, text });
        } else {
          await call('chat.postMessage', {
            channel: invocation.channel.channelId,
            text,
            unfurl_links: false,
            ...(invocation.kind === 'command' && invocation.threadRootId ? { thread_ts: invocation.threadRootId } : {}),
          });
        }
      }
    },
  };
}
