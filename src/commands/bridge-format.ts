/**
 * How `/bridge status` reads: a short block with this channel's link, whether it mirrors,
 * the other channels on the same conversation, and the last delivery. Everything from the
 * store is echoed inertly (`showInput`, `describeChannel`).
 */
import type { ChannelRef, PlatformName } from '../core/chat.js';
import { showInput } from '../core/text.js';
import { describeChannel, describeUser } from '../format/chat-names.js';
import type { LinkRecord } from '../store/links.js';
import { formatWhen } from './block-format.js';
import { describeLastDelivery } from './bridge-link-status.js';
import { isBlockPause } from './channel-links.js';

/** Most other channels named one by one; more are counted. */
export const MAX_LISTED_CHANNELS = 10;

export interface StatusView {
  viewer: PlatformName;
  link: LinkRecord;
  /** The other channels on the same conversation, with their own link records. */
  others: ReadonlyArray<{ channel: ChannelRef; link: LinkRecord | undefined }>;
  /** What the mirror recorded (`LinkStatus`), or undefined. */
  lastDelivery: unknown;
  blockCommandName: string;
  /** This channel's queued items that failed for good (dead letters). */
  deadLetters?: number;
}

function when(epochMs: number): string {
  return Number.isFinite(epochMs) && Math.abs(epochMs) <= 8.64e15 ? formatWhen(new Date(epochMs).toISOString()) : 'an unknown time';
}

function mirroringLine(view: StatusView): string {
  const { link } = view;
  if (!link.paused) return '• Mirroring: on';
  const reason = link.pausedReason === undefined ? '' : ` (${showInput(link.pausedReason, 60)})`;
  const hint = isBlockPause(link.pausedReason)
    ? `: the bridge has blocked the conversation; ${showInput(`/${view.blockCommandName} remove ${link.conversationId}`, 80)} resumes it`
    : '';
  return `• Mirroring: paused${reason}${hint}`;
}

function othersLine(view: StatusView): string {
  if (view.others.length === 0) return '• Also linked: no other channel';
  const ordered = [...view.others.filter((o) => o.channel.platform === view.viewer), ...view.others.filter((o) => o.channel.platform !== view.viewer)];
  const shown = ordered.slice(0, MAX_LISTED_CHANNELS).map(({ channel, link }) => `${describeChannel(channel, view.viewer)}${link?.paused ? ' (paused)' : ''}`);
  const more = view.others.length - MAX_LISTED_CHANNELS;
  if (more > 0) shown.push(`and ${more} more`);
  return `• Also linked: ${shown.join(', ')}`;
}

/** Shown only when some of this channel's messages failed for good: an operator must look. */
function deadLettersLine(view: StatusView): string[] {
  const count = view.deadLetters ?? 0;
  if (count === 0) return [];
  const what = count === 1 ? '1 message' : `${count} messages`;
  return [
    `• Not delivered: ${what} failed for good and ${count === 1 ? 'is' : 'are'} kept as dead letters; a bridge operator can retry or drop them (\`fluxra-bridge deadletters\`)`,
  ];
}

/** The status block of a linked channel. */
export function formatLinkStatus(view: StatusView): string {
  const { link } = view;
  return [
    `This channel is linked to the Fluxra conversation ${showInput(link.conversationId, 64)} (since ${when(link.linkedAt)}, by ${describeUser(link.linkedBy, view.viewer)}).`,
    mirroringLine(view),
    othersLine(view),
    `• Last delivery: ${describeLastDelivery(view.lastDelivery)}`,
    ...deadLettersLine(view),
  ].join('\n');
}
