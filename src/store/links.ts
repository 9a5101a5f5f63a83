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
 *
 * Reads are cached in memory (`get`, `linksFor`/`channelsFor`, `conversations`): the mirror
 * reads a channel's link several times per message and the poller re-reads all links every
 * pass, while links change a few times a day. This repository is the only writer in the
 * process and drops the whole cache on every change it makes (a read that started before a
 * change is not cached, see `generation`). Other replicas (clustered mode) change links too,
 * and their change notifications are best-effort pub/sub, so entries also expire after
 * `cacheTtlMs` (1 s by default): another replica's change is seen within that time.
 */
import type { ChannelRef } from '../core/chat.js';
import { createKeyedLock } from '../core/keyed-lock.js';
import { channelKey, toChannelRef } from '../core/keys.js';
import type { StoreBackend } from './backend.js';
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
  /** The workspace or guild of the channel (links made before places were recorded have none until the start-up migration). */
  placeId?: string;
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
  /** The channel's workspace or guild. */
  placeId?: string;
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
  /** Records the channel's workspace or guild on its link (the start-up migration of older links). */
  setPlace(channel: ChannelRef, placeId: string): Promise<LinkRecord | undefined>;
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

/** How long a cached link read is trusted (another replica's change is seen within this). */
export const LINKS_CACHE_TTL_MS = 1_000;

export interface LinksRepositoryOptions {
  /** 0 disables the cache. Default `LINKS_CACHE_TTL_MS`. */
  cacheTtlMs?: number;
  now?: () => number;
}

/**
 * Short-lived cached reads over changes made under a per-key lock: a change drops the cache
 * before and after itself, and a read that overlapped a change is not kept.
 */
function createReadCache(cacheTtlMs: number, now: () => number) {
  const lock = createKeyedLock();
  /** Bumped before and after every change: a read that saw another generation is not cached. */
  let generation = 0;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  const invalidate = (): void => {
    generation += 1;
    cache.clear();
  };
  /** Change under the channel's lock, with the cache dropped before and after it. */
  const changing = async <R>(key: string, change: () => Promise<R>): Promise<R> =>
    lock.run(key, async () => {
      invalidate();
      try {
        return await change();
      } finally {
        invalidate();
      }
    });
  /** One cached read per `cacheKey`; concurrent readers share it; failures are not kept. */
  const cached = <R>(cacheKey: string, read: () => Promise<R>): Promise<R> => {
    if (cacheTtlMs <= 0) return read();
    const hit = cache.get(cacheKey);
    if (hit !== undefined && now() - hit.at < cacheTtlMs) return hit.value as Promise<R>;
    const started = generation;
    const value = read();
    // Bounded: one entry per linked channel and conversation, and cleared on every change.
    const entry = { at: now(), value };
    cache.set(cacheKey, entry);
    value.then(
      () => {
        if (generation !== started && cache.get(cacheKey) === entry) cache.delete(cacheKey);
      },
      () => {
        if (cache.get(cacheKey) === entry) cache.delete(cacheKey);
      },
    );
    return value;
  };

  return { changing, cached };
}

export function createLinksRepository(backend: StoreBackend, prefix: string, options: LinksRepositoryOptions = {}): LinksRepository {
  const records = createKvNamespace<StoredLink>(backend.keyv, `${prefix}:links`);
  const { changing, cached } = createReadCache(options.cacheTtlMs ?? LINKS_CACHE_TTL_MS, options.now ?? Date.now);

  const update = async (channel: ChannelRef, change: (stored: StoredLink) => StoredLink): Promise<LinkRecord | undefined> =>
    changing(channelKey(channel), async () => {
      const stored = await records.get(channelKey(channel));
      if (stored === undefined) return undefined;
      const next = change(stored);
      await records.set(channelKey(channel), next);
      return toRecord(next);
    });

  const readLinksFor = async (conversationId: string): Promise<ChannelLink[]> => {
    const entries = await backend.maps.range(REVERSE_GROUP, conversationId, MAX_CHANNELS_PER_CONVERSATION);
    const confirmed = await Promise.all(
      entries.map(async (entry) => {
        const stored = await records.get(entry.member);
        return stored?.conversationId === conversationId ? { channel: stored.channel, link: toRecord(stored) } : undefined;
      }),
    );
    return confirmed.filter((found): found is ChannelLink => found !== undefined);
  };
  // Copies, so that a caller changing what it got cannot change the cache.
  const linksFor = async (conversationId: string): Promise<ChannelLink[]> =>
    (await cached(`for:${conversationId}`, () => readLinksFor(conversationId))).map(({ channel, link }) => ({ channel: { ...channel }, link: { ...link } }));
  const channelsFor = async (conversationId: string): Promise<ChannelRef[]> => (await linksFor(conversationId)).map((found) => found.channel);

  return {
    async get(channel) {
      const key = channelKey(channel);
      const stored = await cached(`get:${key}`, () => records.get(key));
      return stored === undefined ? undefined : toRecord(stored);
    },
    async link(channel, input) {
      const ref = toChannelRef(channel);
      const key = channelKey(ref);
      return changing(key, async () => {
        const previous = await records.get(key);
        const stored: StoredLink = {
          channel: ref,
          conversationId: input.conversationId,
          linkedAt: input.linkedAt ?? Date.now(),
          linkedBy: input.linkedBy,
          paused: false,
          ...(input.placeId !== undefined ? { placeId: input.placeId } : {}),
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
      return changing(key, async () => {
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
    async setPlace(channel, placeId) {
      return update(channel, (stored) => ({ ...stored, placeId }));
    },
    channelsFor,
    linksFor,
    async conversations() {
      const all = await cached('conversations', async () => {
        const candidates = await backend.maps.list(REVERSE_GROUP);
        const confirmed = await Promise.all(candidates.map(async (id) => ((await channelsFor(id)).length > 0 ? id : undefined)));
        return confirmed.filter((id): id is string => id !== undefined);
      });
      return [...all];
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
