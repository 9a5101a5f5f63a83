/**
 * How commands learn which Fluxra conversation a chat channel is linked to. `/bridge link`
 * (a later issue) writes the links; until the composition root wires the store in, the
 * bridge runs with `noChannelLinks` and `/block conversation` needs an explicit `conv_…`.
 */
import type { ChannelRef } from '../platforms/types.js';
import type { LinksRepository } from '../store/links.js';

export interface ChannelLinkLookup {
  /** The `conv_…` linked to `channel`, or undefined when it is not linked. */
  conversationFor(channel: ChannelRef): Promise<string | undefined>;
}

/** The lookup used while the bridge has no link store: no channel is linked. */
export const noChannelLinks: ChannelLinkLookup = {
  conversationFor: async () => undefined,
};

/**
 * The lookup over the store's links repository. A paused link still names its
 * conversation: pausing stops mirroring, it does not unlink.
 */
export function channelLinksFromStore(links: Pick<LinksRepository, 'get'>): ChannelLinkLookup {
  return {
    conversationFor: async (channel) => (await links.get(channel))?.conversationId,
  };
}
