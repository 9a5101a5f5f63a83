/**
 * Channel → agent bindings (issue 8): a bound channel sends every person's message to one
 * long-lived Blocks session of its agent. The binding record is the truth for "is this
 * channel bound" and names the channel's current session, which `/agent new` forgets so that
 * the next message starts a fresh one.
 */
import type { ChannelRef } from '../platforms/types.js';
import type { ResolvedAgent } from '../services/blocks/types.js';
import type { Store } from '../store/index.js';
import { channelKey, toChannelRef } from '../store/keys.js';

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
}

export function createChannelBindings(store: Store): ChannelBindings {
  const records = store.kv<ChannelBinding>(CHANNEL_BINDINGS_KV);
  return {
    get: (channel) => records.get(channelKey(channel)),
    put: (binding) => records.set(channelKey(binding.channel), { ...binding, channel: toChannelRef(binding.channel) }),
    async remove(channel) {
      const previous = await records.get(channelKey(channel));
      if (previous !== undefined) await records.delete(channelKey(channel));
      return previous;
    },
  };
}
