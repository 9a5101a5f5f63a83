/**
 * The per-conversation delivery record that `/bridge status` shows: written by both mirror
 * directions after each delivery, read (defensively) by the command.
 */
import type { Store } from '../store/index.js';

/** The `store.kv` namespace of the delivery records, keyed by conversation id. */
export const LINK_STATUS_KV = 'link-status';

/** Which way the last delivered message went. */
export type LinkDirection = 'to-fluxra' | 'from-fluxra';

export interface LinkStatusRecord {
  /** Epoch milliseconds. */
  lastDeliveryAt: number;
  lastDirection: LinkDirection;
}

/** Records that a message of `conversationId` was just delivered in `direction`. */
export async function recordDelivery(store: Pick<Store, 'kv'>, conversationId: string, direction: LinkDirection, at: number): Promise<void> {
  await store.kv<LinkStatusRecord>(LINK_STATUS_KV).set(conversationId, { lastDeliveryAt: at, lastDirection: direction });
}
