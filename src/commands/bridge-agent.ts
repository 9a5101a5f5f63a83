/**
 * `/bridge link agent <name>`, `/bridge unlink agent`, and the agent lines of
 * `/bridge status` (issue 8): a channel bound to a Blocks agent sends every person's message
 * to one long-lived session, answered in each message's thread. The binding itself lives in
 * the session engine (src/sessions/bound-channels/); this file only answers people.
 */
import type { ChannelRef } from '../core/chat.js';
import { showInput } from '../core/text.js';
import type { ChannelAgentControl } from '../sessions/bound-channels/bound-channels.js';
import { channelStatusLines } from '../sessions/bound-channels/text.js';
import type { CommandContext } from './types.js';

/** What `/bridge` says when Blocks is not configured and someone asks for an agent. */
export const NO_BLOCKS_TEXT = 'This bridge has no Blocks key, so channels cannot be bound to agents.';

export interface BridgeAgentOptions {
  /** The configured names of `/bridge` and `/agent`, for hints. */
  bridgeCommand: string;
  agentCommand: string;
  mode: 'queue' | 'interrupt';
}

function modeLine(mode: 'queue' | 'interrupt'): string {
  return mode === 'queue'
    ? 'Messages sent while the agent is still working wait (⏳) and go to it together when it finishes, answered in the thread of the last one.'
    : 'A message sent while the agent is still working interrupts it, and the newer message is answered instead (earlier ones are pointed to that answer).';
}

export async function linkAgent(control: ChannelAgentControl | undefined, agent: string, context: CommandContext, options: BridgeAgentOptions): Promise<string> {
  if (!control) return NO_BLOCKS_TEXT;
  const { channel, user } = context.invocation;
  const outcome = await control.bind(channel, agent, user.id);
  switch (outcome.kind) {
    case 'unknown-agent':
      return outcome.text;
    case 'already':
      return `This channel is already bound to ${showInput(outcome.agentLabel, 40)}. See \`/${options.bridgeCommand} status\`.`;
    case 'bound-elsewhere':
      return `This channel is bound to ${showInput(outcome.agentLabel, 40)}. Unbind it first with \`/${options.bridgeCommand} unlink agent\`, then bind again.`;
    case 'bound':
      context.logger.info({ agent: outcome.agentLabel }, 'channel bound to an agent');
      return [
        `Bound this channel to ${showInput(outcome.agentLabel, 40)}: every message here now goes to one ${showInput(outcome.agentLabel, 40)} session, and the answer comes in the message's thread (reply there to follow up).`,
        modeLine(options.mode),
        `\`/${options.agentCommand} new\` starts a fresh session; \`/${options.agentCommand} status\` shows what is running and waiting.`,
      ].join('\n');
  }
}

export async function unlinkAgent(control: ChannelAgentControl | undefined, context: CommandContext): Promise<string> {
  if (!control) return NO_BLOCKS_TEXT;
  const previous = await control.unbind(context.invocation.channel);
  if (!previous) return 'This channel is not bound to an agent.';
  context.logger.info({ agent: previous.agentLabel }, 'channel unbound from its agent');
  return `Unbound this channel from ${showInput(previous.agentLabel, 40)}: new messages here no longer go to it. A turn already running still answers; messages still waiting are not sent, and each is told so.`;
}

/** The agent part of a status answer, or a line saying there is none. */
export async function agentStatusLines(control: ChannelAgentControl | undefined, channel: ChannelRef, options: BridgeAgentOptions): Promise<string[]> {
  if (!control) return [];
  const view = await control.status(channel);
  if (!view) return [`This channel is not bound to an agent. Bind it with \`/${options.bridgeCommand} link agent <name>\`.`];
  return channelStatusLines(view);
}
