/**
 * `/block`: the Fluxra Blocks endpoints from chat (spec §6, §9.7). Blocks belong to the
 * bridge's Fluxra agent: blocking an agent or a conversation stops it from reaching the
 * bridge (and the bridge from posting into a blocked conversation).
 *
 * This file answers the codes that mean something specific for a route (409 on create,
 * 404 and 400 on delete, 400 INVALID_TARGET on create); 401/403, 429, 5xx and network
 * failures go up to the router, whose answers are the same for every command.
 *
 * Links: blocking a conversation that chat channels are linked to pauses those links (the
 * bridge could not post into it anyway), and removing the block resumes the links that a
 * block paused. Links paused for another reason are left alone.
 */
import { RateLimitedError, UpstreamError } from '../core/errors.js';
import { showInput } from '../core/text.js';
import { type BlockSummary, formatBlockList } from './block-format.js';
import { type BlockLinkOptions, createBlockLinkEffects } from './block-links.js';
import { type BlockRequest, blockUsage, parseBlockArgs } from './block-parse.js';
import { type BlockScopeOptions, mayActOnConversation, notFromLinkedChannelText, recordMaker, visibleBlocks } from './block-scope.js';
import { type ChannelLinkPauses, noChannelLinks } from './channel-links.js';
import type { FluxraId } from './fluxra-ids.js';
import type { CommandContext, CommandHandler } from './types.js';

/**
 * The three Fluxra client methods `/block` needs, declared here so that this command
 * depends on no more of the client than it uses (`FluxraClient` satisfies it).
 */
export interface FluxraBlocksApi {
  createBlock(input: { type: 'agent' | 'group'; targetId: string }): Promise<BlockSummary>;
  /** Every page. */
  listBlocks(): Promise<BlockSummary[]>;
  deleteBlock(blockId: string): Promise<void>;
}

export interface BlockCommandOptions extends BlockLinkOptions {
  fluxra: FluxraBlocksApi;
}

/** `{status, code}` of a Fluxra HTTP error answer (not a 429, not a network failure), else undefined. */
function fluxraRefusal(error: unknown): { status: number; code: string } | undefined {
  if (!(error instanceof UpstreamError) || error.service !== 'fluxra' || error instanceof RateLimitedError) return undefined;
  if (error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 403) return undefined;
  return { status: error.status, code: error.code };
}

const NOUN: Readonly<Record<FluxraId['kind'], string>> = { agent: 'agent', conversation: 'conversation', block: 'block' };

/** The `/block` subcommands, as registered with the platforms. */
const BLOCK_SPEC: CommandHandler<BlockRequest>['spec'] = {
  description: 'Block an agent or a conversation on Fluxra, list blocks, remove one',
  subcommands: [
    { name: 'agent', description: 'Block an agent', options: [{ name: 'agent_id', description: 'The agent ID (agt_…)', required: true }] },
    {
      name: 'conversation',
      description: "Block a conversation (default: this channel's)",
      options: [{ name: 'conversation_id', description: 'The conversation ID (conv_…)', required: false }],
    },
    { name: 'list', description: 'Show what is blocked', options: [] },
    { name: 'remove', description: 'Remove a block', options: [{ name: 'id', description: 'The block ID (blk_…), or what it blocks (agt_… or conv_…)', required: true }] },
    { name: 'help', description: 'How to use this command', options: [] },
  ],
};

/**
 * The conversation a block ID blocks, when links paused by a block wait for it. Only
 * then is the list read: without such links there is nothing to resume.
 */
async function pausedConversationOfBlock(linkPauses: ChannelLinkPauses | undefined, fluxra: FluxraBlocksApi, blockId: string): Promise<string | undefined> {
  if (linkPauses === undefined) return undefined;
  const waiting = await linkPauses.blockPausedConversations();
  if (waiting.size === 0) return undefined;
  const match = (await fluxra.listBlocks()).find((b) => b.blockId.toLowerCase() === blockId);
  const target = match?.targetId.toLowerCase();
  return target !== undefined && waiting.has(target) ? target : undefined;
}

