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
import { agentStatusLines, type BridgeAgentOptions, linkAgent, unlinkAgent } from './bridge-agent.js';
import { formatLinkStatus } from './bridge-format.js';
import { type BridgeCommandOptions, createLinkActions } from './bridge-link.js';
import { type BridgeRequest, bridgeUsage, parseBridgeArgs } from './bridge-parse.js';
import { shareText } from './bridge-share.js';
import type { CommandContext, CommandHandler } from './types.js';

export type { BridgeCommandOptions, FluxraLinkApi } from './bridge-link.js';

/** What `/bridge` says when Fluxra is not configured and someone asks for a conversation. */
export const NO_FLUXRA_TEXT = 'This bridge has no Fluxra credentials, so channels cannot be linked to Fluxra conversations.';

export function createBridgeCommand(options: BridgeCommandOptions): CommandHandler<BridgeRequest> {
  const { name, links, linkStatus, tenancy } = options;
  const c = `/${name}`;
  const agentOptions: BridgeAgentOptions = { bridgeCommand: name, agentCommand: options.agents?.agentCommand ?? 'agent', mode: options.agents?.mode ?? 'queue' };
  const control = options.agents?.control;

  const { link, linkWithCode, linkNew, unlink, othersShown } = createLinkActions(options);

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
    const deadLetters = (await options.deadLettersOf?.(channel)) ?? 0;
    return formatLinkStatus({ viewer: platform, link, others, lastDelivery, blockCommandName: options.blockCommandName, deadLetters });
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
    // Reading is open to every member (status names only the reader's own tenant's channels); changing is not.
    access: (request) => (request.action === 'help' || request.action === 'status' ? 'everyone' : 'restricted'),
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
