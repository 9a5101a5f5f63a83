/**
 * Words → a `/block` request, or a refusal written for the person. Pure: no I/O, so that
 * every refusal is decided before any request reaches Fluxra.
 *
 * Grammar (subcommand words in any case):
 *   (nothing) | help
 *   agent <agt_…>
 *   conversation [conv_…]
 *   list
 *   remove <blk_…|agt_…|conv_…>
 */

import { showInput, showWords } from '../core/text.js';
import { type FluxraId, type FluxraIdKind, kindOfId, parseFluxraId } from './fluxra-ids.js';
import type { ParseResult } from './types.js';

export type BlockRequest =
  | { action: 'help' }
  | { action: 'block-agent'; agentId: string }
  /** `conversationId` undefined: the conversation linked to the channel. */
  | { action: 'block-conversation'; conversationId: string | undefined }
  | { action: 'list' }
  | { action: 'remove'; id: FluxraId };

/** The usage text, with the command's configured name. */
export function blockUsage(name: string): string {
  const c = `/${name}`;
  return [
    `\`${c}\` stops the bridge's Fluxra agent from hearing from an agent or a conversation.`,
    `• \`${c} agent agt_…\`: block an agent`,
    `• \`${c} conversation conv_…\`: block a conversation (without an ID: the one linked to this channel)`,
    `• \`${c} list\`: show what is blocked`,
    `• \`${c} remove blk_…\`: remove a block by its ID, or by what it blocks (\`agt_…\` or \`conv_…\`)`,
    `• \`${c} help\`: this help`,
  ].join('\n');
}

function tooManyWords(name: string, complete: string, extra: readonly string[]): ParseResult<never> {
  return { ok: false, message: `\`/${name} ${complete}\` takes nothing more; remove ${showWords(extra)} and try again.` };
}

/** A refusal for a wrong kind of ID, pointing at the subcommand that takes it. */
function wrongKindHint(name: string, word: string, expected: FluxraIdKind): string {
  const kind = kindOfId(word);
  if (kind === expected) return '';
  if (kind === 'conversation') return ` To block a conversation: \`/${name} conversation conv_…\`.`;
  if (kind === 'agent') return ` To block an agent: \`/${name} agent agt_…\`.`;
  if (kind === 'block') return ` To remove a block: \`/${name} remove blk_…\`.`;
  return '';
}

export function parseBlockArgs(name: string, args: readonly string[]): ParseResult<BlockRequest> {
  const [first, second, ...rest] = args;
  if (first === undefined) return { ok: true, value: { action: 'help' } };
  const sub = first.toLowerCase();

  switch (sub) {
    case 'help':
      if (second !== undefined) return tooManyWords(name, 'help', args.slice(1));
      return { ok: true, value: { action: 'help' } };

    case 'list':
      if (second !== undefined) return tooManyWords(name, 'list', args.slice(1));
      return { ok: true, value: { action: 'list' } };

    case 'agent': {
      if (second === undefined) return { ok: false, message: `Which agent? \`/${name} agent agt_…\` (the agent's ID).` };
      const id = parseFluxraId(second, ['agent']);
      if (!id.ok) return { ok: false, message: id.message + wrongKindHint(name, second, 'agent') };
      if (rest.length > 0) return tooManyWords(name, `agent ${id.value.id}`, rest);
      return { ok: true, value: { action: 'block-agent', agentId: id.value.id } };
    }

    case 'conversation': {
      if (second === undefined) return { ok: true, value: { action: 'block-conversation', conversationId: undefined } };
      const id = parseFluxraId(second, ['conversation']);
      if (!id.ok) return { ok: false, message: id.message + wrongKindHint(name, second, 'conversation') };
      if (rest.length > 0) return tooManyWords(name, `conversation ${id.value.id}`, rest);
      return { ok: true, value: { action: 'block-conversation', conversationId: id.value.id } };
    }

    case 'remove': {
      if (second === undefined) {
        return { ok: false, message: `Which block? \`/${name} remove blk_…\`, or what it blocks: \`agt_…\` or \`conv_…\` (see \`/${name} list\`).` };
      }
      const id = parseFluxraId(second, ['block', 'agent', 'conversation']);
      if (!id.ok) return id;
      if (rest.length > 0) return tooManyWords(name, `remove ${id.value.id}`, rest);
      return { ok: true, value: { action: 'remove', id: id.value } };
    }

    default:
      return { ok: false, message: `\`/${name}\` has no ${showInput(first)} subcommand.\n${blockUsage(name)}` };
  }
}
