/**
 * Words → a `/bridge` request, or a refusal written for the person. Pure: no I/O, so that
 * every refusal is decided before anything reaches Fluxra or the store.
 *
 * Grammar (subcommand words in any case):
 *   (nothing) | help
 *   link <conv_…>
 *   link <shr_…>          a share code from another workspace or server
 *   share                 a one-time code that lets another workspace or server link this conversation
 *   link new [name]
 *   link agent <name>     bind this channel to a Blocks agent (core name or alias)
 *   unlink
 *   unlink agent
 *   status
 *
 * Anything not listed gets the usage.
 */
import type { PlatformName } from '../core/chat.js';
import { firstNonAsciiCodePoint, showInput, showWords } from '../core/text.js';
import { SHARE_CODE_PATTERN } from '../store/share-codes.js';
import { kindOfId, parseFluxraId } from './fluxra-ids.js';
import type { ParseResult } from './types.js';

export type BridgeRequest =
  | { action: 'help' }
  | { action: 'link'; conversationId: string }
  /** A share code from `/bridge share` in a channel linked to the conversation. */
  | { action: 'link-code'; code: string }
  | { action: 'share' }
  /** `name` undefined: a default made from the channel (`defaultConversationName`). */
  | { action: 'link-new'; name: string | undefined }
  | { action: 'unlink' }
  /** `agent` as typed; the handler checks it against the known agents. */
  | { action: 'link-agent'; agent: string }
  | { action: 'unlink-agent' }
  | { action: 'status' };

/** Longest conversation name accepted: room for a readable name, far below any body limit. */
export const MAX_CONVERSATION_NAME_LENGTH = 80;

/** Letters, digits, `-` and `_`: what Slack and Discord channel names are made of, and inert in any markup. */
const NAME_SHAPE = /^[A-Za-z0-9_-]+$/;

/** The usage text, with the command's configured name. */
export function bridgeUsage(name: string): string {
  const c = `/${name}`;
  return [
    `\`${c}\` links this channel to a Fluxra group conversation: messages here go there, and agents' replies come back here.`,
    `• \`${c} link conv_…\`: link to an existing conversation (the bridge's agent must be a member)`,
    `• \`${c} link new [name]\`: create a new conversation and link to it`,
    `• \`${c} share\`: a one-time code (15 minutes) that lets a channel of another workspace or server link this channel's conversation`,
    `• \`${c} link shr_…\`: link to a conversation shared with you by such a code`,
    `• \`${c} unlink\`: stop mirroring this channel`,
    `• \`${c} link agent <name>\`: send every message here to one session of a Blocks agent (claude, codex, … or an alias); answers come in each message's thread`,
    `• \`${c} unlink agent\`: stop sending this channel's messages to its agent`,
    `• \`${c} status\`: what this channel is linked to, and how it is doing`,
    `• \`${c} help\`: this help`,
  ].join('\n');
}

function tooManyWords(name: string, complete: string, extra: readonly string[]): ParseResult<never> {
  return { ok: false, message: `\`/${name} ${complete}\` takes nothing more; remove ${showWords(extra)} and try again.` };
}

/**
 * Checks a conversation name typed by a person: 1 to 80 of letters, digits, `-`, `_`.
 * The name travels in a JSON body, never in a path, but it is also shown back in answers
 * and in Fluxra's own clients, so it is kept to characters that mean nothing anywhere.
 */
export function parseConversationName(word: string): ParseResult<string> {
  const shown = showInput(word);
  const rule = `names are 1 to ${MAX_CONVERSATION_NAME_LENGTH} letters, digits, \`-\` and \`_\``;
  const nonAscii = firstNonAsciiCodePoint(word);
  if (nonAscii === 'U+0020') return { ok: false, message: `${shown} is not a conversation name: ${rule}, without spaces (use \`-\`).` };
  if (nonAscii !== undefined) return { ok: false, message: `${shown} is not a conversation name: it contains the character ${nonAscii}, and ${rule}.` };
  const length = Array.from(word).length;
  if (length > MAX_CONVERSATION_NAME_LENGTH) return { ok: false, message: `${shown} is too long for a conversation name (${length} characters): ${rule}.` };
  const bad = Array.from(word).find((ch) => !NAME_SHAPE.test(ch));
  if (bad !== undefined) return { ok: false, message: `${shown} is not a conversation name: it contains ${describeCharacter(bad)}, and ${rule}.` };
  return { ok: true, value: word };
}

