/**
 * Who owns a Fluxra conversation on this bridge: the place (workspace or guild) of its first
 * link. Other tenants link it only with a share code (src/store/share-codes.ts) or through a
 * bridge admin. The owner outlives the links: unlinking every channel does not hand the
 * conversation to whoever links it next.
 */

import { createKeyedLock } from '../core/keyed-lock.js';
import type { Place } from '../core/tenancy.js';
import type { KvNamespace } from './kv.js';
import type { ChannelLink } from './links.js';

export interface OwnerRecord extends Place {
  /** Epoch milliseconds. */
  since: number;
}

export interface ConversationOwners {
  get(conversationId: string): Promise<OwnerRecord | undefined>;
  /** Records `place` as the owner unless the conversation has one; returns the owner. */
  claim(conversationId: string, place: Place, at?: number): Promise<OwnerRecord>;
}

/** `store.kv` namespace of the owner records. */
export const CONVERSATION_OWNERS_KV = 'conversation-owners';

export function createConversationOwners(records: KvNamespace<OwnerRecord>): ConversationOwners {
  // Two links of one conversation in this process cannot both claim it; across replicas the
  // window is one read and one write, and the loser's link is then simply owned by the winner.
  const lock = createKeyedLock();
  return {
    get: (conversationId) => records.get(conversationId),
    claim: (conversationId, place, at = Date.now()) =>
      lock.run(conversationId, async () => {
        const current = await records.get(conversationId);
        if (current !== undefined) return current;
        const owner: OwnerRecord = { platform: place.platform, ...(place.placeId !== undefined ? { placeId: place.placeId } : {}), since: at };
        await records.set(conversationId, owner);
        return owner;
      }),
  };
}

/**
 * For links made before owners existed: the earliest link of each conversation without an
 * owner gives it one. `placeOf` finds a channel's workspace or guild (links recorded before
 * places were kept on them). Returns how many conversations got an owner.
 */
export async function assignMissingOwners(owners: ConversationOwners, links: readonly ChannelLink[], placeOf: (link: ChannelLink) => Promise<Place>): Promise<number> {
  const earliest = new Map<string, ChannelLink>();
  for (const entry of links) {
    const seen = earliest.get(entry.link.conversationId);
    if (seen === undefined || entry.link.linkedAt < seen.link.linkedAt) earliest.set(entry.link.conversationId, entry);
  }
  let assigned = 0;
  for (const [conversationId, first] of earliest) {
    if ((await owners.get(conversationId)) !== undefined) continue;
    await owners.claim(conversationId, await placeOf(first), first.link.linkedAt);
    assigned += 1;
  }
  return assigned;
}
