/**
 * `/bridge`: links chat channels to Fluxra group conversations (issue 4 §1, spec §9.3).
 * A link is one record in the store (channel → conversation); the mirror engine reads the
 * links and does the mirroring. A Slack channel and a Discord channel may share one
 * conversation: a three-way mirror.
 *
 * Before linking, the conversation is checked by a first read (the bridge's agent must be a
 * member) and against the bridge's own block list (a blocked conversation cannot be written
 * to). The cursor of that first read becomes where mirroring starts, so history is not
 * replayed into the channel. Route-specific answers (403 and 404 on the read, 400 on create)
 * are given here; 401, 429, 5xx and network failures go up to the router.
 *
 * `link agent` / `unlink agent` bind the channel to a Blocks agent instead (bridge-agent.ts);
 * either half works without the other's service configured.
 */
import { RateLimitedError, UpstreamError, describeError } from '../core/errors.js';
import type { ChannelRef } from '../core/chat.js';
import type { CursorsRepository } from '../store/cursors.js';
import type { KvNamespace } from '../store/kv.js';
import type { LinksRepository } from '../store/links.js';
import type { ChannelAgentControl } from '../sessions/bound-channels/bound-channels.js';
import type { BlockSummary } from './block-format.js';
import { agentStatusLines, linkAgent, unlinkAgent, type BridgeAgentOptions } from './bridge-agent.js';
import { describeChannels, sameChannel } from '../format/chat-names.js';
import { formatLinkStatus } from './bridge-format.js';
import { bridgeUsage, defaultConversationName, parseBridgeArgs, type BridgeRequest } from './bridge-parse.js';
import { badCodeText, cannotLinkText, mayLinkDirectly, placeOf, shareText, visibleLinks, type BridgeTenancyOptions } from './bridge-share.js';
import { capitalized, showInput } from '../core/text.js';
import type { CommandContext, CommandHandler } from './types.js';

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

/** What `/bridge` says when Fluxra is not configured and someone asks for a conversation. */
export const NO_FLUXRA_TEXT = 'This bridge has no Fluxra credentials, so channels cannot be linked to Fluxra conversations.';

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

