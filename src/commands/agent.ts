/**
 * `/agent [name] <prompt>`: starts an agent session on Blocks. On Slack the words follow the
 * command; on Discord it is `/agent ask` with a `prompt` option and an optional `agent`.
 * The request is persisted by the session engine before this answers; the engine then posts
 * the root message ("<name> asked claude: …") and the agent's answer in its thread.
 *
 * In a channel bound to an agent (`/bridge link agent`), `/agent new` starts a fresh session
 * for what follows and `/agent status` shows the running turn, its age and the queue. On
 * Slack these are the whole text (`new`, `status`); anything longer is a prompt.
 */
import type { CommandInvocation } from '../core/chat.js';
import { showInput } from '../core/text.js';
import type { ResolvedAgent } from '../services/blocks/types.js';
import type { ChannelAgentControl } from '../sessions/bound-channels/bound-channels.js';
import { channelStatusLines } from '../sessions/bound-channels/text.js';
import { type AgentNames, type AgentRequestParse, parseAgentRequest } from '../sessions/parse.js';
import { agentUsage, unknownAgentText } from '../sessions/usage.js';
import type { CommandHandler } from './types.js';

/** The part of the session engine `/agent` uses (SessionEngine satisfies it). */
export interface AgentStarter {
  readonly agentNames: AgentNames;
  /** Queues the session start, or says why not (over quota: when it frees up). */
  startFromCommand(start: {
    invocation: CommandInvocation;
    agent: ResolvedAgent;
    agentLabel: string;
    prompt: string;
  }): Promise<{ started: true } | { started: false; answer: string }>;
  /** Bound channels; without it `/agent new` and `/agent status` say the channel is not bound. */
  readonly channels?: ChannelAgentControl;
}

export interface AgentCommandOptions {
  /** The configured name (`commands.agent`). */
  name: string;
  /** The configured name of `/bridge`, for the hint on binding a channel. */
  bridgeCommandName?: string;
  engine: AgentStarter;
  resolveAgent(name: string): ResolvedAgent;
}

/** The words as the router gives them; the platform decides how they read (see `readInvocation`). */
export interface AgentArgs {
  args: readonly string[];
}

/** Discord's subcommands. `ask` carries `prompt` then `agent`, in this declared order. */
export const AGENT_SUBCOMMANDS = { ask: 'ask', new: 'new', status: 'status', help: 'help' } as const;

/** `/agent new` or `/agent status` (bound channels), else undefined. */
export function channelAction(invocation: Pick<CommandInvocation, 'platform' | 'rawText'>, args: readonly string[]): 'new' | 'status' | undefined {
  const word = invocation.platform === 'discord' ? args[0] : invocation.rawText.trim().toLowerCase();
  return word === AGENT_SUBCOMMANDS.new || word === AGENT_SUBCOMMANDS.status ? word : undefined;
}

/**
 * What was asked. Discord gives `[ask, prompt, agent?]` (values whole, in declared order);
 * Slack gives the typed text, read as `[name] <prompt>` from `rawText` so that line breaks
 * in the prompt survive.
 */
export function readInvocation(invocation: Pick<CommandInvocation, 'platform' | 'rawText'>, args: readonly string[], names: AgentNames): AgentRequestParse {
  if (invocation.platform === 'discord') {
    const [sub, prompt = '', agent] = args;
    if (sub !== AGENT_SUBCOMMANDS.ask) return { kind: 'usage' };
    return parseAgentRequest({ text: prompt, ...(agent !== undefined ? { agentOption: agent } : {}) }, names);
  }
  return parseAgentRequest({ text: invocation.rawText }, names);
}

export function createAgentCommand(options: AgentCommandOptions): CommandHandler<AgentArgs> {
  const { name, engine } = options;
  return {
    name,
    permissionVerb: 'start agent sessions',
    spec: {
      description: 'Ask a coding agent on Blocks; the answer comes in a thread',
      subcommands: [
        {
          name: AGENT_SUBCOMMANDS.ask,
          description: 'Start an agent session',
          options: [
            { name: 'prompt', description: 'What the agent should do', required: true },
            { name: 'agent', description: 'claude, codex, gemini, opencode, cursor, kimi, or a configured alias', required: false },
          ],
        },
        { name: AGENT_SUBCOMMANDS.new, description: 'In a channel bound to an agent: start a fresh session', options: [] },
        { name: AGENT_SUBCOMMANDS.status, description: 'In a channel bound to an agent: the running turn and the queue', options: [] },
        { name: AGENT_SUBCOMMANDS.help, description: 'How to use this command', options: [] },
      ],
    },
    parse: (args) => ({ ok: true, value: { args } }),
    access: () => 'everyone',
    async run({ args }, context) {
      const action = channelAction(context.invocation, args);
      if (action !== undefined) return channelCommand(action, context.invocation, options);
      const parsed = readInvocation(context.invocation, args, engine.agentNames);
      if (parsed.kind === 'usage') return agentUsage(name, engine.agentNames);
      if (parsed.kind === 'unknown-agent') return unknownAgentText(parsed.token, engine.agentNames);
      const agent = options.resolveAgent(parsed.agent);
      const outcome = await engine.startFromCommand({ invocation: context.invocation, agent, agentLabel: parsed.agent, prompt: parsed.prompt });
      if (!outcome.started) return outcome.answer;
      context.logger.info({ agent: parsed.agent, named: parsed.named }, 'agent session requested');
      return `Asking ${parsed.agent}; the answer will come in the thread of my message.`;
    },
  };
}

async function channelCommand(action: 'new' | 'status', invocation: CommandInvocation, options: AgentCommandOptions): Promise<string> {
  const control = options.engine.channels;
  const notBound = `This channel is not bound to an agent (\`/${options.bridgeCommandName ?? 'bridge'} link agent <name>\` binds it). Here \`/${options.name} <prompt>\` starts a session in a thread of its own.`;
  if (action === 'status') {
    const view = await control?.status(invocation.channel);
    return view ? channelStatusLines(view).join('\n') : notBound;
  }
  const binding = await control?.startNew(invocation.channel);
  if (!binding) return notBound;
  const agent = showInput(binding.agentLabel, 40);
  return `The next message here starts a new ${agent} session, with a clean context. A turn already running still answers in its thread.`;
}
