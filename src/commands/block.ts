/**
 * `/block`: the Fluxra Blocks endpoints from chat (spec §6, §9.7). Blocks belong to the
 * bridge's Fluxra agent: blocking an agent or a conversation stops it from reaching the
 * bridge (and the bridge from posting into a blocked conversation).
 *
 * This file answers the codes that mean something specific for a route (409 on create,
 * 404 and 400 on delete, 400 INVALID_TARGET on create); 401/403, 429, 5xx and network
 * failures go up to the router, whose answers are the same for every command.
 */
import { RateLimitedError, UpstreamError } from '../errors.js';
import { formatBlockList, type BlockSummary } from './block-format.js';
import { blockUsage, parseBlockArgs, type BlockRequest } from './block-parse.js';
import { noChannelLinks, type ChannelLinkLookup } from './channel-links.js';
import type { FluxraId } from './fluxra-ids.js';
import { showInput } from './text.js';
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

export interface BlockCommandOptions {
  /** The configured name (`commands.block`). */
  name: string;
  fluxra: FluxraBlocksApi;
  /** Finds the conversation for `/block conversation` without an ID. Default: no channel is linked. */
  channelLinks?: ChannelLinkLookup;
}

/** `{status, code}` of a Fluxra HTTP error answer (not a 429, not a network failure), else undefined. */
function fluxraRefusal(error: unknown): { status: number; code: string } | undefined {
  if (!(error instanceof UpstreamError) || error.service !== 'fluxra' || error instanceof RateLimitedError) return undefined;
  if (error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 403) return undefined;
  return { status: error.status, code: error.code };
}

const NOUN: Readonly<Record<FluxraId['kind'], string>> = { agent: 'agent', conversation: 'conversation', block: 'block' };

export function createBlockCommand(options: BlockCommandOptions): CommandHandler<BlockRequest> {
  const { name, fluxra } = options;
  const channelLinks = options.channelLinks ?? noChannelLinks;
  const c = `/${name}`;

  async function block(kind: 'agent' | 'conversation', targetId: string, context: CommandContext): Promise<string> {
    const noun = NOUN[kind];
    const target = `${noun} ${showInput(targetId, 64)}`;
    let created: BlockSummary;
    try {
      created = await fluxra.createBlock({ type: kind === 'agent' ? 'agent' : 'group', targetId });
    } catch (error) {
      const refusal = fluxraRefusal(error);
      if (refusal === undefined) throw error;
      if (refusal.status === 409 || refusal.code === 'CONFLICT') return `${capitalise(target)} is already blocked. See \`${c} list\`.`;
      if (refusal.code === 'INVALID_TARGET') {
        return `Fluxra will not block ${target}: no such ${noun} is visible to the bridge${kind === 'agent' ? ", or it is the bridge's own agent" : ''}.`;
      }
      if (refusal.status === 404) return `Fluxra cannot find ${target} (it does not exist, or the bridge cannot see it).`;
      if (refusal.status === 400) return `Fluxra did not accept ${showInput(targetId, 64)} as ${kind === 'agent' ? 'an agent' : 'a conversation'} to block.`;
      throw error;
    }
    context.logger.info({ blockId: created.blockId, targetType: created.targetType, targetId: created.targetId }, 'block created');
    // The block ID comes from the wire: even inside the suggested command it goes through showInput.
    const lines = [`Blocked ${target} (block ${showInput(created.blockId, 64)}). Undo with ${showInput(`${c} remove ${created.blockId}`, 80)}.`];
    if (kind === 'conversation' && (await channelLinks.conversationFor(context.invocation.channel)) === targetId) {
      lines.push('This channel is linked to that conversation: the bridge cannot post into it until the block is removed.');
    }
    return lines.join('\n');
  }

  async function removeBlockId(blockId: string, context: CommandContext, what: string): Promise<string> {
    try {
      await fluxra.deleteBlock(blockId);
    } catch (error) {
      const refusal = fluxraRefusal(error);
      if (refusal === undefined) throw error;
      if (refusal.status === 404) return `There is no block ${showInput(blockId, 64)} (already removed?). See \`${c} list\`.`;
      if (refusal.status === 400) return `Fluxra says ${showInput(blockId, 64)} is not a block ID${refusal.code === 'INVALID_BLOCK_ID' ? '' : ` (${refusal.code})`}.`;
      throw error;
    }
    context.logger.info({ blockId }, 'block removed');
    return `Removed ${what}.`;
  }

  async function remove(id: FluxraId, context: CommandContext): Promise<string> {
    if (id.kind === 'block') return removeBlockId(id.id, context, `block ${showInput(id.id, 64)}`);
    // No delete-by-target route (spec §6.3): find the target's block among every page.
    const target = `${NOUN[id.kind]} ${showInput(id.id, 64)}`;
    const matches = (await fluxra.listBlocks()).filter((b) => b.targetId.toLowerCase() === id.id);
    if (matches.length === 0) return `${capitalise(target)} is not blocked.`;
    const answers: string[] = [];
    for (const match of matches) {
      answers.push(await removeBlockId(match.blockId, context, `the block on ${target} (block ${showInput(match.blockId, 64)})`));
    }
    return answers.join('\n');
  }

  return {
    name,
    permissionVerb: 'block',
    spec: {
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
    },
    parse: (args) => parseBlockArgs(name, args),
    access: (request) => (request.action === 'help' ? 'everyone' : 'restricted'),
    async run(request, context) {
      switch (request.action) {
        case 'help':
          return blockUsage(name);
        case 'block-agent':
          return block('agent', request.agentId, context);
        case 'block-conversation': {
          const conversationId = request.conversationId ?? (await channelLinks.conversationFor(context.invocation.channel));
          if (conversationId === undefined) return `This channel is not linked to a Fluxra conversation; give one: \`${c} conversation conv_…\`.`;
          return block('conversation', conversationId, context);
        }
        case 'list':
          return formatBlockList(await fluxra.listBlocks(), name);
        case 'remove':
          return remove(request.id, context);
      }
    },
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
