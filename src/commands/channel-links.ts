/**
 * How commands see the store's channel links. `/block` needs two views: which conversation
 * this channel is linked to (`ChannelLinkLookup`, for `/block conversation` without an ID),
 * and the pause/resume hooks (`ChannelLinkPauses`): blocking a linked conversation stops the
 * bridge from posting into it (spec §6.4, §9.7), so its links are paused, and removing the
 * block resumes them. `channelLinksFromStore` gives both over the links repository.
 */
import type { ChannelRef } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LinksRepository } from '../store/links.js';

export interface ChannelLinkLookup {
  /** The `conv_…` linked to `channel`, or undefined when it is not linked. */
  conversationFor(channel: ChannelRef): Promise<string | undefined>;
}

/** A link as the pause hooks report it. */
export interface PausedLink {
  channel: ChannelRef;
  /** False when the link was already paused (for this or another reason) and left as it was. */
  changed: boolean;
}

/** Pause and resume the links of a conversation when it is blocked or unblocked. */
export interface ChannelLinkPauses {
  /**
   * Pauses every link to the conversation with `reason`. A link already paused keeps its
   * own reason (so that unblocking later does not resume a link paused for something else).
   * Returns every linked channel; none when the conversation is not linked.
   */
  pauseConversation(conversationId: string, reason: string): Promise<PausedLink[]>;
  /** Resumes the links to the conversation that a block paused (`isBlockPause`); returns them. */
  resumeConversation(conversationId: string): Promise<ChannelRef[]>;
  /** Conversations with at least one link paused by a block. */
  blockPausedConversations(): Promise<Set<string>>;
}

export type ChannelLinks = ChannelLinkLookup & ChannelLinkPauses;

/**
 * Reasons that mean "a block command paused this": `/block` writes `blocked by /<name>`.
 * The mirror engine pauses links itself when Fluxra refuses its sends (reason
 * `fluxra-blocked`), and resumes them itself, with a notice in the channel, once sends go
 * through again; `/block remove` leaves those to it.
 */
export function isBlockPause(reason: string | undefined): boolean {
  return reason !== undefined && reason.toLowerCase().startsWith('blocked');
}

/** The reason `/block` writes on the links it pauses. */
export function blockPauseReason(blockCommandName: string): string {
  return `blocked by /${blockCommandName}`;
}

/** The lookup used while the bridge has no link store: no channel is linked. */
export const noChannelLinks: ChannelLinkLookup = {
  conversationFor: async () => undefined,
};

/**
 * Both views over the store's links repository. A paused link still names its
 * conversation: pausing stops mirroring, it does not unlink.
 */
export function channelLinksFromStore(links: Pick<LinksRepository, 'get' | 'pause' | 'resume' | 'channelsFor' | 'list'>): ChannelLinks {
  return {
    conversationFor: async (channel) => (await links.get(channel))?.conversationId,
    async pauseConversation(conversationId, reason) {
      const out: PausedLink[] = [];
      for (const channel of await links.channelsFor(conversationId)) {
        const current = await links.get(channel);
        if (current === undefined || current.conversationId !== conversationId) continue;
        if (current.paused) {
          out.push({ channel, changed: false });
          continue;
        }
        // The link may have gone between the two reads; `pause` then does nothing.
        if ((await links.pause(channel, reason)) !== undefined) out.push({ channel, changed: true });
      }
      return out;
    },
    async resumeConversation(conversationId) {
      const out: ChannelRef[] = [];
      for (const channel of await links.channelsFor(conversationId)) {
        const current = await links.get(channel);
        if (current?.conversationId !== conversationId || !current.paused || !isBlockPause(current.pausedReason)) continue;
        if ((await links.resume(channel)) !== undefined) out.push(channel);
      }
      return out;
    },
    async blockPausedConversations() {
      const all = await links.list();
      return new Set(all.filter((entry) => entry.link.paused && isBlockPause(entry.link.pausedReason)).map((entry) => entry.link.conversationId));
    },
  };
}

/** Tells the mirror which channels' links changed; a failure is only logged (the links are saved, the mirror notices them on its next pass anyway). */
export function signalLinksChanged(onLinksChanged: ((channels: ChannelRef[]) => void) | undefined, channels: ChannelRef[], logger: Logger): void {
  if (channels.length === 0 || onLinksChanged === undefined) return;
  try {
    onLinksChanged(channels);
  } catch (error) {
    logger.warn({ err: error }, `could not signal the link change: ${describeError(error)}`);
  }
}
