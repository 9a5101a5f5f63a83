/**
 * Told when /bridge or /block links, unlinks, pauses or resumes channels: the mirror engine
 * pushes its wake-up here so that it acts at once rather than on its next pass.
 */
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { ChannelRef } from '../core/chat.js';

export type LinksChangedListener = (channels: ChannelRef[]) => void;

export interface LinkChanges {
  /** What the commands call after a change. */
  readonly onLinksChanged: LinksChangedListener;
  /** Adds a listener in this process. */
  listen(listener: LinksChangedListener): void;
}

export function createLinkChanges(cluster: Pick<ClusterRuntime, 'publish'>): LinkChanges {
  const linkListeners: LinksChangedListener[] = [];
  return {
    onLinksChanged(channels) {
      for (const listener of linkListeners) listener(channels);
      // The command may have run on a follower: the leader's mirror is the one to wake.
      cluster.publish({ kind: 'links', channels });
    },
    listen(listener) {
      linkListeners.push(listener);
    },
  };
}
