/**
 * Is a Slack channel private (invite-only), a group DM or a DM? Agent sessions started there
 * are created private on Blocks, so that what was asked in a closed room is not shown to the
 * whole Blocks workspace.
 *
 * Message events say it themselves (`channel_type`: `channel`, `group`, `im`, `mpim`); mentions
 * and slash commands do not, so those ask `conversations.info` (`is_private`, `is_im`,
 * `is_mpim`), cached per channel. When neither answers, the channel counts as private: a
 * session hidden by mistake costs a click, one shown by mistake leaks.
 */
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/** The `conversations.info` fields that tell who can read a channel. */
export interface SlackChannelInfo {
  is_private?: boolean;
  is_im?: boolean;
  is_mpim?: boolean;
}

const PRIVATE_TYPES = new Set(['group', 'im', 'mpim']);

/** What Slack's own fields say; undefined when they say nothing. */
export function slackChannelPrivacy(input: { channelId: string; channelType?: string | undefined; info?: SlackChannelInfo | undefined }): boolean | undefined {
  if (input.channelType === 'channel') return false;
  if (input.channelType !== undefined && PRIVATE_TYPES.has(input.channelType)) return true;
  // D… ids are always direct messages.
  if (input.channelId.startsWith('D')) return true;
  if (input.info) return input.info.is_private === true || input.info.is_im === true || input.info.is_mpim === true;
  return undefined;
}

export interface SlackChannelPrivacyConfig {
  /** Calls `conversations.info`; returns the `channel` object of the answer. */
  fetchChannel(channelId: string): Promise<SlackChannelInfo | undefined>;
  logger: Logger;
  /** A channel can be converted to private: re-ask after this long. */
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}

export interface SlackChannelPrivacyDirectory {
  /** Never throws: true when Slack could not tell. */
  isPrivate(channelId: string, channelType?: string): Promise<boolean>;
}

export function createSlackChannelPrivacy(config: SlackChannelPrivacyConfig): SlackChannelPrivacyDirectory {
  const known = new Map<string, { isPrivate: boolean; at: number }>();
  return {
    async isPrivate(channelId, channelType) {
      const direct = slackChannelPrivacy({ channelId, channelType });
      if (direct !== undefined) return direct;
      const cached = known.get(channelId);
      if (cached && config.now() - cached.at < config.ttlMs) return cached.isPrivate;
      try {
        const info = await config.fetchChannel(channelId);
        const isPrivate = slackChannelPrivacy({ channelId, info: info ?? {} }) ?? true;
        known.delete(channelId);
        known.set(channelId, { isPrivate, at: config.now() });
        while (known.size > config.maxEntries) known.delete(known.keys().next().value as string);
        return isPrivate;
      } catch (error) {
        config.logger.warn({ channelId, err: describeError(error) }, 'slack conversations.info failed; treating the channel as private');
        return true;
      }
    },
  };
}
