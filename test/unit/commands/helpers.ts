/**
 * Shared set-up for the command tests: a chat platform double that records what the router
 * answered (the platform boundary, not our code), invocations, and a real pino logger whose
 * JSON lines the tests read back.
 */

import type { ChatAdapter, CommandInvocation, OutboundMessage, PlatformName, ReplyOptions } from '../../../src/core/chat.js';
import { createLogger, type Logger } from '../../../src/core/logger.js';

export interface RecordedReply {
  invocation: CommandInvocation;
  message: OutboundMessage;
  options: ReplyOptions | undefined;
}

export interface RecordingAdapter extends ChatAdapter {
  replies: RecordedReply[];
  /** The text of the only reply so far (fails the test when there is not exactly one). */
  onlyReply(): string;
}

export function createRecordingAdapter(platform: PlatformName = 'slack', options: { failReplies?: boolean } = {}): RecordingAdapter {
  const replies: RecordedReply[] = [];
  const unused = async (): Promise<never> => {
    throw new Error('not used by commands');
  };
  return {
    platform,
    selfUserId: 'UBOT',
    replies,
    onlyReply() {
      if (replies.length !== 1) throw new Error(`expected one reply, got ${replies.length}`);
      return replies[0]!.message.text;
    },
    onEvent: () => {},
    start: async () => {},
    stop: async () => {},
    post: unused,
    findOwnPost: unused,
    edit: unused,
    delete: unused,
    react: unused,
    unreact: unused,
    async reply(invocation, message, replyOptions) {
      if (options.failReplies) throw new Error('response_url expired');
      replies.push({ invocation: invocation as CommandInvocation, message, options: replyOptions });
    },
  };
}

let eventSeq = 0;

/** A `/block …` (or other) invocation as an adapter would deliver it. */
export function invocation(input: {
  text?: string;
  args?: string[];
  command?: string;
  platform?: PlatformName;
  userId?: string;
  privileged?: boolean;
  channelId?: string;
}): CommandInvocation {
  const platform = input.platform ?? 'slack';
  const rawText = input.text ?? input.args?.join(' ') ?? '';
  eventSeq += 1;
  return {
    kind: 'command',
    platform,
    eventId: `evt-${eventSeq}`,
    receivedAt: 0,
    command: input.command ?? 'block',
    args: input.args ?? rawText.split(/\s+/).filter((w) => w !== ''),
    rawText,
    user: { id: input.userId ?? (platform === 'slack' ? 'U0ADMIN' : '100000000000000001'), displayName: 'Ada', isPrivileged: input.privileged ?? false },
    channel: { platform, channelId: input.channelId ?? (platform === 'slack' ? 'C0GENERAL' : '200000000000000001') },
  };
}

export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
}

/** A real logger writing JSON lines into memory. */
export function captureLogger(level = 'debug'): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}
