/**
 * How `/block list` reads: one line per block (what kind, what, the block ID, since when),
 * newest first, cut to a length that fits one Discord message (2,000 characters), with a
 * line that says how many more there are.
 */
import { showInput } from '../core/text.js';

/** The fields of a Fluxra block the list shows (structurally `FluxraBlock`). */
export interface BlockSummary {
  blockId: string;
  targetType: string;
  targetId: string;
  createdAt: string;
}

/** Longest list shown: a line is up to about 140 characters, and Discord's limit is 2,000. */
export const MAX_LISTED_BLOCKS = 12;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * "3 Apr 2026, 20:00 UTC". UTC because the bridge does not know the reader's time zone, and
 * built by hand so that the answer does not depend on the host's locale data.
 */
export function formatWhen(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso === '' ? 'an unknown time' : showInput(iso);
  const d = new Date(time);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** "agent", "conversation" (Fluxra calls it `group`), or whatever else the server stored. */
export function describeTargetType(targetType: string): string {
  if (targetType === 'group') return 'conversation';
  if (targetType === 'agent') return 'agent';
  return showInput(targetType, 20);
}

/**
 * The list answer. Server values are echoed through `showInput` too: they are data from
 * the wire, and an ID of an unexpected shape must not turn into markup.
 */
export function formatBlockList(blocks: ReadonlyArray<BlockSummary & { maker?: string }>, commandName: string): string {
  if (blocks.length === 0) return `Nothing is blocked. Block an agent with \`/${commandName} agent agt_…\`.`;
  const newestFirst = [...blocks].sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0));
  const shown = newestFirst.slice(0, MAX_LISTED_BLOCKS);
  const lines = shown.map(
    (block) =>
      `• ${describeTargetType(block.targetType)} ${showInput(block.targetId, 64)}, block ${showInput(block.blockId, 64)}, since ${formatWhen(block.createdAt)}${block.maker === undefined ? '' : ` (${block.maker})`}`,
  );
  const header = blocks.length === 1 ? '1 block:' : `${blocks.length} blocks, newest first:`;
  const more = blocks.length - shown.length;
  if (more > 0) lines.push(`…and ${more} older, not shown. To unblock something by what it is: \`/${commandName} remove agt_…\` or \`conv_…\`.`);
  lines.push(`Remove a block with \`/${commandName} remove blk_…\`.`);
  return [header, ...lines].join('\n');
}