/**
 * `slack-C0GENERAL`, `discord-200000000000000001`: the name of a conversation created
 * without one. Only the channel ID is known to a command, so it names the channel; anything
 * outside the name's alphabet is replaced, so the default always passes `parseConversationName`.
 */
export function defaultConversationName(platform: PlatformName, channelId: string): string {
  const safe = channelId.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${platform}-${safe || 'channel'}`.slice(0, MAX_CONVERSATION_NAME_LENGTH);
}

/** `\`/\`` for what inline code can show, `the character U+0060` for the rest (backticks, `<`, `@`). */
function describeCharacter(ch: string): string {
  const shown = showInput(ch);
  if (!shown.includes('\uFFFD')) return shown;
  return `the character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The words after `link`. */
function parseLinkTarget(name: string, words: readonly string[]): ParseResult<BridgeRequest> {
  const [target, ...rest] = words;
  if (target === undefined) {
    return { ok: false, message: `Link to which conversation? \`/${name} link conv_…\` (an existing one), or \`/${name} link new [name]\` (a new one).` };
  }
  if (target.toLowerCase() === 'agent') {
    const [agent, ...extra] = rest;
    if (agent === undefined) return { ok: false, message: `Bind this channel to which agent? \`/${name} link agent <name>\`, e.g. \`/${name} link agent claude\`.` };
    if (extra.length > 0) return tooManyWords(name, `link agent ${agent}`, extra);
    return { ok: true, value: { action: 'link-agent', agent } };
  }
  if (target.toLowerCase() === 'new') {
    const [chosen, ...extra] = rest;
    if (chosen === undefined) return { ok: true, value: { action: 'link-new', name: undefined } };
    const parsed = parseConversationName(chosen);
    if (!parsed.ok) return parsed;
    if (extra.length > 0) {
      return { ok: false, message: `A conversation name is one word: \`/${name} link new ${chosen}\`, without ${showWords(extra)} (join words with \`-\`).` };
    }
    return { ok: true, value: { action: 'link-new', name: parsed.value } };
  }
  if (SHARE_CODE_PATTERN.test(target.toLowerCase())) {
    if (rest.length > 0) return tooManyWords(name, 'link <code>', rest);
    return { ok: true, value: { action: 'link-code', code: target.toLowerCase() } };
  }
  const id = parseFluxraId(target, ['conversation']);
  if (!id.ok) {
    // A word that is not an ID at all: perhaps a name meant for `link new`.
    const hint = kindOfId(target) === undefined ? ` To create a new conversation: \`/${name} link new [name]\`.` : '';
    return { ok: false, message: id.message + hint };
  }
  if (rest.length > 0) return tooManyWords(name, `link ${id.value.id}`, rest);
  return { ok: true, value: { action: 'link', conversationId: id.value.id } };
}

export function parseBridgeArgs(name: string, args: readonly string[]): ParseResult<BridgeRequest> {
  const [first, ...rest] = args;
  if (first === undefined) return { ok: true, value: { action: 'help' } };

  switch (first.toLowerCase()) {
    case 'help':
      if (rest.length > 0) return tooManyWords(name, 'help', rest);
      return { ok: true, value: { action: 'help' } };
    case 'link':
      return parseLinkTarget(name, rest);
    case 'unlink': {
      const [what, ...extra] = rest;
      if (what?.toLowerCase() === 'agent') {
        if (extra.length > 0) return tooManyWords(name, 'unlink agent', extra);
        return { ok: true, value: { action: 'unlink-agent' } };
      }
      if (rest.length > 0) return tooManyWords(name, 'unlink', rest);
      return { ok: true, value: { action: 'unlink' } };
    }
    case 'share':
      if (rest.length > 0) return tooManyWords(name, 'share', rest);
      return { ok: true, value: { action: 'share' } };
    case 'status':
      if (rest.length > 0) return tooManyWords(name, 'status', rest);
      return { ok: true, value: { action: 'status' } };
    default:
      return { ok: false, message: `\`/${name}\` has no ${showInput(first)} subcommand.\n${bridgeUsage(name)}` };
  }
}
