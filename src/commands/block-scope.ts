/**
 * The tenant side of `/block` (issue 14). Fluxra's blocks belong to the bridge's one agent,
 * so the bridge keeps who made each one (src/store/block-makers.ts) and scopes the command:
 * a conversation is blocked or unblocked only from a channel linked to it, a tenant sees
 * and removes only its own blocks, and bridge admins (the allow-lists) see and remove all.
 */
import type { ChannelRef } from '../core/chat.js';
import { describeTenant, sameTenant, type TenancyConfig } from '../core/tenancy.js';
import type { BlockMakers } from '../store/block-makers.js';
import type { LinksRepository } from '../store/links.js';
import type { BlockSummary } from './block-format.js';
import { placeOf } from './bridge-share.js';
import type { CommandContext } from './types.js';

export interface BlockScopeOptions {
  tenancy: TenancyConfig;
  makers: BlockMakers;
  /** The links, for the place of each linked channel an answer might name. */
  links: Pick<LinksRepository, 'get'>;
}

/**
 * The linked channels an answer may name: those of the person's own tenant (admins: all).
 * `hidden` counts the others, so that the answer can say there are more without naming them.
 */
export async function visibleChannels(scope: BlockScopeOptions, channels: readonly ChannelRef[], context: CommandContext): Promise<{ shown: ChannelRef[]; hidden: number }> {
  if (context.admin) return { shown: [...channels], hidden: 0 };
  const here = placeOf(context.invocation);
  const shown: ChannelRef[] = [];
  for (const channel of channels) {
    const placeId = (await scope.links.get(channel))?.placeId;
    if (sameTenant(scope.tenancy, { platform: channel.platform, ...(placeId !== undefined ? { placeId } : {}) }, here)) shown.push(channel);
  }
  return { shown, hidden: channels.length - shown.length };
}

/** The answer when a conversation is neither this channel's nor the person an admin's. */
export function notFromLinkedChannelText(blockCommand: string): string {
  return `A conversation can be blocked or unblocked only from a channel linked to it (there: \`/${blockCommand} conversation\`), or by a bridge admin.`;
}

/** May this invocation act on the blocks of `conversationId`? */
export function mayActOnConversation(linkedHere: string | undefined, conversationId: string, context: CommandContext): boolean {
  return context.admin || linkedHere === conversationId;
}

/** The blocks this invocation may see and remove; admins get all of them, each with its maker. */
export async function visibleBlocks(scope: BlockScopeOptions, blocks: readonly BlockSummary[], context: CommandContext): Promise<Array<BlockSummary & { maker?: string }>> {
  const here = placeOf(context.invocation);
  const out: Array<BlockSummary & { maker?: string }> = [];
  for (const block of blocks) {
    const maker = await scope.makers.get(block.blockId);
    if (context.admin) {
      out.push({ ...block, maker: maker === undefined ? 'made outside the bridge' : `by ${describeTenant(scope.tenancy, maker)}` });
    } else if (maker !== undefined && sameTenant(scope.tenancy, maker, here)) {
      out.push(block);
    }
  }
  return out;
}

/** Records who made a block just created. */
export async function recordMaker(scope: BlockScopeOptions, blockId: string, context: CommandContext): Promise<void> {
  const { invocation } = context;
  await scope.makers.record(blockId, { ...placeOf(invocation), userId: invocation.user.id, at: invocation.receivedAt });
}
