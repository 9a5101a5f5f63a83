/**
 * Channel ↔ Fluxra conversation links, with the reverse index conversation → channels (a
 * Slack channel and a Discord channel may share one conversation).
 *
 * The forward record (channel → link) is the truth; the reverse index is an ordered map per
 * conversation. Writes go index-first: `link` adds the channel to the new conversation's
 * index before writing the record and removes it from the old one after, so a reader never
 * misses a linked channel. A crash between the steps can leave an index entry the record
 * does not confirm, and readers check every entry against the record, so such an entry is
 * never returned. In this process a per-channel lock keeps two changes to one channel from
 * interleaving.
 */
import type { ChannelRef } from '../platforms/types.js';
import type { StoreBackend } from './backend.js';
import { createKeyedLock } from '../util/keyed-lock.js';
import { channelKey, toChannelRef } from './keys.js';
import { createKvNamespace } from './kv.js';

/** What a channel is linked to. */
export interface LinkRecord {
  conversationId: string;
  /** Epoch milliseconds. */
  linkedAt: number;
  /** Who linked it (a platform user id, or `config` for links from the configuration). */
  linkedBy: string;
  /** Mirroring is suspended (by a person, or by the bridge after repeated failures). */
  paused: boolean;
  pausedReason?: string;
}

export interface ChannelLink {
  channel: ChannelRef;
  link: LinkRecord;
}

export interface LinkInput {
  conversationId: string;
  linkedBy: string;
  /** Defaults to now. */
  linkedAt?: number;
}

/** Channel ↔ conversation links. */
export interface LinksRepository {
  get(channel: ChannelRef): Promise<LinkRecord | undefined>;
  /** Links the channel, replacing any link it had (and un-pausing it). */
  link(channel: ChannelRef, input: LinkInput): Promise<LinkRecord>;
  /** Removes the channel's link; returns the link it had. */
  unlink(channel: ChannelRef): Promise<LinkRecord | undefined>;
  /** Returns the updated link, or undefined when the channel is not linked. */
  pause(channel: ChannelRef, reason?: string): Promise<LinkRecord | undefined>;
  resume(channel: ChannelRef): Promise<LinkRecord | undefined>;
  /** Channels linked to the conversation (paused ones included), in a stable order. */
  channelsFor(conversationId: string): Promise<ChannelRef[]>;
  /** `channelsFor` with each channel's link record, read in the same pass. */
  linksFor(conversationId: string): Promise<ChannelLink[]>;
  /** Conversations with at least one linked channel. */
  conversations(): Promise<string[]>;
  /** Every link, grouped by conversation. */
  list(): Promise<ChannelLink[]>;
}

const REVERSE_GROUP = 'links-by-conversation';
const MAX_CHANNELS_PER_CONVERSATION = 1_000;

interface StoredLink extends LinkRecord {
  channel: ChannelRef;
}

function toRecord(stored: StoredLink): LinkRecord {
  const { channel: _channel, ...record } = stored;
  return record;
}

export function createLinksRepository(backend: StoreBackend, prefix: string): LinksRepository {
  const records = createKvNamespace<StoredLink>(backend.keyv, `${prefix}:links`);
  const lock = createKeyedLock();

  const update = async (channel: ChannelRef, change: (stored: StoredLink) => StoredLink): Promise<LinkRecord | undefined> =>
    lock.run(channelKey(channel), async () => {
      const stored = await records.get(channelKey(channel));
      if (stored === undefined) return undefined;
      const next = change(stored);
      await records.set(channelKey(channel), next);
      return toRecord(next);
    });

  const linksFor = async (conversationId: string): Promise<ChannelLink[]> => {
    const entries = await backend.maps.range(REVERSE_GROUP, conversationId, MAX_CHANNELS_PER_CONVERSATION);
    const confirmed = await Promise.all(
      entries.map(async (entry) => {
        const stored = await records.get(entry.member);
        return stored?.conversationId === conversationId ? { channel: stored.channel, link: toRecord(stored) } : undefined;
      }),
    );
    return confirmed.filter((found): found is ChannelLink => found !== undefined);
  };
  const channelsFor = async (conversationId: string): Promise<ChannelRef[]> => (await linksFor(conversationId)).map((found) => found.channel);

  return {
    async get(channel) {
      const stored = await records.get(channelKey(channel));
      return stored === undefined ? undefined : toRecord(stored);
    },
    async link(channel, input) {
      const ref = toChannelRef(channel);
      const key = channelKey(ref);
      return lock.run(key, async () => {
        const previous = await records.get(key);
        const stored: StoredLink = {
          channel: ref,
          conversationId: input.conversationId,
          linkedAt: input.linkedAt ?? Date.now(),
          linkedBy: input.linkedBy,
          paused: false,
        };
        await backend.maps.put(REVERSE_GROUP, input.conversationId, key, JSON.stringify(ref));
        await records.set(key, stored);
        if (previous !== undefined && previous.conversationId !== input.conversationId) {
          await backend.maps.remove(REVERSE_GROUP, previous.conversationId, key);
        }
        return toRecord(stored);
      });
    },
    async unlink(channel) {
      const key = channelKey(channel);
      return lock.run(key, async () => {
        const previous = await records.get(key);
        if (previous === undefined) return undefined;
        await records.delete(key);
        await backend.maps.remove(REVERSE_GROUP, previous.conversationId, key);
        return toRecord(previous);
      });
    },
    async pause(channel, reason) {
      return update(channel, (stored) => {
        const next: StoredLink = { ...stored, paused: true };
        if (reason === undefined) delete next.pausedReason;
        else next.pausedReason = reason;
        return next;
      });
    },
    async resume(channel) {
      return update(channel, (stored) => {
        const { pausedReason: _reason, ...rest } = stored;
        return { ...rest, paused: false };
      });
    },
    channelsFor,
    linksFor,
    async conversations() {
      const candidates = await backend.maps.list(REVERSE_GROUP);
      const confirmed = await Promise.all(candidates.map(async (id) => ((await channelsFor(id)).length > 0 ? id : undefined)));
      return confirmed.filter((id): id is string => id !== undefined);
    },
    async list() {
      const out: ChannelLink[] = [];
      for (const conversationId of await backend.maps.list(REVERSE_GROUP)) {
        for (const channel of await channelsFor(conversationId)) {
          const stored = await records.get(channelKey(channel));
          if (stored !== undefined && stored.conversationId === conversationId) out.push({ channel, link: toRecord(stored) });
        }
      }
      return out;
    },
  };
}