export function createBridgeCommand(options: BridgeCommandOptions): CommandHandler<BridgeRequest> {
  const { name, links, cursors, linkStatus, onLinksChanged, tenancy } = options;
  // Used only behind the `options.fluxra === undefined` checks in `run`.
  const fluxra = options.fluxra as FluxraLinkApi;
  const c = `/${name}`;
  const agentOptions: BridgeAgentOptions = { bridgeCommand: name, agentCommand: options.agents?.agentCommand ?? 'agent', mode: options.agents?.mode ?? 'queue' };
  const control = options.agents?.control;
  const agent = showInput(options.agentId, 64);

  function linksChanged(channel: ChannelRef, context: CommandContext): void {
    if (onLinksChanged === undefined) return;
    try {
      onLinksChanged([channel]);
    } catch (error) {
      // The link is saved; the mirror picks it up on its next pass anyway.
      context.logger.warn({ err: error }, `could not signal the link change: ${describeError(error)}`);
    }
  }

  /** Why this channel cannot be linked to `conversationId` as it stands, or undefined. */
  async function currentLinkRefusal(channel: ChannelRef, conversationId: string | undefined): Promise<string | undefined> {
    const current = await links.get(channel);
    if (current === undefined) return undefined;
    const linked = showInput(current.conversationId, 64);
    if (current.conversationId === conversationId) return `This channel is already linked to ${linked}. See \`${c} status\`.`;
    return `This channel is already linked to ${linked}. Unlink it first with \`${c} unlink\`, then link again.`;
  }

  /** The other channels on the conversation that an answer to this invocation may name. */
  async function othersShown(conversationId: string, context: CommandContext, all = false): Promise<ChannelRef[]> {
    const entries = (await links.linksFor(conversationId)).filter((entry) => !sameChannel(entry.channel, context.invocation.channel));
    const shown = tenancy === undefined || all ? entries : visibleLinks(tenancy.tenancy, context.invocation, entries);
    return shown.map((entry) => entry.channel);
  }

  /** The first read: where mirroring starts. Answers the refusals that mean "not this conversation". */
  async function firstRead(conversationId: string): Promise<{ cursor: string | undefined } | { refusal: string }> {
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
      lines.push(`${capitalized(describeChannels(others, platform))} ${others.length === 1 ? 'is' : 'are'} linked to it too: messages in any of these channels reach the others as well.`);
    }
    return lines.join('\n');
  }

  /** The first read and the block check, then the link. */
  async function readAndLink(conversationId: string, context: CommandContext): Promise<string> {
    const read = await firstRead(conversationId);
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
    const refusal = await currentLinkRefusal(context.invocation.channel, conversationId);
    if (refusal !== undefined) return refusal;
    return readAndLink(conversationId, context);
  }

  async function linkWithCode(code: string, context: CommandContext): Promise<string> {
    if (tenancy === undefined) return badCodeText(name);
    const refusal = await currentLinkRefusal(context.invocation.channel, undefined);
    if (refusal !== undefined) return refusal;
    const shared = await tenancy.shareCodes.consume(code);
    if (shared === undefined) return badCodeText(name);
    context.logger.info({ conversationId: shared.conversationId, sharedFrom: shared.madeIn }, 'share code used');
    return readAndLink(shared.conversationId, context);
  }

  async function linkNew(requested: string | undefined, context: CommandContext): Promise<string> {
    const { channel } = context.invocation;
    // Before creating anything: a refused link must not leave an orphan conversation behind.
    const refusal = await currentLinkRefusal(channel, undefined);
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

  async function status(context: CommandContext): Promise<string> {
    const lines = options.fluxra === undefined ? [] : [await linkStatusText(context)];
    lines.push(...(await agentStatusLines(control, context.invocation.channel, agentOptions)));
    return lines.join('\n');
  }

  async function linkStatusText(context: CommandContext): Promise<string> {
    const { channel, platform } = context.invocation;
    const link = await links.get(channel);
    if (link === undefined) {
      return `This channel is not linked to a Fluxra conversation. Link it with \`${c} link conv_…\` or \`${c} link new\`.`;
    }
    const otherChannels = await othersShown(link.conversationId, context, context.admin);
    const others = await Promise.all(otherChannels.map(async (other) => ({ channel: other, link: await links.get(other) })));
    const lastDelivery = await linkStatus.get(link.conversationId);
    return formatLinkStatus({ viewer: platform, link, others, lastDelivery, blockCommandName: options.blockCommandName });
  }

  return {
    name,
    permissionVerb: 'manage bridge links',
    spec: {
      description: 'Link this channel to a Fluxra conversation or bind it to an agent, unlink, see its status',
      subcommands: [
        {
          name: 'link',
          description: 'Link this channel to a Fluxra conversation',
          options: [
            { name: 'conversation', description: 'The conversation ID (conv_…), a share code (shr_…), new to create one, or agent to bind an agent', required: true },
            { name: 'name', description: 'With new: the new conversation’s name; with agent: the agent (claude, codex, an alias)', required: false },
          ],
        },
        {
          name: 'unlink',
          description: 'Stop mirroring this channel (or, with agent, unbind its agent)',
          options: [{ name: 'what', description: 'agent to unbind the agent instead', required: false }],
        },
        { name: 'share', description: "A one-time code that lets another workspace or server link this channel's conversation", options: [] },
        { name: 'status', description: 'What this channel is linked to, and how it is doing', options: [] },
        { name: 'help', description: 'How to use this command', options: [] },
      ],
    },
    parse: (args) => parseBridgeArgs(name, args),
    access: (request) => (request.action === 'help' ? 'everyone' : 'restricted'),
    changesState: (request) => request.action !== 'help' && request.action !== 'status',
    async run(request, context) {
      switch (request.action) {
        case 'help':
          return bridgeUsage(name);
        case 'link':
          return options.fluxra === undefined ? NO_FLUXRA_TEXT : link(request.conversationId, context);
        case 'link-code':
          return options.fluxra === undefined ? NO_FLUXRA_TEXT : linkWithCode(request.code, context);
        case 'share':
          if (tenancy === undefined || options.fluxra === undefined) return NO_FLUXRA_TEXT;
          return shareText(tenancy, (await links.get(context.invocation.channel))?.conversationId, context.invocation, name);
        case 'link-new':
          return options.fluxra === undefined ? NO_FLUXRA_TEXT : linkNew(request.name, context);
        case 'unlink':
          return options.fluxra === undefined ? NO_FLUXRA_TEXT : unlink(context);
        case 'link-agent':
          return linkAgent(control, request.agent, context, agentOptions);
        case 'unlink-agent':
          return unlinkAgent(control, context);
        case 'status':
          return status(context);
      }
    },
  };
}
