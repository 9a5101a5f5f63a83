/**
 * Shape checks for the Fluxra IDs people type into commands (spec §2.3). The server stays
 * the authority on whether an ID exists; these checks run BEFORE any request so that
 * nothing typed can change the request path (`../`, `?`, `#`, `%2F`, spaces, lookalike
 * letters, 10 kB of text): an ID that passes is `prefix` + hex digits and dashes only.
 *
 * Case: IDs are accepted in any case and sent in lower case. Hex digits and UUIDs mean the
 * same in either case, Fluxra prints them in lower case, and a server that compared IDs
 * byte for byte would otherwise answer a shouted ID with a confusing 404.
 */

import { firstNonAsciiCodePoint, showInput } from '../core/text.js';
import type { ParseResult } from './types.js';

export type FluxraIdKind = 'agent' | 'conversation' | 'block';

export interface FluxraId {
  kind: FluxraIdKind;
  /** Normalised to lower case. */
  id: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface KindRule {
  prefix: string;
  shape: RegExp;
  /** "an agent ID" */
  noun: string;
  /** What follows the prefix, for the refusal. */
  body: string;
  length: number;
}

export const FLUXRA_ID_RULES: Readonly<Record<FluxraIdKind, KindRule>> = {
  agent: { prefix: 'agt_', shape: /^agt_[0-9a-f]{32}$/, noun: 'an agent ID', body: '32 hex digits (0-9, a-f)', length: 36 },
  conversation: { prefix: 'conv_', shape: new RegExp(`^conv_${UUID}$`), noun: 'a conversation ID', body: 'a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e', length: 41 },
  block: { prefix: 'blk_', shape: new RegExp(`^blk_${UUID}$`), noun: 'a block ID', body: 'a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e', length: 40 },
};

/** Characters that would change a URL's meaning; named explicitly because they are the dangerous ones. */
const URL_SIGNIFICANT = ['/', '\\', '?', '#', '%', '.', '&', '='];

/** Which kind an ID claims to be, by its prefix (any case), or undefined. */
export function kindOfId(word: string): FluxraIdKind | undefined {
  const lower = word.toLowerCase();
  for (const kind of Object.keys(FLUXRA_ID_RULES) as FluxraIdKind[]) {
    if (lower.startsWith(FLUXRA_ID_RULES[kind].prefix)) return kind;
  }
  return undefined;
}

function describeKinds(kinds: readonly FluxraIdKind[]): string {
  const parts = kinds.map((kind) => `${FLUXRA_ID_RULES[kind].noun} (${FLUXRA_ID_RULES[kind].prefix}…)`);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
}

/**
 * Checks one typed word against the allowed kinds. On refusal, the message says what is
 * wrong (non-ASCII character, URL punctuation, wrong prefix, wrong length) and echoes the
 * input only through `showInput`.
 */
export function parseFluxraId(word: string, allowed: readonly FluxraIdKind[]): ParseResult<FluxraId> {
  const shown = showInput(word);
  const expected = describeKinds(allowed);
  const nonAscii = firstNonAsciiCodePoint(word);
  if (nonAscii !== undefined) {
    if (nonAscii === 'U+0020') return { ok: false, message: `${shown} is not ${expected}: IDs never contain spaces.` };
    return {
      ok: false,
      message: `${shown} is not ${expected}: it contains the character ${nonAscii}, and IDs are plain letters, digits, \`_\` and \`-\` (retype it rather than pasting lookalikes).`,
    };
  }
  const significant = URL_SIGNIFICANT.find((c) => word.includes(c));
  if (significant !== undefined) {
    return { ok: false, message: `${shown} is not ${expected}: IDs never contain \`${significant}\`.` };
  }
  const kind = kindOfId(word);
  if (kind === undefined || !allowed.includes(kind)) {
    return { ok: false, message: `${shown} is not ${expected}.` };
  }
  const rule = FLUXRA_ID_RULES[kind];
  const id = word.toLowerCase();
  if (!rule.shape.test(id)) {
    const length = word.length === rule.length ? '' : `; that one is ${word.length} characters long, ${rule.noun} is ${rule.length}`;
    return { ok: false, message: `${shown} is not ${rule.noun}: after \`${rule.prefix}\` come ${rule.body}${length}.` };
  }
  return { ok: true, value: { kind, id } };
}
