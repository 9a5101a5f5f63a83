/**
 * How commands learn which Fluxra conversation a chat channel is linked to. Linking itself
 * (`/bridge link`, the links repository) is a later issue; until then the bridge runs with
 * `noChannelLinks`, and `/block conversation` needs an explicit `conv_…`.
 */
import type { ChannelRef } from '../platforms/types.js';

export interface ChannelLinkLookup {
  /** The `conv_…` linked to `channel`, or undefined when it is not linked. */
  conversationFor(channel: ChannelRef): Promise<string | undefined>;
}

/** The lookup used while the bridge has no link store: no channel is linked. */
export const noChannelLinks: ChannelLinkLookup = {
  conversationFor: async () => undefined,
};
