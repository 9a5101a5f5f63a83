/**
 * The tenant side of `/bridge` (issue 14): who owns a conversation, share codes, and which
 * other channels an answer may name. A refusal to link never says whether the conversation
 * exists or which channels are linked to it: "owned by someone else" and "no such
 * conversation" read the same.
 */
import type { CommandInvocation } from '../core/chat.js';
import { type Place, sameTenant, type TenancyConfig } from '../core/tenancy.js';
import { showInput } from '../core/text.js';
import type { ConversationOwners } from '../store/conversation-owners.js';
import type { ChannelLink } from '../store/links.js';
import { SHARE_CODE_TTL_MS, type ShareCodes } from '../store/share-codes.js';

export interface BridgeTenancyOptions {
  tenancy: TenancyConfig;
  owners: ConversationOwners;
  shareCodes: ShareCodes;
}

/** Where a command ran. */
export function placeOf(invocation: Pick<CommandInvocation, 'platform' | 'placeId'>): Place {
  return { platform: invocation.platform, ...(invocation.placeId !== undefined ? { placeId: invocation.placeId } : {}) };
}

/** The place recorded on a link (older links without one count as unknown, thus foreign). */
export function placeOfLink(entry: ChannelLink): Place {
  return { platform: entry.channel.platform, ...(entry.link.placeId !== undefined ? { placeId: entry.link.placeId } : {}) };
}

/** The one answer for every refused `/bridge link conv_…`: it must not tell the cases apart. */
export function cannotLinkText(bridgeCommand: string, conversationId: string): string {
  const c = `/${bridgeCommand}`;
  return (
    `The bridge cannot link this channel to ${showInput(conversationId, 64)}: it does not exist, the bridge cannot see it, or it belongs to another workspace or server. ` +
    `To link a conversation used elsewhere, ask someone in a channel linked to it to run \`${c} share\` and give you the code, then run \`${c} link <code>\` here.`
  );
}

/** The answer to an unknown, expired or used code. */
export function badCodeText(bridgeCommand: string): string {
  return `That share code is not valid (mistyped, expired after 15 minutes, or already used). Ask for a new one: \`/${bridgeCommand} share\` in a channel linked to the conversation.`;
}

/**
 * May the invoker link `conversationId` directly? Yes when nobody owns it yet, when its owner
 * is the invoker's tenant, or for a bridge admin.
 */
export async function mayLinkDirectly(options: BridgeTenancyOptions, conversationId: string, invocation: CommandInvocation, admin: boolean): Promise<boolean> {
  if (admin) return true;
  const owner = await options.owners.get(conversationId);
  return owner === undefined || sameTenant(options.tenancy, owner, placeOf(invocation));
}

/** The links an answer to `invocation` may name: those of its own tenant. */
export function visibleLinks(tenancy: TenancyConfig, invocation: CommandInvocation, entries: readonly ChannelLink[]): ChannelLink[] {
  const mine = placeOf(invocation);
  return entries.filter((entry) => sameTenant(tenancy, placeOfLink(entry), mine));
}

/** `/bridge share` in a linked channel: a one-time code, shown only to the person. */
export async function shareText(options: BridgeTenancyOptions, conversationId: string | undefined, invocation: CommandInvocation, bridgeCommand: string): Promise<string> {
  const c = `/${bridgeCommand}`;
  if (conversationId === undefined)
    return `This channel is not linked to a Fluxra conversation, so there is nothing to share. Link it first: \`${c} link conv_…\` or \`${c} link new\`.`;
  const { code } = await options.shareCodes.create({ conversationId, madeIn: placeOf(invocation), madeBy: invocation.user.id });
  const minutes = Math.round(SHARE_CODE_TTL_MS / 60_000);
  return [
    `Share code for ${showInput(conversationId, 64)}: ${showInput(code, 40)}`,
    `In the channel of the other workspace or server, run ${showInput(`${c} link ${code}`, 80)}. It works once, for ${minutes} minutes; only you can see this message.`,
  ].join('\n');
}
