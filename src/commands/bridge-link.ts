/**
 * `/bridge link` and `/bridge unlink`: linking a channel to a Fluxra conversation (by ID, by
 * share code, or a new one), unlinking it, and the answers that say what happens next.
 */

import type { ChannelRef } from '../core/chat.js';
import { describeError, RateLimitedError, UpstreamError } from '../core/errors.js';
import { capitalized, showInput } from '../core/text.js';
import { describeChannels, sameChannel } from '../format/chat-names.js';
import type { ChannelAgentControl } from '../sessions/bound-channels/bound-channels.js';
import type { CursorsRepository } from '../store/cursors.js';
import type { KvNamespace } from '../store/kv.js';
import type { LinksRepository } from '../store/links.js';
import type { BlockSummary } from './block-format.js';
import { defaultConversationName } from './bridge-parse.js';
import { type BridgeTenancyOptions, badCodeText, cannotLinkText, mayLinkDirectly, placeOf, visibleLinks } from './bridge-share.js';
import { signalLinksChanged } from './channel-links.js';
import type { CommandContext } from './types.js';

/** The Fluxra client methods `/bridge` needs (`FluxraClient` satisfies it). */
export interface FluxraLinkApi {
  createConversation(input: { name: string }): Promise<{ conversationId: string; name: string }>;
  /** One page; without `cursor`, the newest. */
  listMessages(input: { conversationId: string; limit?: number }): Promise<{ cursor: string | undefined }>;
  /** Every page. */
  listBlocks(): Promise<BlockSummary[]>;
}

export interface BridgeCommandOptions {
  /** The configured name (`commands.bridge`). */
  name: string;
  /** The configured name of `/block`, for the hints that point at it. */
  blockCommandName: string;
  /** The bridge's own Fluxra agent (`agt_…`), which conversation owners must add as a member. */
  agentId: string;
  /** Absent when Fluxra is not configured: only the agent subcommands work then. */
  fluxra: FluxraLinkApi | undefined;
  links: Pick<LinksRepository, 'get' | 'link' | 'unlink' | 'channelsFor' | 'linksFor'>;
  cursors: Pick<CursorsRepository, 'get' | 'saveDelivered'>;
  /** `store.kv(LINK_STATUS_KV)`: the mirror's per-conversation delivery records. */
  linkStatus: Pick<KvNamespace<unknown>, 'get'>;
  /** How many of a channel's queued items failed for good (dead letters), for status. */
  deadLettersOf?: (channel: ChannelRef) => Promise<number>;
  /** Told which channels were linked or unlinked (the composition root passes the mirror's wake-up). */
  onLinksChanged?: (channels: ChannelRef[]) => void;
  /**
   * Tenants (issue 14): conversation owners and share codes. Without it every channel may
   * link every conversation (the behaviour before tenants; unit tests of the Fluxra half).
   */
  tenancy?: BridgeTenancyOptions;
  /** Channel → agent bindings (the session engine's), when Blocks is configured. */
  agents?: { control: ChannelAgentControl; agentCommand: string; mode: 'queue' | 'interrupt' };
}

/** A Fluxra HTTP refusal of one route (not a 429, not a network failure), else undefined. */
function fluxraRefusal(error: unknown): { status: number; code: string } | undefined {
  if (!(error instanceof UpstreamError) || error.service !== 'fluxra' || error instanceof RateLimitedError) return undefined;
  if (error.status < 400 || error.status >= 500 || error.status === 401) return undefined;
  return { status: error.status, code: error.code };
}

/**
 * A plain-text 403 (code `HTTP_403`) comes from the auth middleware (spec §2.4): it is about
 * the bridge's credentials, not the conversation, so it goes to the router's answer for that.
 */
function isMembershipRefusal(refusal: { status: number; code: string }): boolean {
  return refusal.status === 403 && refusal.code !== 'HTTP_403';
}

/** Why this channel cannot be linked to `conversationId` as it stands, or undefined. */
export async function currentLinkRefusal(links: Pick<LinksRepository, 'get'>, c: string, channel: ChannelRef, conversationId: string | undefined): Promise<string | undefined> {
  const current = await links.get(channel);
  if (current === undefined) return undefined;
  const linked = showInput(current.conversationId, 64);
  if (current.conversationId === conversationId) return `This channel is already linked to ${linked}. See \`${c} status\`.`;
  return `This channel is already linked to ${linked}. Unlink it first with \`${c} unlink\`, then link again.`;
}

