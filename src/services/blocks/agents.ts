/**
 * Agent selection (spec §10.1): a core agent name, a configured alias (→ its agent_id), or a
 * workspace agent UUID. Blocks has no list-agents endpoint, so an unknown name is refused
 * locally, with the valid choices, before anything is sent.
 */

import { UserInputError } from '../../core/errors.js';
import { CORE_AGENT_NAMES } from '../../core/upstream-names.js';
import { isUuid } from './links.js';
import type { ResolvedAgent } from './types.js';

export const UNKNOWN_AGENT_CODE = 'UNKNOWN_AGENT';

export interface AgentResolver {
  resolve(nameOrUuid: string): ResolvedAgent;
  /** Core names then aliases, lower-case, as offered to people. */
  validNames(): string[];
}

/**
 * Aliases win over core names of the same spelling: an operator who maps `claude` to a
 * custom workspace agent means it.
 */
export function createAgentResolver(agentAliases: Record<string, string> = {}): AgentResolver {
  const aliases = new Map<string, string>();
  for (const [name, id] of Object.entries(agentAliases)) {
    if (!isUuid(id)) throw new TypeError(`agent alias "${name}" must map to an agent UUID`);
    aliases.set(name.toLowerCase(), id);
  }
  const core = new Set<string>(CORE_AGENT_NAMES);
  const validNames = (): string[] => [...CORE_AGENT_NAMES, ...[...aliases.keys()].filter((name) => !core.has(name)).sort()];

  return {
    validNames,
    resolve(nameOrUuid: string): ResolvedAgent {
      const token = typeof nameOrUuid === 'string' ? nameOrUuid.trim() : '';
      if (isUuid(token)) return { agentId: token.toLowerCase() };
      const lower = token.toLowerCase();
      const alias = aliases.get(lower);
      if (alias) return { agentId: alias };
      if (core.has(lower)) return { agentName: lower };
      const shown = token === '' ? 'no agent given' : `unknown agent "${token.slice(0, 64)}"`;
      throw new UserInputError(`${shown}. Valid agents: ${validNames().join(', ')}, or an agent UUID.`, UNKNOWN_AGENT_CODE);
    },
  };
}
