/**
 * `/agent [name] <prompt>`: starts an agent session on Blocks. On Slack the words follow the
 * command; on Discord it is `/agent ask` with a `prompt` option and an optional `agent`.
 * The request is persisted by the session engine before this answers; the engine then posts
 * the root message ("<name> asked claude: …") and the agent's answer in its thread.
 */
import type { CommandInvocation } from '../platforms/types.js';
import { parseAgentRequest, type AgentNames, type AgentRequestParse } from '../sessions/parse.js';
import { agentUsage, unknownAgentText } from '../sessions/usage.js';
import type { ResolvedAgent } from '../services/blocks/types.js';
import type { CommandHandler } from './types.js';

/** The part of the session engine `/agent` uses (SessionEngine satisfies it). */
export interface AgentStarter {
  readonly agentNames: AgentNames;
  startFromCommand(start: { invocation: CommandInvocation; agent: ResolvedAgent; agentLabel: string; prompt: string }): Promise<void>;
}

export interface AgentCommandOptions {
  /** The configured name (`commands.agent`). */
  name: string;
  engine: AgentStarter;
  resolveAgent(name: string): ResolvedAgent;
}

/** The words as the router gives them; the platform decides how they read (see `readInvocation`). */
export interface AgentArgs {
  args: readonly string[];
}

/** Discord's subcommands. `ask` carries `prompt` then `agent`, in this declared order. */
export const AGENT_SUBCOMMANDS = { ask: 'ask', help: 'help' } as const;

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
        { name: AGENT_SUBCOMMANDS.help, description: 'How to use this command', options: [] },
      ],
    },
    parse: (args) => ({ ok: true, value: { args } }),
    access: () => 'everyone',
    async run({ args }, context) {
      const parsed = readInvocation(context.invocation, args, engine.agentNames);
      if (parsed.kind === 'usage') return agentUsage(name, engine.agentNames);
      if (parsed.kind === 'unknown-agent') return unknownAgentText(parsed.token, engine.agentNames);
      const agent = options.resolveAgent(parsed.agent);
      await engine.startFromCommand({ invocation: context.invocation, agent, agentLabel: parsed.agent, prompt: parsed.prompt });
      context.logger.info({ agent: parsed.agent, named: parsed.named }, 'agent session requested');
      return `Asking ${parsed.agent}; the answer will come in the thread of my message.`;
    },
  };
}
