/** Help texts for `/agent` and mentions: how to ask, and which agent names exist. */
import { showInput } from '../core/text.js';
import type { AgentNames } from './parse.js';

function namesLine(names: AgentNames): string {
  const fallback = names.defaultAgent?.trim();
  return `Agents: ${names.validNames().join(', ')}${fallback ? ` (default: ${fallback})` : ''}.`;
}

/** Usage of `/agent` (and of a mention, which takes the same words). */
export function agentUsage(command: string, names: AgentNames): string {
  return [
    `Ask an agent: \`/${command} [agent] <what to do>\` (on Discord: \`/${command} ask\` with \`prompt\` and an optional \`agent\`), or mention the bridge: \`@bridge [agent] <what to do>\`.`,
    'The answer comes in the thread; reply in the thread to follow up.',
    namesLine(names),
  ].join('\n');
}

export function unknownAgentText(token: string, names: AgentNames): string {
  return `There is no agent ${showInput(token, 32)}. ${namesLine(names)}`;
}