/** The first read: where mirroring starts. Answers the refusals that mean "not this conversation". */
async function firstRead(
  options: Pick<BridgeCommandOptions, 'name' | 'tenancy'>,
  fluxra: FluxraLinkApi,
  agent: string,
  conversationId: string,
): Promise<{ cursor: string | undefined } | { refusal: string }> {
  const { name, tenancy } = options;
  const shown = showInput(conversationId, 64);
  try {
    return await fluxra.listMessages({ conversationId, limit: 1 });
  } catch (error) {
    const refusal = fluxraRefusal(error);
    if (refusal === undefined) throw error;
    if (isMembershipRefusal(refusal)) {
      return { refusal: `The bridge's agent is not a member of ${shown}: ask its owner to add ${agent} (the bridge's agent ID), then link again.` };
    }
    if (refusal.status === 404) {
      // With tenants, "no such conversation" must read like "someone else's conversation".
      return { refusal: tenancy === undefined ? `There is no conversation ${shown} (or the bridge cannot see it). Check the ID.` : cannotLinkText(name, conversationId) };
    }
    if (refusal.status === 400) return { refusal: `Fluxra did not accept ${shown} as a conversation ID.` };
    throw error;
  }
}

export interface LinkActions {
  link(conversationId: string, context: CommandContext): Promise<string>;
  linkWithCode(code: string, context: CommandContext): Promise<string>;
  linkNew(requested: string | undefined, context: CommandContext): Promise<string>;
  unlink(context: CommandContext): Promise<string>;
  /** The other channels on the conversation that an answer to this invocation may name (`all`: every one, for admins). */
  othersShown(conversationId: string, context: CommandContext, all?: boolean): Promise<ChannelRef[]>;
}