/** What a person is told when Fluxra refuses to block the target; undefined for refusals that are not about it. */
export function blockRefusedText(refusal: { status: number; code: string }, kind: 'agent' | 'conversation', targetId: string): string | undefined {
  const noun = NOUN[kind];
  const target = `${noun} ${showInput(targetId, 64)}`;
  if (refusal.code === 'INVALID_TARGET')
    return `Fluxra will not block ${target}: no such ${noun} is visible to the bridge${kind === 'agent' ? ", or it is the bridge's own agent" : ''}.`;
  if (refusal.status === 404) return `Fluxra cannot find ${target} (it does not exist, or the bridge cannot see it).`;
  if (refusal.status === 400) return `Fluxra did not accept ${showInput(targetId, 64)} as ${kind === 'agent' ? 'an agent' : 'a conversation'} to block.`;
  return undefined;
}

/** Removes one block (and forgets who made it); a refusal about the ID is the answer. */
async function removeBlock(
  deps: { fluxra: FluxraBlocksApi; scope: BlockScopeOptions | undefined; c: string },
  blockId: string,
  context: CommandContext,
  what: string,
): Promise<{ text: string; removed: boolean }> {
  const { fluxra, scope, c } = deps;
  try {
    await fluxra.deleteBlock(blockId);
  } catch (error) {
    const refusal = fluxraRefusal(error);
    if (refusal === undefined) throw error;
    if (refusal.status === 404) return { text: `There is no block ${showInput(blockId, 64)} (already removed?). See \`${c} list\`.`, removed: false };
    if (refusal.status === 400) {
      return { text: `Fluxra says ${showInput(blockId, 64)} is not a block ID${refusal.code === 'INVALID_BLOCK_ID' ? '' : ` (${refusal.code})`}.`, removed: false };
    }
    throw error;
  }
  context.logger.info({ blockId }, 'block removed');
  await scope?.makers.forget(blockId);
  return { text: `Removed ${what}.`, removed: true };
}

