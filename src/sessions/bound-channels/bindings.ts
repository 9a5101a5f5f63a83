/**
 * Channel → agent bindings (issue 8): a bound channel sends every person's message to one
 * long-lived Blocks session of its agent. The binding record is the truth for "is this
 * channel bound" and names the channel's current session, which `/agent new` forgets so that
 * the next message starts a fresh one.
 */
import type { ChannelRef } from '../../core/chat.js';
import { createKeyedLock } from '../../core/keyed-lock.js';
import { channelKey, toChannelRef } from '../../core/keys.js';
import type { ResolvedAgent } from '../../services/blocks/types.js';
import type { Store } from '../../store/index.js';

/** One bound channel. */
export interface ChannelBinding {
  channel: ChannelRef;
  /** The name people used (`claude`, an alias), shown in answers. */
  agentLabel: string;
  agent: ResolvedAgent;
  boundBy: string;
  /** Epoch ms. */
  boundAt: number;
  /** The session record messages go to; absent until the first message (and after `/agent new`). */
  sessionRecordId?: string;
  /** Sessions this binding has started (names the next one). */
  sessionCount: number;
}

export const CHANNEL_BINDINGS_KV = 'channel-bindings';

/** Session record ids of bound channels start with it (thread sessions use `m:` and `c:`). */
export const CHANNEL_SESSION_PREFIX = 'ch:';

export function isChannelSessionId(sessionRecordId: string): boolean {
  return sessionRecordId.startsWith(CHANNEL_SESSION_PREFIX);
}

/** `ch:<channel>:<bound at>:<n>`: unique across unbind and bind again. */
export function channelSessionId(binding: ChannelBinding, n: number): string {
  return `${CHANNEL_SESSION_PREFIX}${channelKey(binding.channel)}:${binding.boundAt.toString(36)}:${n}`;
}

export interface ChannelBindings {
  get(channel: ChannelRef): Promise<ChannelBinding | undefined>;
  put(binding: ChannelBinding): Promise<void>;
  /** The binding it had, if any. */
  remove(channel: ChannelRef): Promise<ChannelBinding | undefined>;
  /** Every bound channel (catch-up after downtime reads their history). */
  list(): Promise<ChannelBinding[]>;
}

/** The kv key of the list of bound channel keys (kv namespaces cannot be listed). */
const INDEX_KEY = '__bound-channels__';

export function createChannelBindings(store: Store): ChannelBindings {
  const records = store.kv<ChannelBinding>(CHANNEL_BINDINGS_KV);
  const index = store.kv<string[]>(`${CHANNEL_BINDINGS_KV}-index`);
  // The index is read-modify-write: serialise its updates in this process. Readers check each
  // entry against its record, so an index entry left behind by a crash is harmless.
  const lock = createKeyedLock();
  const updateIndex = (change: (keys: Set<string>) => void): Promise<void> =>
    lock.run(INDEX_KEY, async () => {
      const keys = new Set((await index.get(INDEX_KEY)) ?? []);
      change(keys);
      await index.set(INDEX_KEY, [...keys]);
    });
  return {
    get: (channel) => records.get(channelKey(channel)),
    async put(binding) {
      const key = channelKey(binding.channel);
      // Index first: a crash between the two writes leaves an entry without a record, never a hidden binding.
      await updateIndex((keys) => keys.add(key));
      await records.set(key, { ...binding, channel: toChannelRef(binding.channel) });
    },
    async remove(channel) {
      const key = channelKey(channel);
      const previous = await records.get(key);
      if (previous !== undefined) await records.delete(key);
      await updateIndex((keys) => keys.delete(key));
      return previous;
    },
    async list() {
      const keys = (await index.get(INDEX_KEY)) ?? [];
      const found = await Promise.all(keys.map((key) => records.get(key)));
      return found.filter((binding): binding is ChannelBinding => binding !== undefined);
    },
  };
}
