/**
 * The per-conversation delivery record that `/bridge status` shows. The mirror engine writes
 * it (`recordDelivery` in src/mirror/link-status.ts) after each delivery;
 * this command only reads it, and reads it defensively: it is written by another part of
 * the bridge (and perhaps an older version of it), so an unexpected shape reads as "unknown"
 * rather than failing the command.
 */

import { showInput } from '../core/text.js';
import type { LinkDirection } from '../mirror/link-status.js';
import { formatWhen } from './block-format.js';

export { LINK_STATUS_KV } from '../mirror/link-status.js';

/** What the mirror engine records about a conversation's last delivery. */
export interface LinkStatus {
  /** Epoch milliseconds (an ISO 8601 string is read too). */
  lastDeliveryAt: number | string;
  /** `to-fluxra`: a chat message reached Fluxra; `from-fluxra`: an agent's message reached the channels. */
  lastDirection: LinkDirection | string;
}

/** The largest time a `Date` can hold (±100,000,000 days from 1970). */
const MAX_DATE_MS = 8.64e15;

const DIRECTION: Readonly<Record<LinkDirection, string>> = {
  'to-fluxra': 'from chat to Fluxra',
  'from-fluxra': 'from Fluxra to chat',
};

/** "3 Apr 2026, 20:01 UTC, from chat to Fluxra", or "no messages yet" when nothing was delivered. */
export function describeLastDelivery(record: unknown): string {
  if (typeof record !== 'object' || record === null) return 'no messages yet';
  const { lastDeliveryAt, lastDirection } = record as Partial<Record<keyof LinkStatus, unknown>>;
  let when: string;
  if (typeof lastDeliveryAt === 'number' && Math.abs(lastDeliveryAt) <= MAX_DATE_MS) when = formatWhen(new Date(lastDeliveryAt).toISOString());
  else if (typeof lastDeliveryAt === 'string' && !Number.isNaN(Date.parse(lastDeliveryAt))) when = formatWhen(lastDeliveryAt);
  else when = 'at an unknown time';
  if (typeof lastDirection !== 'string') return when;
  const direction = Object.hasOwn(DIRECTION, lastDirection) ? DIRECTION[lastDirection as LinkDirection] : showInput(lastDirection, 24);
  return `${when}, ${direction}`;
}