/** Only called when Fluxra is configured (`options.fluxra` set). */
export function createLinkActions(options: BridgeCommandOptions): LinkActions {
  const { name, links, cursors, onLinksChanged, tenancy } = options;
  const fluxra = options.fluxra as FluxraLinkApi;
  const c = `/${name}`;
  const agent = showInput(options.agentId, 64);

  const linksChanged = (channel: ChannelRef, context: CommandContext): void => signalLinksChanged(onLinksChanged, [channel], context.logger);

  /** The other channels on the conversation that an answer to this invocation may name. */
  async function othersShown(conversationId: string, context: CommandContext, all = false): Promise<ChannelRef[]> {
    const entries = (await links.linksFor(conversationId)).filter((entry) => !sameChannel(entry.channel, context.invocation.channel));
    const shown = tenancy === undefined || all ? entries : visibleLinks(tenancy.tenancy, context.invocation, entries);
    return shown.map((entry) => entry.channel);
  }

  /** Saves where mirroring starts, links the channel, and says what happens next. */
  async function saveLink(conversationId: string, cursor: string | undefined, context: CommandContext, intro: string): Promise<string> {
    const { channel, user, platform } = context.invocation;
    const anyOthers = (await links.channelsFor(conversationId)).some((other) => !sameChannel(other, channel));
    // A saved cursor is where the mirror stands for channels already linked: keep it. With
    // none linked, a saved cursor is stale (left from an earlier link) and would replay the
    // messages since then, so the fresh one replaces it.
    if (cursor !== undefined && (!anyOthers || (await cursors.get(conversationId)) === undefined)) {
      await cursors.saveDelivered(conversationId, cursor);
    }
    const placeId = context.invocation.placeId;
    // The first link makes this channel's workspace or guild the conversation's owner.
    await tenancy?.owners.claim(conversationId, placeOf(context.invocation));
    await links.link(channel, { conversationId, linkedBy: user.id, ...(placeId !== undefined ? { placeId } : {}) });
    const others = await othersShown(conversationId, context);
    context.logger.info({ conversationId, otherChannels: others.length }, 'channel linked');
    linksChanged(channel, context);
    const shown = showInput(conversationId, 64);
    const lines = [`${intro} Messages here now go to ${shown} and agents' replies come back here. Earlier messages are not copied.`];
    if (others.length > 0) {
      lines.push(
        `${capitalized(describeChannels(others, platform))} ${others.length === 1 ? 'is' : 'are'} linked to it too: messages in any of these channels reach the others as well.`,
      );
    }
    return lines.join('\n');
  }

  /** The first read and the block check, then the link. */
  async function readAndLink(conversationId: string, context: CommandContext): Promise<string> {
    const read = await firstRead(options, fluxra, agent, conversationId);
    if ('refusal' in read) return read.refusal;
    const block = (await fluxra.listBlocks()).find((b) => b.targetId.toLowerCase() === conversationId);
    if (block !== undefined) {
      const undo = showInput(`/${options.blockCommandName} remove ${conversationId}`, 80);
      return `The bridge has blocked ${showInput(conversationId, 64)} (block ${showInput(block.blockId, 64)}), so it cannot post into it. Remove the block with ${undo}, then link again.`;
    }
    return saveLink(conversationId, read.cursor, context, 'Linked.');
  }

  async function link(conversationId: string, context: CommandContext): Promise<string> {
    if (tenancy !== undefined && !(await mayLinkDirectly(tenancy, conversationId, context.invocation, context.admin))) {
      context.logger.info({ conversationId }, 'link refused: the conversation belongs to another tenant');
      return cannotLinkText(name, conversationId);
    }
    const refusal = await currentLinkRefusal(links, c, context.invocation.channel, conversationId);
    if (refusal !== undefined) return refusal;
    return readAndLink(conversationId, context);
  }

  async function linkWithCode(code: string, context: CommandContext): Promise<string> {
    if (tenancy === undefined) return badCodeText(name);
    const refusal = await currentLinkRefusal(links, c, context.invocation.channel, undefined);
    if (refusal !== undefined) return refusal;
    const shared = await tenancy.shareCodes.consume(code);
    if (shared === undefined) return badCodeText(name);
    context.logger.info({ conversationId: shared.conversationId, sharedFrom: shared.madeIn }, 'share code used');
    return readAndLink(shared.conversationId, context);
  }

  async function linkNew(requested: string | undefined, context: CommandContext): Promise<string> {
    const { channel } = context.invocation;
    // Before creating anything: a refused link must not leave an orphan conversation behind.
    const refusal = await currentLinkRefusal(links, c, channel, undefined);
    if (refusal !== undefined) return refusal;
    const conversationName = requested ?? defaultConversationName(channel.platform, channel.channelId);
    let created: { conversationId: string; name: string };
    try {
      created = await fluxra.createConversation({ name: conversationName });
    } catch (error) {
      const refused = fluxraRefusal(error);
      if (refused?.status === 400) return `Fluxra did not accept ${showInput(conversationName, 64)} as a conversation name; try another: \`${c} link new <name>\`.`;
      throw error;
    }
    context.logger.info({ conversationId: created.conversationId, name: conversationName }, 'conversation created');
    // Only for the cursor: a new conversation has no history to skip, so a failed read
    // costs nothing and must not leave the new conversation unlinked.
    let cursor: string | undefined;
    try {
      cursor = (await fluxra.listMessages({ conversationId: created.conversationId, limit: 1 })).cursor;
    } catch (error) {
      context.logger.warn({ err: error, conversationId: created.conversationId }, `first read of a new conversation failed: ${describeError(error)}`);
    }
    const intro = `Created the Fluxra conversation ${showInput(created.name || conversationName, 64)} (${showInput(created.conversationId, 64)}) and linked this channel to it.`;
    const answer = await saveLink(created.conversationId, cursor, context, intro);
    return `${answer}\nAgents take part once they are members of it: give ${showInput(created.conversationId, 64)} to their owners.`;
  }

  async function unlink(context: CommandContext): Promise<string> {
    const { channel, platform } = context.invocation;
    const previous = await links.unlink(channel);
    if (previous === undefined) return 'This channel is not linked to a Fluxra conversation.';
    context.logger.info({ conversationId: previous.conversationId }, 'channel unlinked');
    linksChanged(channel, context);
    const remaining = await othersShown(previous.conversationId, context);
    const lines = [`Unlinked this channel from ${showInput(previous.conversationId, 64)}: messages here no longer go to Fluxra, and nothing comes back.`];
    if (remaining.length > 0) lines.push(`${capitalized(describeChannels(remaining, platform))} ${remaining.length === 1 ? 'stays' : 'stay'} linked to it.`);
    return lines.join('\n');
  }

  return { link, linkWithCode, linkNew, unlink, othersShown };
}
