/**
 * Which workspace or guild made each Fluxra block the bridge created. Fluxra's blocks belong
 * to the bridge's one agent, so without this record every tenant would see and lift every
 * other tenant's blocks. A block made outside the bridge has no maker: only admins see it.
 */
import type { Place } from '../core/tenancy.js';
import type { KvNamespace } from './kv.js';

export interface BlockMaker extends Place {
  userId: string;
  /** Epoch milliseconds. */
  at: number;
}

/** `store.kv` namespace of the records, keyed by block ID (lowercase). */
export const BLOCK_MAKERS_KV = 'block-makers';

export interface BlockMakers {
  get(blockId: string): Promise<BlockMaker | undefined>;
  record(blockId: string, maker: BlockMaker): Promise<void>;
  forget(blockId: string): Promise<void>;
}

export function createBlockMakers(records: KvNamespace<BlockMaker>): BlockMakers {
  return {
    get: (blockId) => records.get(blockId.toLowerCase()),
    record: (blockId, maker) => records.set(blockId.toLowerCase(), maker),
    async forget(blockId) {
      await records.delete(blockId.toLowerCase());
    },
  };
}
