/**
 * What a block does to the links of the conversation it blocks: their mirroring pauses (and
 * resumes when the block goes), the mirror is told, the channels get a public notice, and
 * the answer names the channels of the person's own tenant (others are only counted).
 */

import type { ChannelRef } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import { describeChannels } from '../format/chat-names.js';
import { BLOCKED_NOTICE, RESUMED_NOTICE } from '../mirror/link-notices.js';
import { type BlockScopeOptions, visibleChannels } from './block-scope.js';
import { blockPauseReason, type ChannelLinkLookup, type ChannelLinkPauses, noChannelLinks, signalLinksChanged } from './channel-links.js';
import type { CommandContext } from './types.js';

export interface BlockLinkOptions {
  /** The configured name (`commands.block`). */
  name: string;
  /** Finds the conversation for `/block conversation` without an ID. Default: no channel is linked. */
  channelLinks?: ChannelLinkLookup;
  /** Pauses a blocked conversation's links and resumes them when it is unblocked. Default: links are not touched. */
  linkPauses?: ChannelLinkPauses;
  /** Told which channels' links were paused or resumed (the composition root passes the mirror's wake-up). */
  onLinksChanged?: (channels: ChannelRef[]) => void;
  /** Tenants (issue 14): who made each block, and who may see and remove it. Without it, `/block` acts bridge-wide. */
  scope?: BlockScopeOptions;
  /** Posts a public notice in channels (a blocked or unblocked conversation's). Best effort. */
  announce?: (channels: ChannelRef[], text: string) => Promise<void>;
}

export interface BlockLinkEffects {
  /** Names the channels of the person's tenant; others are only counted. */
  describeVisible(channels: ChannelRef[], context: CommandContext): Promise<string>;
  /** After a conversation is (or already was) blocked: the line about its links, if any. */
  pauseLinks(conversationId: string, context: CommandContext): Promise<string | undefined>;
  /** After a conversation's block is gone: the line about the links resumed, if any. */
  resumeLinks(conversationId: string, context: CommandContext): Promise<string | undefined>;
}

export function createBlockLinkEffects(options: BlockLinkOptions): BlockLinkEffects {
  const { name, linkPauses, onLinksChanged, scope } = options;
  const channelLinks = options.channelLinks ?? noChannelLinks;

  const linksChanged = (channels: ChannelRef[], context: CommandContext): void => signalLinksChanged(onLinksChanged, channels, context.logger);

  /** Names the channels of the person's tenant; others are only counted. */
  async function describeVisible(channels: ChannelRef[], context: CommandContext): Promise<string> {
    const { shown, hidden } = scope === undefined ? { shown: channels, hidden: 0 } : await visibleChannels(scope, channels, context);
    const elsewhere = hidden === 0 ? '' : `${hidden} channel${hidden === 1 ? '' : 's'} of other workspaces or servers`;
    if (shown.length === 0) return elsewhere;
    const named = describeChannels(shown, context.invocation.platform);
    return elsewhere === '' ? named : `${named} and ${elsewhere}`;
  }

  /** The public notice in the channels whose links a block paused or resumed (the README promises it). */
  async function announce(channels: ChannelRef[], text: string, context: CommandContext): Promise<void> {
    if (channels.length === 0 || options.announce === undefined) return;
    try {
      await options.announce(channels, text);
    } catch (error) {
      context.logger.warn({ err: error }, `could not post the block notice: ${describeError(error)}`);
    }
  }

  /** After a conversation is (or already was) blocked: the line about its links, if any. */
  async function pauseLinks(conversationId: string, context: CommandContext): Promise<string | undefined> {
    if (linkPauses === undefined) {
      if ((await channelLinks.conversationFor(context.invocation.channel)) !== conversationId) return undefined;
      return 'This channel is linked to that conversation: the bridge cannot post into it until the block is removed.';
    }
    let links;
    try {
      links = await linkPauses.pauseConversation(conversationId, blockPauseReason(name));
    } catch (error) {
      context.logger.error({ err: error, conversationId }, `could not pause the links of a blocked conversation: ${describeError(error)}`);
      return "The bridge could not pause the channels linked to it; the details are in the bridge's log.";
    }
    if (links.length === 0) return undefined;
    const changed = links.filter((link) => link.changed).map((link) => link.channel);
    context.logger.info({ conversationId, paused: changed.length }, 'links paused by a block');
    linksChanged(changed, context);
    await announce(changed, BLOCKED_NOTICE, context);
    const channels = await describeVisible(
      links.map((link) => link.channel),
      context,
    );
    return `Mirroring is paused for ${channels} (linked to it) until the block is removed.`;
  }

  /** After a conversation's block is gone: the line about the links resumed, if any. */
  async function resumeLinks(conversationId: string, context: CommandContext): Promise<string | undefined> {
    if (linkPauses === undefined) return undefined;
    let resumed: ChannelRef[];
    try {
      resumed = await linkPauses.resumeConversation(conversationId);
    } catch (error) {
      context.logger.error({ err: error, conversationId }, `could not resume the links of an unblocked conversation: ${describeError(error)}`);
      return "The bridge could not resume the channels linked to it; the details are in the bridge's log.";
    }
    if (resumed.length === 0) return undefined;
    context.logger.info({ conversationId, resumed: resumed.length }, 'links resumed after a block was removed');
    linksChanged(resumed, context);
    await announce(resumed, RESUMED_NOTICE, context);
    return `Mirroring resumes for ${await describeVisible(resumed, context)}.`;
  }

  return { describeVisible, pauseLinks, resumeLinks };
}
