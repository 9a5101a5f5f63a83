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

/** How stale `/bridge status` may show a busy link's last delivery, to save a write per message. */
export const DELIVERY_RECORD_RESOLUTION_MS = 1_000;
/** Conversations remembered by a recorder before it starts over (it only saves writes). */
const MAX_REMEMBERED = 10_000;

/**
 * `recordDelivery`, skipped when this recorder wrote the same direction for the conversation
 * less than `resolutionMs` ago: on a busy link the record is otherwise rewritten per message.
 */
export function createDeliveryRecorder(
  store: Pick<Store, 'kv'>,
  resolutionMs: number = DELIVERY_RECORD_RESOLUTION_MS,
): (conversationId: string, direction: LinkDirection, at: number) => Promise<void> {
  const written = new Map<string, LinkStatusRecord>();
  return async (conversationId, direction, at) => {
    const last = written.get(conversationId);
    if (last !== undefined && last.lastDirection === direction && at >= last.lastDeliveryAt && at - last.lastDeliveryAt < resolutionMs) return;
    await recordDelivery(store, conversationId, direction, at);
    if (written.size >= MAX_REMEMBERED) written.clear();
    written.set(conversationId, { lastDeliveryAt: at, lastDirection: direction });
  };
}
