/**
 * Pausing and resuming a link because Fluxra refuses sends into its conversation (a block
 * by the bridge or by a member, spec §6.4), and telling the channel once each time.
 *
 * The notice survives a crash: a record of the change is written first, then the link is
 * changed, then the notice is posted through `postOnce` (keyed by the record), and the
 * record is marked posted. `settle` finishes a change whose notice a crash interrupted.
 */

import type { ChannelRef } from '../core/chat.js';
import type { AdapterDirectory } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import { channelKey, toChannelRef } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { postOnce } from '../delivery/post-once.js';
import type { Store } from '../store/index.js';

export const BLOCKED_NOTICE = "This channel's Fluxra conversation is blocked; mirroring is paused until it is unblocked.";
export const RESUMED_NOTICE = "This channel's Fluxra conversation is no longer blocked; mirroring has resumed.";
/** `pausedReason` of links the mirror paused. */
export const BLOCKED_REASON = 'fluxra-blocked';

interface NoticeRecord {
  kind: 'paused' | 'resumed';
  at: number;
  posted: boolean;
}

export interface LinkNotices {
  /** Pauses the link and says so in the channel. */
  pause(channel: ChannelRef, detail: string): Promise<void>;
  /** Resumes the link and says so in the channel. */
  resume(channel: ChannelRef): Promise<void>;
  /** Posts a notice a crash left unposted. */
  settle(channel: ChannelRef): Promise<void>;
}

export function createLinkNotices(deps: { store: Store; adapters: AdapterDirectory; logger: Logger; now?: () => number }): LinkNotices {
  const { store, adapters, logger } = deps;
  const now = deps.now ?? Date.now;
  const records = store.kv<NoticeRecord>('mirror-link-notices');

  async function post(channel: ChannelRef, record: NoticeRecord): Promise<void> {
    const adapter = adapters.get(channel.platform);
    if (adapter === undefined) return;
    try {
      await postOnce({
        store,
        adapter,
        channel,
        message: { text: record.kind === 'paused' ? BLOCKED_NOTICE : RESUMED_NOTICE },
        key: `mirror-notice:${record.kind}:${record.at}@${channelKey(channel)}`,
      });
    } catch (error) {
      // The link change stands; the notice is retried with the channel's next item.
      logger.warn({ platform: channel.platform, channelId: channel.channelId, err: describeError(error) }, 'could not post the mirroring notice');
      return;
    }
    await records.set(channelKey(channel), { ...record, posted: true });
  }

  async function change(channel: ChannelRef, kind: NoticeRecord['kind'], apply: () => Promise<unknown>): Promise<void> {
    const ref = toChannelRef(channel);
    const record: NoticeRecord = { kind, at: now(), posted: false };
    await records.set(channelKey(ref), record);
    await apply();
    await post(ref, record);
  }

  return {
    async pause(channel, detail) {
      logger.warn({ platform: channel.platform, channelId: channel.channelId, detail }, 'Fluxra refuses sends into the linked conversation (blocked); pausing the link');
      await change(channel, 'paused', () => store.links.pause(toChannelRef(channel), BLOCKED_REASON));
    },
    async resume(channel) {
      logger.info({ platform: channel.platform, channelId: channel.channelId }, 'Fluxra accepts sends again; resuming the link');
      await change(channel, 'resumed', () => store.links.resume(toChannelRef(channel)));
    },
    async settle(channel) {
      const ref = toChannelRef(channel);
      const record = await records.get(channelKey(ref));
      if (record !== undefined && !record.posted) await post(ref, record);
    },
  };
}
