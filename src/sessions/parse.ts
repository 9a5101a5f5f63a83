/**
 * What a person asked an agent, from `/agent [name] <prompt>` or a mention
 * (`@bridge codex fix the flaky test`). Pure: no store, no network.
 *
 * The first word is the agent when it is one (a core name, an alias, a UUID); otherwise the
 * whole text is the prompt for the default agent. A first word one typo away from an agent
 * name ("claud fix it") is taken for a mistyped name, answered with the valid names, rather
 * than sent to the default agent: a wrong guess there would cost a whole agent run.
 */

import { mentionsAsNames } from '../format/mentions.js';

/** How the parser learns which names exist (the Blocks client's resolver, in production). */
export interface AgentNames {
  /** True for a core name, a configured alias or an agent UUID (case-insensitive). */
  isKnown(token: string): boolean;
  /** Core names then aliases, as offered to people. */
  validNames(): string[];
  /** The configured default agent; undefined or '' when there is none. */
  defaultAgent?: string;
}

export type AgentRequestParse = { kind: 'request'; agent: string; named: boolean; prompt: string } | { kind: 'usage' } | { kind: 'unknown-agent'; token: string };

export interface AgentRequestInput {
  /** Free text: `[name] <prompt>` (Slack command text, a mention with the mention removed). */
  text: string;
  /** An explicit agent (Discord's `agent` option): never guessed from the text. */
  agentOption?: string;
}

export function parseAgentRequest(input: AgentRequestInput, names: AgentNames): AgentRequestParse {
  const text = input.text.trim();
  if (input.agentOption !== undefined && input.agentOption.trim() !== '') {
    const token = input.agentOption.trim();
    if (!names.isKnown(token)) return { kind: 'unknown-agent', token };
    return text === '' ? { kind: 'usage' } : { kind: 'request', agent: token.toLowerCase(), named: true, prompt: text };
  }
  if (text === '' || /^help$/i.test(text)) return { kind: 'usage' };
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  const first = match?.[1] ?? '';
  const rest = (match?.[2] ?? '').trim();
  if (names.isKnown(first)) {
    return rest === '' ? { kind: 'usage' } : { kind: 'request', agent: first.toLowerCase(), named: true, prompt: rest };
  }
  if (rest !== '' && isNearAgentName(first, names.validNames())) return { kind: 'unknown-agent', token: first };
  const fallback = names.defaultAgent?.trim();
  if (!fallback) return { kind: 'unknown-agent', token: first };
  return { kind: 'request', agent: fallback.toLowerCase(), named: false, prompt: text };
}

/**
 * The text of a mention with our own mentions removed (mention tokens such as
 * `<@slack:U123|bridge>`, and raw `<@U123>` / Discord's `<@!123>`), whitespace tidied at
 * the ends. Other people's mentions stay, as their names (`@Alice`): they are part of the prompt.
 */
export function stripSelfMentions(text: string, selfUserId: string | undefined): string {
  if (selfUserId === undefined || selfUserId === '') return mentionsAsNames(text).trim();
  const escaped = selfUserId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Only the spaces around the mention go: indentation elsewhere (code in the prompt) stays.
  const self = new RegExp(`[ \\t]*<@!?(?:(?:slack|discord):)?${escaped}(?:\\|(?:\\\\.|[^>\\\\])*)?>[,:]?[ \\t]*`, 'g');
  return mentionsAsNames(text.replace(self, ' ')).trim();
}

/**
 * Ordinary words one letter away from an agent name: a prompt may well start with them
 * ("code review this", "clause 3 is wrong"), so they are never taken for a typo.
 */
const NOT_TYPOS: ReadonlySet<string> = new Set(['code', 'codes', 'coder', 'coded', 'clause', 'kiwi', 'kim', 'kims', 'cursors']);

/** One typo (insert, delete, substitute) from a valid name, for words of 4 letters or more. */
export function isNearAgentName(token: string, valid: readonly string[]): boolean {
  const word = token.toLowerCase();
  if (word.length < 4 || !/^[a-z0-9_-]+$/.test(word) || NOT_TYPOS.has(word)) return false;
  return valid.some((name) => Math.abs(name.length - word.length) <= 1 && editDistance(word, name) === 1);
}

/** Levenshtein distance (short words only). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