export function createBlockCommand(options: BlockCommandOptions): CommandHandler<BlockRequest> {
  const { name, fluxra } = options;
  const channelLinks = options.channelLinks ?? noChannelLinks;
  const { linkPauses, scope } = options;
  const c = `/${name}`;

  const { pauseLinks, resumeLinks } = createBlockLinkEffects(options);

  /** The blocks this person may see and remove (all without tenants). */
  async function blocksInScope(context: CommandContext): Promise<Array<BlockSummary & { maker?: string }>> {
    const all = await fluxra.listBlocks();
    return scope === undefined ? all : visibleBlocks(scope, all, context);
  }

  async function block(kind: 'agent' | 'conversation', targetId: string, context: CommandContext): Promise<string> {
    const noun = NOUN[kind];
    const target = `${noun} ${showInput(targetId, 64)}`;
    let created: BlockSummary;
    try {
      created = await fluxra.createBlock({ type: kind === 'agent' ? 'agent' : 'group', targetId });
    } catch (error) {
      const refusal = fluxraRefusal(error);
      if (refusal === undefined) throw error;
      if (refusal.status === 409 || refusal.code === 'CONFLICT') {
        const already = `${capitalise(target)} is already blocked. See \`${c} list\`.`;
        // Blocked outside the bridge, or before the link: its links must pause all the same.
        const links = kind === 'conversation' ? await pauseLinks(targetId, context) : undefined;
        return links === undefined ? already : `${already}\n${links}`;
      }
      const refused = blockRefusedText(refusal, kind, targetId);
      if (refused === undefined) throw error;
      return refused;
    }
    context.logger.info({ blockId: created.blockId, targetType: created.targetType, targetId: created.targetId }, 'block created');
    if (scope !== undefined) await recordMaker(scope, created.blockId, context);
    // The block ID comes from the wire: even inside the suggested command it goes through showInput.
    const lines = [`Blocked ${target} (block ${showInput(created.blockId, 64)}). Undo with ${showInput(`${c} remove ${created.blockId}`, 80)}.`];
    if (kind === 'conversation') {
      const links = await pauseLinks(targetId, context);
      if (links !== undefined) lines.push(links);
    }
    return lines.join('\n');
  }

  const removeBlockId = (blockId: string, context: CommandContext, what: string) => removeBlock({ fluxra, scope, c }, blockId, context, what);

  async function remove(id: FluxraId, context: CommandContext): Promise<string> {
    if (scope !== undefined && id.kind === 'conversation') {
      const linkedHere = await channelLinks.conversationFor(context.invocation.channel);
      if (!mayActOnConversation(linkedHere, id.id, context)) return notFromLinkedChannelText(name);
    }
    if (scope !== undefined && id.kind === 'block' && !context.admin && !(await blocksInScope(context)).some((b) => b.blockId.toLowerCase() === id.id)) {
      // Someone else's block reads like no block at all.
      return `There is no block ${showInput(id.id, 64)} of yours (already removed?). See \`${c} list\`.`;
    }
    if (id.kind === 'block') {
      const conversationId = await pausedConversationOfBlock(linkPauses, fluxra, id.id);
      const result = await removeBlockId(id.id, context, `block ${showInput(id.id, 64)}`);
      const links = result.removed && conversationId !== undefined ? await resumeLinks(conversationId, context) : undefined;
      return links === undefined ? result.text : `${result.text}\n${links}`;
    }
    // No delete-by-target route (spec §6.3): find the target's block among every page.
    const target = `${NOUN[id.kind]} ${showInput(id.id, 64)}`;
    const all = (await fluxra.listBlocks()).filter((b) => b.targetId.toLowerCase() === id.id);
    const matches = scope === undefined ? all : await visibleBlocks(scope, all, context);
    // Blocks of other tenants on the same target stay, and so do the pauses they hold.
    const othersRemain = matches.length < all.length;
    const answers: string[] = [];
    // True once nothing blocks the target any more (it was not blocked, or a block was removed).
    let unblocked = all.length === 0;
    if (matches.length === 0) answers.push(othersRemain ? notYoursText(id.kind, target) : `${capitalise(target)} is not blocked.`);
    for (const match of matches) {
      const result = await removeBlockId(match.blockId, context, `the block on ${target} (block ${showInput(match.blockId, 64)})`);
      answers.push(result.text);
      unblocked ||= result.removed && !othersRemain;
    }
    // Also when it was not blocked (any more): links a block paused have nothing left to wait for.
    if (id.kind === 'conversation' && unblocked) {
      const links = await resumeLinks(id.id, context);
      if (links !== undefined) answers.push(links);
    }
    return answers.join('\n');
  }

  return {
    name,
    permissionVerb: 'block',
    registration: 'privileged',
    spec: BLOCK_SPEC,
    parse: (args) => parseBlockArgs(name, args),
    access: (request) => (request.action === 'help' ? 'everyone' : 'restricted'),
    changesState: (request) => request.action !== 'help' && request.action !== 'list',
    async run(request, context) {
      switch (request.action) {
        case 'help':
          return blockUsage(name);
        case 'block-agent':
          return block('agent', request.agentId, context);
        case 'block-conversation': {
          const linkedHere = await channelLinks.conversationFor(context.invocation.channel);
          const conversationId = request.conversationId ?? linkedHere;
          if (conversationId === undefined) return `This channel is not linked to a Fluxra conversation; give one: \`${c} conversation conv_…\`.`;
          if (scope !== undefined && !mayActOnConversation(linkedHere, conversationId, context)) return notFromLinkedChannelText(name);
          return block('conversation', conversationId, context);
        }
        case 'list':
          return formatBlockList(await blocksInScope(context), name);
        case 'remove':
          return remove(request.id, context);
      }
    },
  };
}

/**
 * Someone else's block on the target. From a channel linked to a conversation, its people may
 * know the conversation is blocked; of an agent they learn only that they have no block on it.
 */
function notYoursText(kind: FluxraId['kind'], target: string): string {
  if (kind === 'conversation') return `${capitalise(target)} is blocked by another workspace or server: only they or a bridge admin can remove that block.`;
  return `${capitalise(target)} has no block of yours.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
